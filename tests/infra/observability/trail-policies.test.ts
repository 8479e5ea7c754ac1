import * as assert from "node:assert/strict";
import { bucketKeyPolicy } from "../../../infra/kms/key-policy";
import { trailBucketPolicyGrants, trailKeyPolicyGrants, trailLogPrefix } from "../../../infra/observability/trail-policies";
import { bucketPolicy } from "../../../infra/storage/bucket-policy";
import { type Decision, type IamRequest, simulate } from "../../harness/iam";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const LOG_BUCKET = "arn:aws:s3:::mobile-s3-dev-audit-logs-abc1234";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1111aaaa-2222-4333-8444-555566667777`;
const OTHER_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/9999aaaa-2222-4333-8444-555566667777`;
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/mobile-s3-dev-audit`;
const OTHER_TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/someone-elses-trail`;
const FOREIGN_TRAIL = `arn:aws:cloudtrail:us-east-1:${OTHER_ACCOUNT}:trail/mobile-s3-dev-audit`;
const CLOUDTRAIL = "cloudtrail.amazonaws.com";
const LOG_FILE = `${LOG_BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2025/01/31/${ACCOUNT}_CloudTrail_us-east-1_20250131T0000Z_abc.json.gz`;
const DIGEST_FILE = `${LOG_BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-east-1/2025/01/31/${ACCOUNT}_CloudTrail-Digest_us-east-1_x.json.gz`;

/** What CloudTrail's delivery of one log file carries, as AWS evaluates it. */
const delivery = {
  "aws:SecureTransport": "true",
  "s3:TlsVersion": "1.2",
  "aws:SourceArn": TRAIL,
  "aws:SourceAccount": ACCOUNT,
  "s3:x-amz-acl": "bucket-owner-full-control",
  "s3:x-amz-server-side-encryption": "aws:kms",
  "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY,
};
const fromTrail = { "aws:SourceArn": TRAIL, "aws:SourceAccount": ACCOUNT };

const ENCRYPTION_CONTEXT = "kms:EncryptionContext:";
const CONTEXT_ALIAS = "aws:RequestTag/";

/**
 * The simulator accepts variable context keys only in the `<prefix>/<name>` form (`aws:PrincipalTag/…`)
 * and drops `kms:EncryptionContext:<name>` as "not applicable", although KMS evaluates it. So the test
 * renames that key, in the policy and in the request alike, to a `aws:RequestTag/<name>` key the
 * simulator does evaluate, with the same operator and value: the condition is still decided by the
 * simulator, only under another name. Every test below also checks that no context key was dropped.
 */
function aliasEncryptionContext<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).split(ENCRYPTION_CONTEXT).join(CONTEXT_ALIAS)) as T;
}

async function decide(resourcePolicy: unknown, request: IamRequest): Promise<Decision> {
  const outcome = await simulate({ resourcePolicy: aliasEncryptionContext(resourcePolicy) }, aliasEncryptionContext(request));
  assert.deepEqual(outcome.ignoredContextKeys, [], `the simulator judged every context key of ${request.action} applicable`);
  return outcome.decision;
}

