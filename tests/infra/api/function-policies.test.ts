import { CLAMAV_VOCABULARY, FUNCTION_NAMES, type FunctionName, GUARDDUTY_VOCABULARY, type ScanVocabulary } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { functionPolicy, type FunctionPolicyInput, lambdaTrustPolicy } from "../../../infra/api/function-policies";
import { type PolicyStatement } from "../../../infra/iam/policy-document";
import { type Decision, decideAll, type IamRequest } from "../../harness/iam";

const ACCOUNT = "123456789012";
const POOLED = "arn:aws:s3:::mobile-s3-dev-storage-abc1234";
const SILO = "arn:aws:s3:::mobile-s3-dev-acme-7654321";
const OTHER_BUCKET = "arn:aws:s3:::someone-elses-bucket";
const ACCESS_POINT = `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/globex`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mobile-s3-dev-api-cdn-key-AbCdEf`;
const OTHER_SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:database-password-XyZ123`;
const logGroup = (fn: string) => `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:mobile-s3-dev-api-${fn}-abc1234`;

/** ClamAV's vocabulary unless a case says otherwise: its tags are the ones these functions write themselves. */
function input(fn: FunctionName, scan: ScanVocabulary = CLAMAV_VOCABULARY): FunctionPolicyInput {
  return { bucketArns: [POOLED, SILO], accessPointArns: [ACCESS_POINT], logGroupArn: logGroup(fn), cdnPrivateKeySecretArn: SECRET, scan };
}

const home = "tenants/acme/home/5f2d1c3e/photos/cat.jpg";
const tls = { "aws:SecureTransport": "true" };
type Row = [label: string, action: string, resource: string, expected: Decision, context?: Record<string, string | string[]>];

