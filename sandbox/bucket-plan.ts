import { type CORSRule, type LifecycleRule, type PublicAccessBlockConfiguration } from "@aws-sdk/client-s3";
import { BUCKET_COMPANIONS, TYPE } from "../offline/resource-types";
import { type ProgramRun, type RegisteredResource } from "../offline/run-program";

/**
 * One bucket as the program would create it, read from the resources it registers under mocks
 * (`offline/run-program.ts`): the bucket and each companion resource naming it, their inputs turned
 * into the S3 API's shapes. Nothing here is written twice: the policy, CORS and lifecycle rules are
 * the program's own builders' output.
 */
export interface BucketPlan {
  /** Physical name (the mock provider's auto-name, stable per stack). */
  name: string;
  tags: Record<string, string>;
  versioning?: string;
  publicAccessBlock?: PublicAccessBlockConfiguration;
  objectOwnership?: string;
  /** The default encryption's algorithm, e.g. `aws:kms`. */
  encryption?: string;
  cors?: CORSRule[];
  lifecycle?: LifecycleRule[];
  /** The bucket policy document, as JSON. */
  policy?: string;
  /** The bucket sends its events to EventBridge (the scanner listens there). */
  eventBridge: boolean;
}

const BUCKET = TYPE.bucket;
const COMPANION = BUCKET_COMPANIONS;

/** Pulumi's camelCase input → the S3 API's PascalCase (`id` → `ID`), recursively. */
export function toS3Shape(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(toS3Shape);
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k === "id" ? "ID" : `${k[0].toUpperCase()}${k.slice(1)}`, toS3Shape(v)]),
    );
  }
  return value;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

function bucketName(bucket: RegisteredResource): string {
  const name = bucket.outputs.bucket ?? bucket.id;
  if (typeof name !== "string" || name === "") {
    throw new Error(`bucket ${bucket.name} has no physical name; run the program with preview: false`);
  }
  return name;
}

/** Every bucket the program creates for this run's stack, with what it applies to each. */
export function bucketPlans(run: ProgramRun): BucketPlan[] {
  const companions = (type: string, name: string) => run.resources.filter((r) => r.type === type && r.inputs.bucket === name);
  const one = (type: string, name: string) => companions(type, name)[0]?.inputs;
  return run.resources
    .filter((r) => r.type === BUCKET)
    .map((bucket): BucketPlan => {
      const name = bucketName(bucket);
      const versioning = record(one(COMPANION.versioning, name)?.versioningConfiguration).status;
      const pab = one(COMPANION.publicAccessBlock, name);
      const ownership = record(one(COMPANION.ownership, name)?.rule).objectOwnership;
      const encryptionRules = one(COMPANION.encryption, name)?.rules;
      const algorithm = record(record((encryptionRules as unknown[] | undefined)?.[0]).applyServerSideEncryptionByDefault).sseAlgorithm;
      const cors = one(COMPANION.cors, name)?.corsRules;
      const lifecycle = one(COMPANION.lifecycle, name)?.rules;
      const policy = one(COMPANION.policy, name)?.policy;
      return {
        name,
        tags: { ...(record(bucket.inputs.tags) as Record<string, string>) },
        ...(typeof versioning === "string" ? { versioning } : {}),
        ...(pab ? { publicAccessBlock: toS3Shape({ ...pab, bucket: undefined }) as PublicAccessBlockConfiguration } : {}),
        ...(typeof ownership === "string" ? { objectOwnership: ownership } : {}),
        ...(typeof algorithm === "string" ? { encryption: algorithm } : {}),
        ...(Array.isArray(cors) ? { cors: toS3Shape(cors) as CORSRule[] } : {}),
        ...(Array.isArray(lifecycle) ? { lifecycle: toS3Shape(lifecycle) as LifecycleRule[] } : {}),
        ...(typeof policy === "string" ? { policy } : {}),
        eventBridge: companions(COMPANION.notification, name).some((n) => n.inputs.eventbridge === true),
      };
    });
}
