import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AuditTrail, type AuditTrailArgs } from "../../../infra/observability/audit-trail";
import { MOCK_ACCOUNT_ID, ofType, onlyOfType, type ProgramRun, type RegisteredResource, runUnderMocks } from "../../harness/program";

const T = {
  component: "mobile-s3:observability:AuditTrail",
  hardenedBucket: "mobile-s3:storage:HardenedBucket",
  trail: "aws:cloudtrail/trail:Trail",
  bucket: "aws:s3/bucket:Bucket",
  key: "aws:kms/key:Key",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
};

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

function build(args: Partial<AuditTrailArgs> = {}, opts: { preview?: boolean; region?: string } = {}): Promise<ProgramRun> {
  return runUnderMocks(
    () => {
      const t = new AuditTrail(NAME, { ...BASE, ...args });
      return { trailArn: t.trailArn, logBucketName: t.logBucketName, logBucketArn: t.logBucketArn };
    },
    { stack: "dev", preview: opts.preview, config: opts.region ? { "aws:region": opts.region } : undefined },
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
  before(async () => {
    run = await build({ logReaderArns: [READER] });
  });

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
    const logBucket = onlyOfType(run, T.hardenedBucket);
    assert.equal(logBucket.parent, component.urn, "the log bucket is a HardenedBucket inside the trail component");
    assert.equal(onlyOfType(run, T.trail).parent, component.urn);
    for (const type of [T.bucket, T.key, T.policy, T.publicAccessBlock, T.ownership, T.encryption, T.versioning]) {
      assert.equal(onlyOfType(run, type).parent, logBucket.urn, `${type} belongs to the log bucket`);
    }
    const pab = onlyOfType(run, T.publicAccessBlock).inputs;
    for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
      assert.equal(pab[flag], true, flag);
    }
    assert.deepEqual(onlyOfType(run, T.ownership).inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
    assert.deepEqual(onlyOfType(run, T.versioning).inputs.versioningConfiguration, { status: "Enabled" });

    const trail = onlyOfType(run, T.trail);
    const bucket = onlyOfType(run, T.bucket);
    const key = onlyOfType(run, T.key);
    assert.equal(trail.inputs.s3BucketName, bucket.id);
    assert.equal(trail.inputs.kmsKeyId, key.outputs.arn, "the trail names the log bucket's key by ARN");
    const [rule] = onlyOfType(run, T.encryption).inputs.rules as { applyServerSideEncryptionByDefault: { kmsMasterKeyId: string } }[];
    assert.equal(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId, key.outputs.arn, "the bucket's default key is the trail's key");
    assert.equal(statement(onlyOfType(run, T.policy), "DenyUploadsWithOtherKmsKey").Condition?.StringNotEquals["s3:x-amz-server-side-encryption-aws-kms-key-id"], key.outputs.arn);
    assert.deepEqual(run.outputs, { trailArn: trail.outputs.arn, logBucketName: bucket.id, logBucketArn: bucket.outputs.arn });
  });

  it("is created only after the bucket policy that lets it write is in place", () => {
    const trail = onlyOfType(run, T.trail);
    const policy = onlyOfType(run, T.policy);
    assert.ok(trail.dependencies.includes(policy.urn), "the trail depends on the bucket policy");
    assert.ok(trail.dependencies.includes(onlyOfType(run, T.key).urn), "and on the key it encrypts with");
  });

  it("grants the bucket and the key to this trail's ARN, which it predicts before the trail exists", () => {
    const trailArn = onlyOfType(run, T.trail).outputs.arn as string;
    assert.equal(trailArn, `arn:aws:cloudtrail:us-east-1:${MOCK_ACCOUNT_ID}:trail/${NAME}`);
    const bucketArn = onlyOfType(run, T.bucket).outputs.arn as string;
    const policy = onlyOfType(run, T.policy);
    assert.equal(statement(policy, "DenyInsecureTransport").Condition?.Bool["aws:SecureTransport"], "false", "the hardened guards come first");
    const write = statement(policy, "CloudTrailWritesLogs");
    assert.equal(write.Resource, `${bucketArn}/AWSLogs/${MOCK_ACCOUNT_ID}/*`);
    assert.equal(write.Condition?.StringEquals["aws:SourceArn"], trailArn);
    assert.equal(statement(policy, "CloudTrailChecksBucketAcl").Resource, bucketArn);

    const key = onlyOfType(run, T.key);
    for (const sid of ["CloudTrailEncryptsLogs", "CloudTrailUsesBucketKey", "CloudTrailDescribesKey"]) {
      assert.equal(statement(key, sid).Condition?.StringEquals["aws:SourceArn"], trailArn, sid);
    }
  });

  it("lets only the named readers decrypt logs, and only through S3", () => {
    const readers = statement(onlyOfType(run, T.key), "RolesUseKeyThroughS3");
    assert.deepEqual(readers.Principal, { AWS: [READER] });
    assert.equal(readers.Condition?.StringEquals["kms:ViaService"], "s3.us-east-1.amazonaws.com");
  });

  it("follows the stack's region in the trail ARN it grants", async () => {
    const eu = await build({}, { region: "eu-west-1" });
    const trailArn = onlyOfType(eu, T.trail).outputs.arn as string;
    assert.match(trailArn, /^arn:aws:cloudtrail:eu-west-1:/);
    assert.equal(statement(onlyOfType(eu, T.policy), "CloudTrailWritesLogs").Condition?.StringEquals["aws:SourceArn"], trailArn);
  });

  it("in preview, with the bucket's name still unknown, still registers the policy and orders the trail after it", async () => {
    const preview = await build({}, { preview: true });
    const trail = onlyOfType(preview, T.trail);
    const policy = onlyOfType(preview, T.policy);
    assert.equal(policy.inputs.policy, undefined, "the policy document waits for the bucket's name");
    assert.ok(trail.dependencies.includes(policy.urn));
    assert.equal(ofType(preview, T.bucket).length, 1);
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
});