/** Decides each row as the function's role, against its identity policy alone. */
async function decide(fn: FunctionName, rows: Row[], scan: ScanVocabulary = CLAMAV_VOCABULARY) {
  const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/mobile-s3-dev-api-${fn}-abc1234/${fn}`;
  const requests: IamRequest[] = rows.map(([, action, resource, , context]) => ({
    principal,
    action,
    resource,
    context: { ...tls, ...context },
  }));
  const decisions = await decideAll({ identityPolicies: [functionPolicy(fn, input(fn, scan))] }, requests);
  assert.deepEqual(
    rows.map(([label], i) => `${label}: ${decisions[i]}`),
    rows.map(([label, , , expected]) => `${label}: ${expected}`),
  );
}

const ALLOWED: Decision = "Allowed";
const DENIED: Decision = "ImplicitlyDenied";

describe("infra/api/function-policies (IAM simulator)", () => {
  it("uploads: signs PUTs and multipart under tenants/, lists only under tenants/ (the quota), in every bucket and access point, and nothing else", async () => {
    await decide("uploads", [
      ["PutObject in the pooled bucket", "s3:PutObject", `${POOLED}/${home}`, ALLOWED],
      ["PutObject in a silo bucket", "s3:PutObject", `${SILO}/${home}`, ALLOWED],
      ["PutObject through the access point", "s3:PutObject", `${ACCESS_POINT}/object/tenants/globex/home/u1/x`, ALLOWED],
      ["AbortMultipartUpload", "s3:AbortMultipartUpload", `${POOLED}/${home}`, ALLOWED],
      ["ListMultipartUploadParts", "s3:ListMultipartUploadParts", `${POOLED}/${home}`, ALLOWED],
      ["PutObject in quarantine/", "s3:PutObject", `${POOLED}/quarantine/x`, DENIED],
      ["PutObject at the bucket root", "s3:PutObject", `${POOLED}/x`, DENIED],
      ["PutObject in another bucket", "s3:PutObject", `${OTHER_BUCKET}/${home}`, DENIED],
      ["PutObjectTagging (only the scanner tags)", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED],
      ["DeleteObject", "s3:DeleteObject", `${POOLED}/${home}`, DENIED],
      // The quota's reservation markers (functions/uploads/usage.ts): withdrawn, never a user's object.
      ["DeleteObject of a reservation marker", "s3:DeleteObject", `${POOLED}/tenants/acme/home/5f2d1c3e/.mobile-s3/reservations/p.x`, ALLOWED],
      ["DeleteObject of a reservation marker through the access point", "s3:DeleteObject", `${ACCESS_POINT}/object/tenants/globex/home/u1/.mobile-s3/reservations/p.x`, ALLOWED],
      ["DeleteObject of a user's file named like a marker", "s3:DeleteObject", `${POOLED}/tenants/acme/home/5f2d1c3e/photos/.mobile-s3/x`, DENIED],
      ["ListBucketVersions under a home (noncurrent versions count)", "s3:ListBucketVersions", POOLED, ALLOWED, { "s3:prefix": "tenants/acme/home/5f2d1c3e/" }],
      ["ListBucketVersions of the whole bucket", "s3:ListBucketVersions", POOLED, DENIED, { "s3:prefix": "" }],
      ["ListBucketMultipartUploads (open uploads count)", "s3:ListBucketMultipartUploads", SILO, ALLOWED],
      ["ListBucketMultipartUploads of another bucket", "s3:ListBucketMultipartUploads", OTHER_BUCKET, DENIED],
      ["GetObject", "s3:GetObject", `${POOLED}/${home}`, DENIED],
      ["GetObject of an object scanned clean", "s3:GetObject", `${POOLED}/${home}`, DENIED, { "s3:ExistingObjectTag/scan-status": "clean" }],
      ["ListBucket under a home", "s3:ListBucket", POOLED, ALLOWED, { "s3:prefix": "tenants/acme/home/5f2d1c3e/" }],
      ["ListBucket under a home in a silo bucket", "s3:ListBucket", SILO, ALLOWED, { "s3:prefix": "tenants/acme/home/5f2d1c3e/" }],
      ["ListBucket through the access point", "s3:ListBucket", ACCESS_POINT, ALLOWED, { "s3:prefix": "tenants/globex/home/u1/" }],
      ["ListBucket of the whole bucket", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "" }],
      ["ListBucket without a prefix", "s3:ListBucket", POOLED, DENIED],
      ["ListBucket of quarantine/", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "quarantine/" }],
      ["ListBucket of another bucket", "s3:ListBucket", OTHER_BUCKET, DENIED, { "s3:prefix": "tenants/acme/" }],
      ["the CloudFront key", "secretsmanager:GetSecretValue", SECRET, DENIED],
    ]);
  });

  it("objects: lists only with s3:prefix under tenants/, reads only objects scanned clean, inspects and deletes under tenants/", async () => {
    const clean = { "s3:ExistingObjectTag/scan-status": "clean" };
    await decide("objects", [
      ["ListBucket under a home", "s3:ListBucket", POOLED, ALLOWED, { "s3:prefix": "tenants/acme/home/5f2d1c3e/" }],
      ["ListBucket through the access point", "s3:ListBucket", ACCESS_POINT, ALLOWED, { "s3:prefix": "tenants/globex/home/u1/" }],
      ["ListBucket of the whole bucket", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "" }],
      ["ListBucket without a prefix", "s3:ListBucket", POOLED, DENIED],
      ["ListBucket of quarantine/", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "quarantine/" }],
      ["ListBucket of another bucket", "s3:ListBucket", OTHER_BUCKET, DENIED, { "s3:prefix": "tenants/acme/" }],
      ["GetObject scanned clean", "s3:GetObject", `${POOLED}/${home}`, ALLOWED, clean],
      ["GetObject through the access point, clean", "s3:GetObject", `${ACCESS_POINT}/object/tenants/globex/home/u1/x`, ALLOWED, clean],
      ["GetObject still pending", "s3:GetObject", `${POOLED}/${home}`, DENIED, { "s3:ExistingObjectTag/scan-status": "pending" }],
      ["GetObject infected", "s3:GetObject", `${POOLED}/${home}`, DENIED, { "s3:ExistingObjectTag/scan-status": "infected" }],
      ["GetObject never tagged", "s3:GetObject", `${POOLED}/${home}`, DENIED],
      ["GetObject in quarantine/, even tagged clean", "s3:GetObject", `${POOLED}/quarantine/x`, DENIED, clean],
      ["GetObjectTagging", "s3:GetObjectTagging", `${POOLED}/${home}`, ALLOWED],
      ["DeleteObject", "s3:DeleteObject", `${SILO}/${home}`, ALLOWED],
      ["DeleteObject in quarantine/", "s3:DeleteObject", `${POOLED}/quarantine/x`, DENIED],
      ["PutObject", "s3:PutObject", `${POOLED}/${home}`, DENIED],
      ["PutObjectTagging", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED],
    ]);
  });

  it("cdn-session: reads the one secret holding the CloudFront key, and nothing in S3", async () => {
    await decide("cdn-session", [
      ["the CloudFront key", "secretsmanager:GetSecretValue", SECRET, ALLOWED],
      ["another secret", "secretsmanager:GetSecretValue", OTHER_SECRET, DENIED],
      ["PutSecretValue on the key", "secretsmanager:PutSecretValue", SECRET, DENIED],
      ["GetObject", "s3:GetObject", `${POOLED}/${home}`, DENIED, { "s3:ExistingObjectTag/scan-status": "clean" }],
      ["PutObject", "s3:PutObject", `${POOLED}/${home}`, DENIED],
      ["ListBucket", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "tenants/acme/" }],
    ]);
  });

  it("proxy: writes under tenants/ only objects tagged scan-status=clean, in one PutObject with x-amz-tagging", async () => {
    // S3 authorises a PutObject carrying x-amz-tagging as both PutObject and PutObjectTagging.
    const clean = { "s3:RequestObjectTag/scan-status": "clean", "s3:RequestObjectTagKeys": "scan-status" };
    await decide("proxy", [
      ["PutObject tagged clean", "s3:PutObject", `${POOLED}/${home}`, ALLOWED, clean],
      ["its tagging", "s3:PutObjectTagging", `${POOLED}/${home}`, ALLOWED, clean],
      ["PutObject tagged clean in a silo bucket", "s3:PutObject", `${SILO}/${home}`, ALLOWED, clean],
      ["PutObject tagged clean through the access point", "s3:PutObject", `${ACCESS_POINT}/object/tenants/globex/home/u1/x`, ALLOWED, clean],
      ["its tagging through the access point", "s3:PutObjectTagging", `${ACCESS_POINT}/object/tenants/globex/home/u1/x`, ALLOWED, clean],
      ["PutObject without tags", "s3:PutObject", `${POOLED}/${home}`, DENIED],
      ["PutObject tagged pending", "s3:PutObject", `${POOLED}/${home}`, DENIED, { ...clean, "s3:RequestObjectTag/scan-status": "pending" }],
      ["tagging infected", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { ...clean, "s3:RequestObjectTag/scan-status": "infected" }],
      ["PutObject tagged clean plus another tag", "s3:PutObject", `${POOLED}/${home}`, DENIED, { ...clean, "s3:RequestObjectTagKeys": ["scan-status", "owner"] }],
      ["tagging clean plus another tag", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { ...clean, "s3:RequestObjectTagKeys": ["scan-status", "owner"] }],
      ["PutObject tagged clean in quarantine/", "s3:PutObject", `${POOLED}/quarantine/x`, DENIED, clean],
      ["PutObject tagged clean at the bucket root", "s3:PutObject", `${POOLED}/x`, DENIED, clean],
      ["PutObject tagged clean in another bucket", "s3:PutObject", `${OTHER_BUCKET}/${home}`, DENIED, clean],
      ["AbortMultipartUpload", "s3:AbortMultipartUpload", `${POOLED}/${home}`, DENIED],
      ["GetObject", "s3:GetObject", `${POOLED}/${home}`, DENIED],
      ["DeleteObject", "s3:DeleteObject", `${POOLED}/${home}`, DENIED],
      ["ListBucket", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "tenants/acme/" }],
    ]);
  });

  it("objects with GuardDuty: presigned GETs only for objects GuardDuty found free of threats", async () => {
    const tag = "s3:ExistingObjectTag/GuardDutyMalwareScanStatus";
    await decide(
      "objects",
      [
        ["GetObject, NO_THREATS_FOUND", "s3:GetObject", `${POOLED}/${home}`, ALLOWED, { [tag]: "NO_THREATS_FOUND" }],
        ["GetObject, THREATS_FOUND", "s3:GetObject", `${POOLED}/${home}`, DENIED, { [tag]: "THREATS_FOUND" }],
        ["GetObject, UNSUPPORTED", "s3:GetObject", `${POOLED}/${home}`, DENIED, { [tag]: "UNSUPPORTED" }],
        ["GetObject, not scanned yet", "s3:GetObject", `${POOLED}/${home}`, DENIED],
        ["GetObject, ClamAV's clean tag", "s3:GetObject", `${POOLED}/${home}`, DENIED, { "s3:ExistingObjectTag/scan-status": "clean" }],
      ],
      GUARDDUTY_VOCABULARY,
    );
  });

  it("proxy with GuardDuty: writes untagged objects under tenants/ and can set no tag (S3 authorises x-amz-tagging as PutObjectTagging)", async () => {
    await decide(
      "proxy",
      [
        ["PutObject without tags", "s3:PutObject", `${POOLED}/${home}`, ALLOWED],
        ["PutObject through the access point", "s3:PutObject", `${ACCESS_POINT}/object/${home}`, ALLOWED],
        ["PutObject outside tenants/", "s3:PutObject", `${POOLED}/quarantine/x`, DENIED],
        ["tagging GuardDuty's clean verdict", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { "s3:RequestObjectTag/GuardDutyMalwareScanStatus": "NO_THREATS_FOUND", "s3:RequestObjectTagKeys": "GuardDutyMalwareScanStatus" }],
        ["tagging anything", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { "s3:RequestObjectTagKeys": "owner" }],
        ["GetObject", "s3:GetObject", `${POOLED}/${home}`, DENIED],
      ],
      GUARDDUTY_VOCABULARY,
    );
  });

  it("scan: reads and tags under tenants/, copies into quarantine/ and tags the copy, never overwrites a user's object", async () => {
    const quarantined = `${POOLED}/quarantine/${home}`;
    await decide("scan", [
      // HeadObject and GetObject (the bytes to scan) are both authorised as GetObject.
      ["GetObject of a pending upload", "s3:GetObject", `${POOLED}/${home}`, ALLOWED, { "s3:ExistingObjectTag/scan-status": "pending" }],
      ["GetObject of an untagged upload", "s3:GetObject", `${SILO}/${home}`, ALLOWED],
      ["GetObjectTagging", "s3:GetObjectTagging", `${POOLED}/${home}`, ALLOWED],
      ["PutObjectTagging (clean, or infected first)", "s3:PutObjectTagging", `${POOLED}/${home}`, ALLOWED],
      // CopyObject: GetObject (and GetObjectTagging) on the source above, PutObject (and PutObjectTagging) on the copy.
      ["CopyObject's write into quarantine/", "s3:PutObject", quarantined, ALLOWED],
      ["tagging the quarantined copy", "s3:PutObjectTagging", quarantined, ALLOWED],
      ["DeleteObject of an infected upload", "s3:DeleteObject", `${POOLED}/${home}`, ALLOWED],
      ["PutObject under tenants/", "s3:PutObject", `${POOLED}/${home}`, DENIED],
      ["DeleteObject in quarantine/", "s3:DeleteObject", quarantined, DENIED],
      ["GetObject in quarantine/", "s3:GetObject", quarantined, DENIED],
      ["GetObjectTagging in quarantine/", "s3:GetObjectTagging", quarantined, DENIED],
      ["PutObject at the bucket root", "s3:PutObject", `${POOLED}/x`, DENIED],
      ["PutObjectTagging in another bucket", "s3:PutObjectTagging", `${OTHER_BUCKET}/${home}`, DENIED],
      ["GetObject through the access point", "s3:GetObject", `${ACCESS_POINT}/object/tenants/globex/home/u1/x`, DENIED],
      ["ListBucket", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "tenants/" }],
      ["the CloudFront key", "secretsmanager:GetSecretValue", SECRET, DENIED],
    ]);
  });

  for (const fn of FUNCTION_NAMES) {
    it(`${fn}: writes to its own log group and no other`, async () => {
      const other = fn === "scan" ? "uploads" : "scan";
      const stream = (owner: string) => `${logGroup(owner)}:log-stream:2026/11/24/[$LATEST]0123abcd`;
      await decide(fn, [
        ["CreateLogStream in its group", "logs:CreateLogStream", stream(fn), ALLOWED],
        ["PutLogEvents in its stream", "logs:PutLogEvents", stream(fn), ALLOWED],
        ["CreateLogStream in another function's group", "logs:CreateLogStream", stream(other), DENIED],
        ["PutLogEvents in another function's stream", "logs:PutLogEvents", stream(other), DENIED],
        ["CreateLogGroup", "logs:CreateLogGroup", logGroup(fn), DENIED],
        ["DeleteLogGroup of its own group", "logs:DeleteLogGroup", logGroup(fn), DENIED],
      ]);
    });
  }

  it("never grants a wildcard action or an S3 wildcard resource", () => {
    for (const fn of FUNCTION_NAMES) {
      for (const statement of functionPolicy(fn, input(fn)).Statement as PolicyStatement[]) {
        for (const action of ([] as string[]).concat(statement.Action)) {
          assert.ok(!action.includes("*"), `${fn}/${statement.Sid}: action ${action}`);
        }
        assert.ok(statement.Resource !== undefined && statement.NotResource === undefined, `${fn}/${statement.Sid} names its resources`);
        for (const resource of ([] as string[]).concat(statement.Resource)) {
          assert.notEqual(resource, "*", `${fn}/${statement.Sid}`);
          if (resource.includes(":s3:")) {
            // Containers, `tenants/*` or `quarantine/*`, or the uploads function's reservation markers.
            assert.match(resource, /^arn:aws:s3:[^*]*(\/(object\/)?((tenants|quarantine)\/\*|tenants\/\*\/home\/\*\/\.mobile-s3\/reservations\/\*))?$/, `${fn}/${statement.Sid}: ${resource}`);
          }
        }
      }
    }
  });

  it("covers this stack's access points with one name pattern, and no other stack's", async () => {
    const pattern = `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/photos-dev-*`;
    const policy = functionPolicy("uploads", { ...input("uploads"), accessPointArns: [pattern] });
    const put = (ap: string) =>
      decideAll({ identityPolicies: [policy] }, [
        {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/uploads/uploads`,
          action: "s3:PutObject",
          resource: `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/${ap}/object/tenants/globex/home/u1/a.jpg`,
          context: tls,
        },
      ]);
    assert.deepEqual(await put("photos-dev-globex"), ["Allowed"]);
    assert.deepEqual(await put("photos-prod-globex"), ["ImplicitlyDenied"]);
    assert.deepEqual(await put("other-app-globex"), ["ImplicitlyDenied"]);
    assert.throws(() => functionPolicy("uploads", { ...input("uploads"), accessPointArns: [`arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/ph*`] }), /\[accessPointArns\]/);
  });

  const refused: [string, FunctionName, Partial<FunctionPolicyInput>, RegExp][] = [
    ["a wildcard bucket", "uploads", { bucketArns: ["arn:aws:s3:::*"] }, /\[bucketArns\] must hold S3 bucket ARNs without wildcards/],
    ["a bare *", "objects", { bucketArns: ["*"] }, /\[bucketArns\]/],
    ["an object ARN as a bucket", "objects", { bucketArns: [`${POOLED}/tenants/*`] }, /\[bucketArns\]/],
    ["no bucket at all", "proxy", { bucketArns: [] }, /\[bucketArns\] must name at least one bucket/],
    ["an access point wildcard", "uploads", { accessPointArns: [`arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/*`] }, /\[accessPointArns\]/],
    ["a log-group wildcard", "scan", { logGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*` }, /\[logGroupArn\]/],
    ["cdn-session without its secret", "cdn-session", { cdnPrivateKeySecretArn: undefined }, /\[cdnPrivateKeySecretArn\] is required/],
    ["a secret wildcard", "cdn-session", { cdnPrivateKeySecretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:*` }, /\[cdnPrivateKeySecretArn\]/],
  ];
  for (const [label, fn, change, message] of refused) {
    it(`refuses ${label}`, () => {
      assert.throws(() => functionPolicy(fn, { ...input(fn), ...change }), message);
    });
  }
});

describe("infra/api/function-policies lambdaTrustPolicy (IAM simulator)", () => {
  const role = `arn:aws:iam::${ACCOUNT}:role/mobile-s3-dev-api-uploads-abc1234`;
  const assume = (principal: string, sourceAccount?: string): IamRequest => ({
    principal,
    action: "sts:AssumeRole",
    resource: role,
    context: sourceAccount ? { "aws:SourceAccount": sourceAccount } : {},
  });

  it("lets Lambda assume the role on behalf of this account only", async () => {
    const decisions = await decideAll({ resourcePolicy: lambdaTrustPolicy(ACCOUNT) }, [
      assume("lambda.amazonaws.com", ACCOUNT),
      assume("lambda.amazonaws.com", "210987654321"),
      assume("lambda.amazonaws.com"),
      assume("edgelambda.amazonaws.com", ACCOUNT),
      assume(`arn:aws:iam::${ACCOUNT}:role/admin`, ACCOUNT),
    ]);
    assert.deepEqual(decisions, ["Allowed", DENIED, DENIED, DENIED, DENIED]);
  });

  it("has no Resource element (IAM rejects one in a trust policy) and refuses a malformed account", () => {
    assert.ok(lambdaTrustPolicy(ACCOUNT).Statement.every((s) => !("Resource" in s)));
    assert.throws(() => lambdaTrustPolicy("*"), /\[accountId\] must be a 12-digit AWS account id/);
  });
});
