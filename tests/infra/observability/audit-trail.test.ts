import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AuditTrail, type AuditTrailArgs } from "../../../infra/observability/audit-trail";
import { type Decision, decideAll } from "../../harness/iam";
import { MOCK_ACCOUNT_ID, ofType, onlyOfType, type ProgramRun, type RegisteredResource, runUnderMocks } from "../../harness/program";
import { TYPE } from "../../../offline/resource-types";
import { type ComponentRunOptions, runComponent } from "../component-run";

const T = { ...TYPE, component: "mobile-s3:observability:AuditTrail" };

const NAME = "mobile-s3-dev-audit";
const STORAGE = "arn:aws:s3:::mobile-s3-dev-storage-abc1234";
const TENANT_BUCKET = "arn:aws:s3:::mobile-s3-dev-t-acme-def5678";
const ACCESS_POINT = `arn:aws:s3:us-east-1:${MOCK_ACCOUNT_ID}:accesspoint/mobile-s3-dev-globex`;
const READER = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/security-auditor`;
const TAGS = { app: "mobile-s3", env: "dev", owner: "platform-team", "managed-by": "pulumi" };
const BASE: AuditTrailArgs = {
  dataBucketArns: [STORAGE, TENANT_BUCKET],
  lifecycle: { abortIncompleteUploadDays: 1, noncurrentVersionExpirationDays: 30, infrequentAccessAfterDays: 30, objectExpirationDays: 400 },
  tags: TAGS,
};

function build(args: Partial<AuditTrailArgs> = {}, opts: ComponentRunOptions = {}): Promise<ProgramRun> {
  return runComponent(
    () => {
      const t = new AuditTrail(NAME, { ...BASE, ...args });
      return { trailArn: t.trailArn, logBucketName: t.logBucketName, logBucketArn: t.logBucketArn };
    },
    opts,
  );
}

interface Statement {
  Sid: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
type Selector = { name: string; fieldSelectors: { field: string; equals?: string[]; startsWiths?: string[] }[] };

/** The one resource of `type` inside the trail's log bucket (the access-log bucket has its own). */
const logOf = (run: ProgramRun, type: string): RegisteredResource => {
  const logBucket = ofType(run, T.hardenedBucket).find((b) => b.name === `${NAME}-logs`)!;
  const found = ofType(run, type).filter((r) => r.parent === logBucket.urn);
  assert.equal(found.length, 1, `one ${type} in the log bucket`);
  return found[0];
};
const accessLogOf = (run: ProgramRun, type: string): RegisteredResource[] => {
  const accessLogBucket = ofType(run, T.hardenedBucket).find((b) => b.name === `${NAME}-access-logs`)!;
  return ofType(run, type).filter((r) => r.parent === accessLogBucket.urn);
};

const statements = (r: RegisteredResource): Statement[] => (JSON.parse(r.inputs.policy as string) as { Statement: Statement[] }).Statement;
const statement = (r: RegisteredResource, sid: string): Statement => {
  const found = statements(r).find((s) => s.Sid === sid);
  assert.ok(found, `${r.type} has a statement ${sid}`);
  return found;
};
const selectors = (run: ProgramRun): Selector[] => onlyOfType(run, T.trail).inputs.advancedEventSelectors as Selector[];
const arnsSelectedFor = (run: ProgramRun, resourceType: string): string[] | undefined =>
  selectors(run)
    .find((s) => s.fieldSelectors.some((f) => f.field === "resources.type" && f.equals?.includes(resourceType)))
    ?.fieldSelectors.find((f) => f.field === "resources.ARN")?.startsWiths;

describe("infra/observability/audit-trail (program under mocks)", () => {
  let run: ProgramRun;
  before(async () => (run = await build({ logReaderArns: [READER] })));

  it("records S3 object data events, reads and writes, for exactly the given buckets, plus management events", () => {
    assert.deepEqual(arnsSelectedFor(run, "AWS::S3::Object"), [`${STORAGE}/`, `${TENANT_BUCKET}/`]);
    for (const selector of selectors(run)) {
      assert.equal(
        selector.fieldSelectors.some((f) => f.field === "readOnly"),
        false,
        `${selector.name} does not narrow to reads or writes`,
      );
    }
    const management = selectors(run).find((s) => s.fieldSelectors.some((f) => f.field === "eventCategory" && f.equals?.includes("Management")));
    assert.deepEqual(management?.fieldSelectors, [{ field: "eventCategory", equals: ["Management"] }]);
    assert.equal(arnsSelectedFor(run, "AWS::S3::AccessPoint"), undefined, "no access point selector without access points");
    const logBucketArn = run.outputs.logBucketArn as string;
    assert.equal(JSON.stringify(selectors(run)).includes(logBucketArn), false, "the trail does not log writes to its own log bucket");
  });

  it("records access point data events when access points are given", async () => {
    const withAccessPoint = await build({ accessPointArns: [ACCESS_POINT] });
    assert.deepEqual(arnsSelectedFor(withAccessPoint, "AWS::S3::AccessPoint"), [ACCESS_POINT]);
    assert.deepEqual(arnsSelectedFor(withAccessPoint, "AWS::S3::Object"), [`${STORAGE}/`, `${TENANT_BUCKET}/`]);
  });

  it("validates log files, records global service events and stays in the stack's region unless asked", async () => {
    const trail = onlyOfType(run, T.trail).inputs;
    assert.equal(trail.enableLogFileValidation, true);
    assert.equal(trail.includeGlobalServiceEvents, true);
    assert.equal(trail.isMultiRegionTrail, false);
    assert.equal(trail.name, NAME);
    assert.deepEqual(trail.tags, TAGS);
    const multiRegion = await build({ isMultiRegionTrail: true });
    assert.equal(onlyOfType(multiRegion, T.trail).inputs.isMultiRegionTrail, true);
  });

  it("writes to its own hardened log bucket, encrypted with that bucket's key", () => {
    const component = onlyOfType(run, T.component);
    const logBucket = ofType(run, T.hardenedBucket).find((b) => b.name === `${NAME}-logs`)!;
    assert.equal(logBucket.parent, component.urn, "the log bucket is a HardenedBucket inside the trail component");
    assert.equal(onlyOfType(run, T.trail).parent, component.urn);
    for (const type of [T.bucket, T.key, T.policy, T.publicAccessBlock, T.ownership, T.encryption, T.versioning]) {
      assert.equal(logOf(run, type).parent, logBucket.urn, `${type} belongs to the log bucket`);
    }
    const pab = logOf(run, T.publicAccessBlock).inputs;
    for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
      assert.equal(pab[flag], true, flag);
    }
    assert.deepEqual(logOf(run, T.ownership).inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
    assert.deepEqual(logOf(run, T.versioning).inputs.versioningConfiguration, { status: "Enabled" });

    const trail = onlyOfType(run, T.trail);
    const bucket = logOf(run, T.bucket);
    const key = logOf(run, T.key);
    assert.equal(trail.inputs.s3BucketName, bucket.id);
    assert.equal(trail.inputs.kmsKeyId, key.outputs.arn, "the trail names the log bucket's key by ARN");
    const [rule] = logOf(run, T.encryption).inputs.rules as { applyServerSideEncryptionByDefault: { kmsMasterKeyId: string } }[];
    assert.equal(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId, key.outputs.arn, "the bucket's default key is the trail's key");
    assert.equal(statement(logOf(run, T.policy), "DenyUploadsWithOtherKmsKey").Condition?.StringNotEquals["s3:x-amz-server-side-encryption-aws-kms-key-id"], key.outputs.arn);
    assert.deepEqual(run.outputs, { trailArn: trail.outputs.arn, logBucketName: bucket.id, logBucketArn: bucket.outputs.arn });
  });

  it("is created only after the bucket policy that lets it write is in place", () => {
    const trail = onlyOfType(run, T.trail);
    const policy = logOf(run, T.policy);
    assert.ok(trail.dependencies.includes(policy.urn), "the trail depends on the bucket policy");
    assert.ok(trail.dependencies.includes(logOf(run, T.key).urn), "and on the key it encrypts with");
  });

  it("grants the bucket and the key to this trail's ARN, which it predicts before the trail exists", () => {
    const trailArn = onlyOfType(run, T.trail).outputs.arn as string;
    assert.equal(trailArn, `arn:aws:cloudtrail:us-east-1:${MOCK_ACCOUNT_ID}:trail/${NAME}`);
    const bucketArn = logOf(run, T.bucket).outputs.arn as string;
    const policy = logOf(run, T.policy);
    assert.equal(statement(policy, "DenyInsecureTransport").Condition?.Bool["aws:SecureTransport"], "false", "the hardened guards come first");
    const write = statement(policy, "CloudTrailWritesLogs");
    assert.equal(write.Resource, `${bucketArn}/AWSLogs/${MOCK_ACCOUNT_ID}/*`);
    assert.equal(write.Condition?.StringEquals["aws:SourceArn"], trailArn);
    assert.equal(statement(policy, "CloudTrailChecksBucketAcl").Resource, bucketArn);

    const key = logOf(run, T.key);
    for (const sid of ["CloudTrailEncryptsLogs", "CloudTrailUsesBucketKey", "CloudTrailDescribesKey"]) {
      assert.equal(statement(key, sid).Condition?.StringEquals["aws:SourceArn"], trailArn, sid);
    }
  });

  it("lets only the named readers decrypt logs, and only through S3", () => {
    const readers = statement(logOf(run, T.key), "RolesUseKeyThroughS3");
    assert.deepEqual(readers.Principal, { AWS: [READER] });
    assert.equal(readers.Condition?.StringEquals["kms:ViaService"], "s3.us-east-1.amazonaws.com");
  });

  it("follows the stack's region in the trail ARN it grants", async () => {
    const eu = await build({}, { region: "eu-west-1" });
    const trailArn = onlyOfType(eu, T.trail).outputs.arn as string;
    assert.match(trailArn, /^arn:aws:cloudtrail:eu-west-1:/);
    assert.equal(statement(logOf(eu, T.policy), "CloudTrailWritesLogs").Condition?.StringEquals["aws:SourceArn"], trailArn);
  });

  it("in preview, with the bucket's name still unknown, still registers the policy and orders the trail after it", async () => {
    const preview = await build({}, { preview: true });
    const trail = onlyOfType(preview, T.trail);
    const policy = logOf(preview, T.policy);
    assert.equal(policy.inputs.policy, undefined, "the policy document waits for the bucket's name");
    assert.ok(trail.dependencies.includes(policy.urn));
    assert.equal(ofType(preview, T.bucket).length, 2, "the log bucket and its access-log bucket");
  });

  it("checks ARNs computed by other resources once they resolve, with the same result", async () => {
    const computed = await runUnderMocks(() => {
      new AuditTrail(NAME, { ...BASE, dataBucketArns: [pulumi.output(TENANT_BUCKET), pulumi.output(STORAGE)], accessPointArns: [pulumi.output(ACCESS_POINT)] });
    }, { stack: "dev" });
    const known = await build({ accessPointArns: [ACCESS_POINT] });
    assert.deepEqual(selectors(computed), selectors(known));
  });

  it("refuses a trail with no data bucket, naming the argument", async () => {
    await assert.rejects(build({ dataBucketArns: [] }), /\[dataBucketArns\] must name at least one bucket/);
  });

  it("refuses a name CloudTrail would reject, naming the config to change", async () => {
    await assert.rejects(
      runUnderMocks(() => new AuditTrail("mobile-s3--dev-audit", BASE), { stack: "dev" }),
      /breaks CloudTrail's naming rules.*\[app\] or \[environment\]/,
    );
  });

  it("refuses an access point ARN given as a data bucket, naming the argument", async () => {
    await assert.rejects(build({ dataBucketArns: [STORAGE, ACCESS_POINT] }), /\[dataBucketArns\] must hold S3 bucket/);
  });

  describe("the log bucket's own server access logs", () => {
    const logging = "aws:s3/bucketLogging:BucketLogging";

    it("go from the log bucket to a hardened access-log bucket under SSE-S3, which logs nowhere (a log target logging into itself loops)", () => {
      const logBucket = logOf(run, T.bucket);
      const [accessLogBucket] = accessLogOf(run, T.bucket);
      const delivery = onlyOfType(run, logging);
      assert.equal(delivery.inputs.bucket, logBucket.id);
      assert.equal(delivery.inputs.targetBucket, accessLogBucket.id);
      assert.equal(delivery.inputs.targetPrefix, "s3-access/");
      assert.deepEqual(accessLogOf(run, logging), [], "the access-log bucket has no logging of its own");
      // "Enabling Amazon S3 server access logging": the target bucket may use SSE-S3 only, so it has no KMS key.
      const [sse] = accessLogOf(run, T.encryption)[0].inputs.rules as Record<string, unknown>[];
      assert.deepEqual(sse.applyServerSideEncryptionByDefault, { sseAlgorithm: "AES256" });
      assert.deepEqual(sse.blockedEncryptionTypes, ["SSE-C"]);
      assert.deepEqual(accessLogOf(run, T.key), []);
      const pab = accessLogOf(run, T.publicAccessBlock)[0].inputs;
      assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
      assert.deepEqual(accessLogOf(run, T.ownership)[0].inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
      assert.deepEqual(accessLogOf(run, T.versioning)[0].inputs.versioningConfiguration, { status: "Enabled" });
    });

    it("are delivered only by S3's logging service, for the log bucket of this account (IAM simulator)", async () => {
      const [accessLogBucket] = accessLogOf(run, T.bucket);
      const policy = JSON.parse(accessLogOf(run, T.policy)[0].inputs.policy as string);
      const arn = accessLogBucket.outputs.arn as string;
      const logBucketArn = logOf(run, T.bucket).outputs.arn as string;
      const tls = { "aws:SecureTransport": "true" };
      const delivered = { ...tls, "aws:SourceArn": logBucketArn, "aws:SourceAccount": MOCK_ACCOUNT_ID };
      const rows: [string, string, string, Record<string, string>, Decision][] = [
        ["S3 delivers the log bucket's logs", "logging.s3.amazonaws.com", `${arn}/s3-access/2026-12-02-10-00-00-ABC`, delivered, "Allowed"],
        ["another bucket's logs", "logging.s3.amazonaws.com", `${arn}/s3-access/x`, { ...delivered, "aws:SourceArn": "arn:aws:s3:::someone-elses-bucket" }, "ImplicitlyDenied"],
        ["another account's logs", "logging.s3.amazonaws.com", `${arn}/s3-access/x`, { ...delivered, "aws:SourceAccount": "210987654321" }, "ImplicitlyDenied"],
        ["outside the log prefix", "logging.s3.amazonaws.com", `${arn}/other/x`, delivered, "ImplicitlyDenied"],
        ["asking for SSE-KMS (delivery supports SSE-S3 only)", "logging.s3.amazonaws.com", `${arn}/s3-access/x`, { ...delivered, "s3:x-amz-server-side-encryption": "aws:kms" }, "ExplicitlyDenied"],
        ["over plain HTTP", "logging.s3.amazonaws.com", `${arn}/s3-access/x`, { ...delivered, "aws:SecureTransport": "false" }, "ExplicitlyDenied"],
        ["CloudTrail", "cloudtrail.amazonaws.com", `${arn}/s3-access/x`, delivered, "ImplicitlyDenied"],
      ];
      const decisions = await decideAll(
        { resourcePolicy: policy },
        rows.map(([, principal, resource, context]) => ({ principal, action: "s3:PutObject", resource, context })),
      );
      assert.deepEqual(
        rows.map(([label], i) => `${label}: ${decisions[i]}`),
        rows.map(([label, , , , expected]) => `${label}: ${expected}`),
      );
    });
  });
});
