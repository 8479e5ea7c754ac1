import * as assert from "node:assert/strict";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../../offline/stack-config";
import { guardDutyRolePolicy } from "../../../infra/scanning/guardduty-policies";
import { type Decision, decideAll, type IamRequest } from "../../harness/iam";
import { MOCK_ACCOUNT_ID, ofType, type ProgramRun, type RegisteredResource, runProgram } from "../../harness/program";

const MULTI_TENANT = path.join(PROJECT_ROOT, "examples/multi-tenant.yaml");
const PLAN = "aws:guardduty/malwareProtectionPlan:MalwareProtectionPlan";
const BUCKET = "aws:s3/bucket:Bucket";

/**
 * GuardDuty Malware Protection for S3 as the program deploys it (the default scanner of the full
 * profile), with the role's permissions decided by the IAM simulator from the three documents AWS
 * would evaluate: the role's identity policy, each bucket's policy and each key's policy.
 */
describe("infra/scanning: GuardDuty Malware Protection for S3 in the program (mocks + IAM simulator)", function () {
  this.timeout(120_000);
  let run: ProgramRun;
  let dataBuckets: RegisteredResource[];
  before(async () => {
    run = await runProgram({ stack: "demo", configFile: MULTI_TENANT });
    dataBuckets = ofType(run, BUCKET).filter((b) => !b.name.includes("audit"));
  });

  const policyOf = (type: string, bucket: RegisteredResource) =>
    JSON.parse(run.resources.find((r) => r.type === type && r.propertyDependencies.bucket?.includes(bucket.urn))!.inputs.policy as string);
  const role = () => ofType(run, "aws:iam/role:Role").find((r) => r.name.endsWith("-malware"))!;

  it("protects every data bucket with its own plan: new objects under tenants/, tagging on, GuardDuty's role", () => {
    const plans = ofType(run, PLAN);
    assert.equal(plans.length, dataBuckets.length);
    assert.ok(dataBuckets.length >= 3, "the pool and the example's dedicated buckets");
    const protectedNames = plans.map((p) => (p.inputs.protectedResource as { s3Bucket: { bucketName: string } }).s3Bucket.bucketName).sort();
    assert.deepEqual(protectedNames, dataBuckets.map((b) => b.outputs.bucket as string).sort());
    for (const plan of plans) {
      assert.deepEqual((plan.inputs.protectedResource as { s3Bucket: { objectPrefixes: string[] } }).s3Bucket.objectPrefixes, ["tenants/"]);
      assert.deepEqual(plan.inputs.actions, [{ taggings: [{ status: "ENABLED" }] }]);
      assert.equal(plan.inputs.role, role().outputs.arn);
      const rolePolicy = ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === role().name)!;
      assert.ok(plan.dependencies.includes(rolePolicy.urn), "the plan is created once its role may act (GuardDuty validates it)");
    }
  });

  it("lets only the Malware Protection plan service assume the role", () => {
    assert.deepEqual(JSON.parse(role().inputs.assumeRolePolicy as string).Statement, [
      {
        Sid: "MalwareProtectionPlanAssumesRole",
        Effect: "Allow",
        Principal: { Service: "malware-protection-plan.guardduty.amazonaws.com" },
        Action: "sts:AssumeRole",
      },
    ]);
  });

  it("GuardDuty's role can read, tag and decrypt what it scans in every data bucket, and nothing else", async () => {
    const principal = `arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/${role().outputs.name as string}/GuardDutyMalwareProtection`;
    const roleArn = role().outputs.arn as string;
    const identity = JSON.parse(ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === role().name)!.inputs.policy as string);
    const keys = ofType(run, "aws:kms/key:Key");
    const tls = { "aws:SecureTransport": "true", "aws:PrincipalArn": roleArn, "aws:ResourceAccount": MOCK_ACCOUNT_ID };
    for (const bucket of dataBuckets) {
      const arn = bucket.outputs.arn as string;
      const object = `${arn}/tenants/acme/home/sub-1/photo.jpg`;
      const bucketPolicy = policyOf("aws:s3/bucketPolicy:BucketPolicy", bucket);
      const s3Rows: [string, string, string, Decision, Record<string, string>?][] = [
        ["read an upload", "s3:GetObject", object, "Allowed"],
        ["read the scanned version", "s3:GetObjectVersion", object, "Allowed"],
        ["read its tags", "s3:GetObjectTagging", object, "Allowed"],
        ["tag its verdict", "s3:PutObjectTagging", object, "Allowed"],
        ["tag the version's verdict", "s3:PutObjectVersionTagging", object, "Allowed"],
        ["write its validation object", "s3:PutObject", `${arn}/malware-protection-resource-validation-object`, "Allowed"],
        ["turn on EventBridge notifications", "s3:PutBucketNotification", arn, "Allowed"],
        ["check the bucket", "s3:ListBucket", arn, "Allowed"],
        ["overwrite a user's object", "s3:PutObject", object, "ImplicitlyDenied"],
        ["delete a user's object", "s3:DeleteObject", object, "ImplicitlyDenied"],
        ["read outside tenants/ (quarantine)", "s3:GetObject", `${arn}/quarantine/tenants/acme/x`, "ImplicitlyDenied"],
        ["tag outside tenants/", "s3:PutObjectTagging", `${arn}/quarantine/tenants/acme/x`, "ImplicitlyDenied"],
        ["change the bucket policy", "s3:PutBucketPolicy", arn, "ImplicitlyDenied"],
        ["read over plain HTTP", "s3:GetObject", object, "ExplicitlyDenied", { "aws:SecureTransport": "false" }],
      ];
      const requests: IamRequest[] = s3Rows.map(([, action, resource, , context]) => ({ principal, action, resource, context: { ...tls, ...context } }));
      const decisions = await decideAll({ identityPolicies: [identity], resourcePolicy: bucketPolicy }, requests);
      assert.deepEqual(
        s3Rows.map(([label], i) => `${bucket.name}: ${label}: ${decisions[i]}`),
        s3Rows.map(([label, , , expected]) => `${bucket.name}: ${label}: ${expected}`),
      );
    }
    // Every data bucket's key: decrypt (to scan) and data keys (its validation object), through S3 only.
    // (Not the object index's key, which only DynamoDB uses.)
    const dataKeys = keys.filter((k) => !/audit|alarms|index/.test(k.name));
    assert.ok(dataKeys.length >= 2, "the pool's key and a tenant's own");
    for (const key of dataKeys) {
      const keyPolicy = JSON.parse(key.inputs.policy as string);
      const via = { "kms:ViaService": "s3.eu-central-1.amazonaws.com", "kms:CallerAccount": MOCK_ACCOUNT_ID, "aws:PrincipalArn": roleArn };
      const kmsRows: [string, string, Record<string, string>, Decision][] = [
        ["decrypt through S3", "kms:Decrypt", via, "Allowed"],
        ["data key through S3", "kms:GenerateDataKey", via, "Allowed"],
        ["decrypt calling KMS directly", "kms:Decrypt", { "kms:CallerAccount": MOCK_ACCOUNT_ID, "aws:PrincipalArn": roleArn }, "ImplicitlyDenied"],
        ["encrypt", "kms:Encrypt", via, "ImplicitlyDenied"],
        ["re-encrypt", "kms:ReEncryptFrom", via, "ImplicitlyDenied"],
        ["grant itself more", "kms:CreateGrant", via, "ImplicitlyDenied"],
        ["change the key policy", "kms:PutKeyPolicy", via, "ImplicitlyDenied"],
      ];
      const decisions = await decideAll(
        { identityPolicies: [identity], resourcePolicy: keyPolicy },
        kmsRows.map(([, action, context]) => ({ principal, action, resource: key.outputs.arn as string, context })),
      );
      assert.deepEqual(
        kmsRows.map(([label], i) => `${key.name}: ${label}: ${decisions[i]}`),
        kmsRows.map(([label, , , expected]) => `${key.name}: ${label}: ${expected}`),
      );
    }
  });

  it("grants nothing beyond the documented actions, on nothing beyond these buckets, keys and GuardDuty's own rule", () => {
    const identity = JSON.parse(ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === role().name)!.inputs.policy as string);
    const actions = new Set<string>(identity.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()));
    assert.deepEqual([...actions].sort(), [
      "events:DeleteRule",
      "events:DescribeRule",
      "events:ListTargetsByRule",
      "events:PutRule",
      "events:PutTargets",
      "events:RemoveTargets",
      "kms:Decrypt",
      "kms:GenerateDataKey",
      "s3:GetBucketNotification",
      "s3:GetObject",
      "s3:GetObjectTagging",
      "s3:GetObjectVersion",
      "s3:GetObjectVersionTagging",
      "s3:ListBucket",
      "s3:PutBucketNotification",
      "s3:PutObject",
      "s3:PutObjectTagging",
      "s3:PutObjectVersionTagging",
    ]);
    for (const statement of identity.Statement as { Resource: string | string[] }[]) {
      for (const resource of [statement.Resource].flat()) {
        assert.ok(!/^\*$|:\*$|s3:::\*/.test(resource), `no open-ended resource: ${resource}`);
      }
    }
  });

  it("refuses to build a role policy with no bucket, an open bucket pattern, a wildcard prefix or a key that is not a key ARN", () => {
    const base = {
      partition: "aws",
      region: "eu-west-1",
      accountId: "123456789012",
      keyPrefix: "tenants/",
      bucketArns: ["arn:aws:s3:::photos"],
      kmsKeyArns: ["arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-4333-8444-555566667777"],
    };
    assert.doesNotThrow(() => guardDutyRolePolicy({ ...base, bucketArns: ["arn:aws:s3:::photos", "arn:aws:s3:::photos-prod-t-*-5f3a9c1d"] }));
    assert.throws(() => guardDutyRolePolicy({ ...base, bucketArns: [] }), /\[bucketArns\] must name at least one bucket/);
    for (const open of ["arn:aws:s3:::*", "arn:aws:s3:::photos*", "arn:aws:s3:::*-5f3a9c1d"]) {
      assert.throws(() => guardDutyRolePolicy({ ...base, bucketArns: [open] }), /\[bucketArns\] must hold S3 bucket ARNs/, open);
    }
    assert.throws(() => guardDutyRolePolicy({ ...base, keyPrefix: "tenants/*" }), /\[keyPrefix\]/);
    assert.throws(() => guardDutyRolePolicy({ ...base, kmsKeyArns: ["alias/aws/s3"] }), /\[kmsKeyArns\] must hold KMS key ARNs/);
  });

  it("keeps the role's policy one size whatever the number of dedicated buckets, and within IAM's 10,240 characters with the most dedicated keys the CDN allows", async () => {
    const policyOfRun = async (tenants: string[]) => {
      const r = await runProgram({ stack: "demo", configFile: MULTI_TENANT, config: { tenants } });
      return ofType(r, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name.endsWith("-malware"))!.inputs.policy as string;
    };
    const two = await policyOfRun(["b1:bucket", "b2:bucket"]);
    const twenty = await policyOfRun(Array.from({ length: 20 }, (_, i) => `b${i}:bucket`));
    assert.equal(twenty, two);
    // 24 bucket tenants is the most CloudFront's 25 origins allow; each with its own key.
    const keys = await policyOfRun(Array.from({ length: 24 }, (_, i) => `tenant-with-a-long-name-${i}:bucket+dedicatedKey`));
    assert.ok(JSON.stringify(JSON.parse(keys)).length <= 10_240, `${keys.length} characters`);
  });
});
