import { CreateBucketCommand, DeleteObjectCommand, PutBucketCorsCommand, PutBucketEncryptionCommand, PutBucketLifecycleConfigurationCommand, PutBucketOwnershipControlsCommand, PutBucketPolicyCommand, PutBucketTaggingCommand, PutBucketVersioningCommand, PutObjectCommand, PutPublicAccessBlockCommand, type BucketVersioningStatus, type LifecycleRule, type ObjectOwnership, type S3Client, type ServerSideEncryption } from "@aws-sdk/client-s3";
import { type BucketPlan } from "./bucket-plan";

/** A policy statement as the program writes it; only what the notes need. */
interface Statement {
  Sid?: string;
  Principal?: unknown;
}

function reason(err: unknown): string {
  const e = err as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = e.Code ?? e.name ?? "Error";
  const status = e.$metadata?.httpStatusCode;
  const message = e.message && e.message !== "UnknownError" ? `: ${e.message}` : "";
  return `${code}${status ? ` ${status}` : ""}${message}`;
}

/**
 * Applies the items S3 would take in one request, as many as the engine accepts: all at once if it
 * can, else one at a time, keeping each that it accepts beside those before it.
 */
async function applyWhatIsAccepted<T>(items: T[], put: (items: T[]) => Promise<unknown>): Promise<{ refused: { item: T; error: unknown }[] }> {
  try {
    await put(items);
    return { refused: [] };
  } catch {
    // Fall through: find which ones it refuses.
  }
  const accepted: T[] = [];
  const refused: { item: T; error: unknown }[] = [];
  for (const item of items) {
    try {
      await put([...accepted, item]);
      accepted.push(item);
    } catch (error) {
      refused.push({ item, error });
    }
  }
  if (accepted.length > 0) {
    await put(accepted);
  }
  return { refused };
}

function statementLabel(statement: Statement, index: number): string {
  return statement.Sid ?? `#${index + 1}`;
}

/** Why Ceph refuses a statement AWS takes, where we know. */
function statementReason(statement: Statement, error: unknown): string {
  const service = (statement.Principal as { Service?: unknown } | undefined)?.Service;
  if (service !== undefined && (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
    return `Ceph counts a Service principal (${String(service)}) as public, and the bucket's BlockPublicPolicy refuses public statements`;
  }
  return `Ceph refuses it (${reason(error)})`;
}

/** Where the probe writes: outside `tenants/` (never scanned) and in a segment no user key may hold. */
const PROBE_KEY = ".mobile-s3/sandbox-upload-probe";

/** Whether the bucket's owner can still upload, which Ceph's BlockPublicAcls prevents (a Ceph bug). */
async function ownerCanUpload(s3: S3Client, Bucket: string): Promise<boolean> {
  try {
    await s3.send(new PutObjectCommand({ Bucket, Key: PROBE_KEY, Body: "probe" }));
  } catch {
    return false;
  }
  await s3.send(new DeleteObjectCommand({ Bucket, Key: PROBE_KEY }));
  return true;
}

/**
 * Creates one bucket on the engine with its companions in the order the program's dependencies
 * impose (the policy after the public access block, as in AWS), and returns a one-line note for each
 * thing the engine does not take.
 */
export async function createBucket(s3: S3Client, plan: BucketPlan): Promise<string[]> {
  const notes: string[] = [];
  const Bucket = plan.name;
  const tryPut = async (what: string, send: () => Promise<unknown>) => {
    try {
      await send();
    } catch (err) {
      notes.push(`${Bucket}: ${what} not applied; Ceph refuses it (${reason(err)})`);
    }
  };

  await s3.send(new CreateBucketCommand({ Bucket }));
  if (Object.keys(plan.tags).length > 0) {
    await tryPut("tags", () =>
      s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value })) } })),
    );
  }
  if (plan.publicAccessBlock) {
    // Before versioning, so the probe leaves no version behind.
    await tryPut("public access block", () =>
      s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: plan.publicAccessBlock })),
    );
    if (plan.publicAccessBlock.BlockPublicAcls && !(await ownerCanUpload(s3, Bucket))) {
      await s3.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { ...plan.publicAccessBlock, BlockPublicAcls: false } }));
      notes.push(`${Bucket}: public access block applied without BlockPublicAcls; with it Ceph refuses every upload, even the owner's (ceph/ceph#30033)`);
    }
  }
  if (plan.versioning) {
    await tryPut(`versioning ${plan.versioning}`, () =>
      s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: plan.versioning as BucketVersioningStatus } })),
    );
  }
  if (plan.objectOwnership) {
    await tryPut(`object ownership ${plan.objectOwnership} (ACLs stay possible; nothing here sets one)`, () =>
      s3.send(
        new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: plan.objectOwnership as ObjectOwnership }] } }),
      ),
    );
  }
  if (plan.encryption) {
    // The engine has no KMS: refused, objects are stored unencrypted and uploads sign no SSE header.
    await tryPut(`default encryption ${plan.encryption} (no KMS here: objects are stored unencrypted)`, () =>
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: plan.encryption as ServerSideEncryption } }] },
        }),
      ),
    );
  }
  if (plan.cors) {
    await tryPut("CORS rules", () => s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: plan.cors } })));
  }
  if (plan.lifecycle) {
    const { refused } = await applyWhatIsAccepted<LifecycleRule>(plan.lifecycle, (Rules) =>
      s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } })),
    );
    for (const { item, error } of refused) {
      notes.push(`${Bucket}: skipped lifecycle rule ${item.ID ?? "(unnamed)"}; Ceph refuses it (${reason(error)})`);
    }
  }
  if (plan.policy) {
    const document = JSON.parse(plan.policy) as { Statement: Statement[] };
    const { refused } = await applyWhatIsAccepted(
      document.Statement.map((statement, index) => ({ statement, index })),
      (items) => s3.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify({ ...document, Statement: items.map((i) => i.statement) }) })),
    );
    for (const { item, error } of refused) {
      notes.push(`${Bucket}: skipped policy statement ${statementLabel(item.statement, item.index)}; ${statementReason(item.statement, error)}`);
    }
  }
  if (plan.eventBridge) {
    notes.push(`${Bucket}: no EventBridge here; the sandbox's scan worker polls the bucket for new uploads instead`);
  }
  return notes;
}