describe("infra/observability/trail-policies: bucket policy grants (IAM simulator)", () => {
  const policy = bucketPolicy({
    bucketArn: LOG_BUCKET,
    kmsKeyArn: KEY,
    grants: trailBucketPolicyGrants({ accountId: ACCOUNT, bucketArn: LOG_BUCKET, trailArn: TRAIL }),
  });
  const put = (resource: string, context: Record<string, string>): IamRequest => ({ principal: CLOUDTRAIL, action: "s3:PutObject", resource, context });

  const table: [string, IamRequest, Decision][] = [
    ["this trail delivers a log file under AWSLogs/<account>/", put(LOG_FILE, delivery), "Allowed"],
    ["this trail delivers a digest file under AWSLogs/<account>/", put(DIGEST_FILE, delivery), "Allowed"],
    ["another trail of the same account delivers", put(LOG_FILE, { ...delivery, "aws:SourceArn": OTHER_TRAIL }), "ImplicitlyDenied"],
    [
      "a trail of another account with the same name delivers",
      put(LOG_FILE, { ...delivery, "aws:SourceArn": FOREIGN_TRAIL, "aws:SourceAccount": OTHER_ACCOUNT }),
      "ImplicitlyDenied",
    ],
    ["this trail writes outside AWSLogs/", put(`${LOG_BUCKET}/elsewhere/x.json.gz`, delivery), "ImplicitlyDenied"],
    ["this trail writes under another account's AWSLogs/", put(`${LOG_BUCKET}/AWSLogs/${OTHER_ACCOUNT}/CloudTrail/x.json.gz`, delivery), "ImplicitlyDenied"],
    ["this trail writes at the bucket root", put(`${LOG_BUCKET}/x.json.gz`, delivery), "ImplicitlyDenied"],
    ["this trail delivers over plain HTTP", put(LOG_FILE, { ...delivery, "aws:SecureTransport": "false" }), "ExplicitlyDenied"],
    ["this trail delivers over TLS 1.1", put(LOG_FILE, { ...delivery, "s3:TlsVersion": "1.1" }), "ExplicitlyDenied"],
    [
      "this trail delivers encrypted with another key",
      put(LOG_FILE, { ...delivery, "s3:x-amz-server-side-encryption-aws-kms-key-id": OTHER_KEY }),
      "ExplicitlyDenied",
    ],
    ["this trail delivers encrypted with SSE-S3", put(LOG_FILE, { ...delivery, "s3:x-amz-server-side-encryption": "AES256" }), "ExplicitlyDenied"],
    [
      "this trail delivers without the documented bucket-owner-full-control ACL",
      put(LOG_FILE, { ...delivery, "s3:x-amz-acl": "private" }),
      "ImplicitlyDenied",
    ],
    [
      "this trail checks the bucket ACL",
      { principal: CLOUDTRAIL, action: "s3:GetBucketAcl", resource: LOG_BUCKET, context: { ...fromTrail, "aws:SecureTransport": "true", "s3:TlsVersion": "1.2" } },
      "Allowed",
    ],
    [
      "another trail checks the bucket ACL",
      {
        principal: CLOUDTRAIL,
        action: "s3:GetBucketAcl",
        resource: LOG_BUCKET,
        context: { ...fromTrail, "aws:SourceArn": OTHER_TRAIL, "aws:SecureTransport": "true", "s3:TlsVersion": "1.2" },
      },
      "ImplicitlyDenied",
    ],
    [
      "this trail reads a log file back",
      { principal: CLOUDTRAIL, action: "s3:GetObject", resource: LOG_FILE, context: { ...fromTrail, "aws:SecureTransport": "true", "s3:TlsVersion": "1.2" } },
      "ImplicitlyDenied",
    ],
    ["another service with this trail's source ARN delivers", { ...put(LOG_FILE, delivery), principal: "config.amazonaws.com" }, "ImplicitlyDenied"],
  ];

  for (const [label, request, expected] of table) {
    it(`${label}: ${expected}`, async () => {
      assert.equal(await decide(policy, request), expected);
    });
  }

  it("puts CloudTrail's grants after the bucket's guards, unchanged", () => {
    assert.deepEqual(
      policy.Statement.map((s) => s.Sid),
      ["DenyInsecureTransport", "DenyOutdatedTls", "DenyUploadsWithOtherEncryption", "DenyUploadsWithOtherKmsKey", "DenyKmsUploadsWithoutKeyId", "CloudTrailChecksBucketAcl", "CloudTrailWritesLogs"],
    );
    assert.equal(trailLogPrefix(ACCOUNT), `AWSLogs/${ACCOUNT}/`);
  });

  const refused: [string, Parameters<typeof trailBucketPolicyGrants>[0], RegExp][] = [
    ["an object ARN as the bucket", { accountId: ACCOUNT, bucketArn: `${LOG_BUCKET}/x`, trailArn: TRAIL }, /\[bucketArn\] must be an S3 bucket ARN/],
    ["a wildcard trail", { accountId: ACCOUNT, bucketArn: LOG_BUCKET, trailArn: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/*` }, /\[trailArn\]/],
    ["a trail of another account", { accountId: ACCOUNT, bucketArn: LOG_BUCKET, trailArn: FOREIGN_TRAIL }, /\[trailArn\] must be the ARN of one trail in account/],
    ["an account id that is not 12 digits", { accountId: "1234", bucketArn: LOG_BUCKET, trailArn: TRAIL }, /\[accountId\]/],
  ];
  for (const [label, input, message] of refused) {
    it(`refuses ${label}`, () => {
      assert.throws(() => trailBucketPolicyGrants(input), message);
    });
  }
});

describe("infra/observability/trail-policies: key policy grants (IAM simulator)", () => {
  const policy = bucketKeyPolicy({
    partition: "aws",
    accountId: ACCOUNT,
    region: "us-east-1",
    keyUserArns: [],
    cloudFrontDistributionArns: [],
    grants: trailKeyPolicyGrants({ partition: "aws", accountId: ACCOUNT, trailArn: TRAIL }),
  });
  const kms = (action: string, context: Record<string, string>, principal = CLOUDTRAIL): IamRequest => ({ principal, action, resource: KEY, context });
  const trailContext = { [`${ENCRYPTION_CONTEXT}aws:cloudtrail:arn`]: TRAIL };

  const table: [string, IamRequest, Decision][] = [
    ["this trail generates a data key for its logs", kms("kms:GenerateDataKey", { ...fromTrail, ...trailContext }), "Allowed"],
    ["another trail generates a data key", kms("kms:GenerateDataKey", { ...fromTrail, "aws:SourceArn": OTHER_TRAIL, ...trailContext }), "ImplicitlyDenied"],
    [
      "this trail generates a data key under another account's trail context",
      kms("kms:GenerateDataKey", { ...fromTrail, [`${ENCRYPTION_CONTEXT}aws:cloudtrail:arn`]: FOREIGN_TRAIL }),
      "ImplicitlyDenied",
    ],
    ["this trail generates a data key with no CloudTrail context", kms("kms:GenerateDataKey", fromTrail), "ImplicitlyDenied"],
    ["this trail describes the key", kms("kms:DescribeKey", fromTrail), "Allowed"],
    ["another trail describes the key", kms("kms:DescribeKey", { ...fromTrail, "aws:SourceArn": OTHER_TRAIL }), "ImplicitlyDenied"],
    ["this trail decrypts the S3 bucket key", kms("kms:Decrypt", fromTrail), "Allowed"],
    ["another trail decrypts", kms("kms:Decrypt", { ...fromTrail, "aws:SourceArn": OTHER_TRAIL }), "ImplicitlyDenied"],
    ["this trail re-encrypts", kms("kms:ReEncryptFrom", { ...fromTrail, ...trailContext }), "ImplicitlyDenied"],
    ["another service with this trail's source ARN", kms("kms:GenerateDataKey", { ...fromTrail, ...trailContext }, "s3.amazonaws.com"), "ImplicitlyDenied"],
  ];

  for (const [label, request, expected] of table) {
    it(`${label}: ${expected}`, async () => {
      assert.equal(await decide(policy, request), expected);
    });
  }

  it("keeps the key's own statements and adds CloudTrail's after them", () => {
    assert.deepEqual(
      policy.Statement.map((s) => s.Sid),
      ["AccountAdministersKey", "AccountGrantsForAwsResources", "CloudTrailEncryptsLogs", "CloudTrailUsesBucketKey", "CloudTrailDescribesKey"],
    );
  });

  it("scopes the encryption context to this account's trails in the given partition", () => {
    const [encrypt] = trailKeyPolicyGrants({ partition: "aws-us-gov", accountId: ACCOUNT, trailArn: `arn:aws-us-gov:cloudtrail:us-gov-west-1:${ACCOUNT}:trail/t` });
    assert.deepEqual(encrypt.Condition?.StringLike, { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws-us-gov:cloudtrail:*:${ACCOUNT}:trail/*` });
  });
});
