import * as assert from "node:assert/strict";
import { bucketPolicy } from "../../../infra/storage/bucket-policy";
import { type Decision, decideAll, type IamRequest, simulate } from "../../harness/iam";

const BUCKET = "arn:aws:s3:::mobile-s3-dev-storage-abc1234";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1111aaaa-2222-4333-8444-555566667777";
const OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/9999aaaa-2222-4333-8444-555566667777";
const ROLE = "arn:aws:sts::123456789012:assumed-role/app-user/session";

/** The caller may read, write and list the whole bucket: the bucket policy alone must stop the bad requests. */
const generousIdentityPolicy = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], Resource: [BUCKET, `${BUCKET}/*`] }],
};

const tls = { "aws:SecureTransport": "true", "s3:TlsVersion": "1.3" };

describe("infra/storage/bucket-policy (IAM simulator)", () => {
  const policies = { identityPolicies: [generousIdentityPolicy], resourcePolicy: bucketPolicy({ bucketArn: BUCKET, kmsKeyArn: KEY }) };

  const table: [string, IamRequest, Decision][] = [
    ["GetObject over TLS 1.3", { principal: ROLE, action: "s3:GetObject", resource: `${BUCKET}/a.jpg`, context: tls }, "Allowed"],
    [
      "GetObject over plain HTTP",
      { principal: ROLE, action: "s3:GetObject", resource: `${BUCKET}/a.jpg`, context: { "aws:SecureTransport": "false" } },
      "ExplicitlyDenied",
    ],
    [
      "ListBucket over plain HTTP",
      { principal: ROLE, action: "s3:ListBucket", resource: BUCKET, context: { "aws:SecureTransport": "false" } },
      "ExplicitlyDenied",
    ],
    [
      "GetObject over TLS 1.1",
      { principal: ROLE, action: "s3:GetObject", resource: `${BUCKET}/a.jpg`, context: { ...tls, "s3:TlsVersion": "1.1" } },
      "ExplicitlyDenied",
    ],
    ["PutObject naming no encryption (default SSE-KMS applies)", { principal: ROLE, action: "s3:PutObject", resource: `${BUCKET}/a.jpg`, context: tls }, "Allowed"],
    [
      "PutObject with this bucket's key",
      {
        principal: ROLE,
        action: "s3:PutObject",
        resource: `${BUCKET}/a.jpg`,
        context: { ...tls, "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY },
      },
      "Allowed",
    ],
    [
      "PutObject with SSE-S3 instead of KMS",
      { principal: ROLE, action: "s3:PutObject", resource: `${BUCKET}/a.jpg`, context: { ...tls, "s3:x-amz-server-side-encryption": "AES256" } },
      "ExplicitlyDenied",
    ],
    [
      "PutObject with another KMS key",
      {
        principal: ROLE,
        action: "s3:PutObject",
        resource: `${BUCKET}/a.jpg`,
        context: { ...tls, "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": OTHER_KEY },
      },
      "ExplicitlyDenied",
    ],
  ];

  it("allows what the caller's identity grants only over TLS 1.2+ and with the bucket's key", async () => {
    const decisions = await decideAll(policies, table.map(([, request]) => request));
    assert.deepEqual(
      table.map(([label], i) => `${label}: ${decisions[i]}`),
      table.map(([label, , expected]) => `${label}: ${expected}`),
    );
  });

  describe("which encryption a write may ask for", () => {
    const KEY_ID = KEY.split("/")[1];
    type Headers = Record<string, string>;
    const sse = (algorithm: string, keyId?: string): Headers => ({
      "s3:x-amz-server-side-encryption": algorithm,
      ...(keyId === undefined ? {} : { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyId }),
    });
    // "Setting default server-side encryption behavior for Amazon S3 buckets": a write naming no
    // encryption gets the bucket's default, SSE-KMS with this key. "Specifying server-side encryption
    // with AWS KMS (SSE-KMS)" and the PutObject API Reference: aws:kms (or aws:kms:dsse) without a
    // key id encrypts under the AWS managed key aws/s3, whose key policy only AWS writes ("Change a key
    // policy"), so this bucket's key policy would no longer decide who can read the object.
    const cases: [string, Headers, Decision][] = [
      ["naming no encryption (the bucket's default applies)", {}, "Allowed"],
      ["with aws:kms and this bucket's key ARN", sse("aws:kms", KEY), "Allowed"],
      ["with aws:kms and no key id (the AWS managed key aws/s3)", sse("aws:kms"), "ExplicitlyDenied"],
      ["with aws:kms and another key's ARN", sse("aws:kms", OTHER_KEY), "ExplicitlyDenied"],
      // "Protecting data using server-side encryption with AWS KMS (SSE-KMS)": the policy names the key by
      // its ARN; a bare key id or an alias (resolved in the requester's account) is refused, failing closed.
      ["with aws:kms and this key's bare key id", sse("aws:kms", KEY_ID), "ExplicitlyDenied"],
      ["with aws:kms and an alias", sse("aws:kms", "alias/aws/s3"), "ExplicitlyDenied"],
      ["with SSE-S3 (AES256)", sse("AES256"), "ExplicitlyDenied"],
      ["with DSSE-KMS and no key id (aws/s3)", sse("aws:kms:dsse"), "ExplicitlyDenied"],
      ["with DSSE-KMS and this bucket's key ARN", sse("aws:kms:dsse", KEY), "ExplicitlyDenied"],
    ];
    // "Multipart upload API and permissions": CreateMultipartUpload is authorised as s3:PutObject, and
    // ("CreateMultipartUpload", API Reference) its SSE headers, or the bucket's default when it names
    // none, decide how the parts are encrypted: the same request to the same guards.
    for (const operation of ["PutObject", "CreateMultipartUpload"]) {
      for (const [label, headers, expected] of cases) {
        it(`${operation} ${label}: ${expected}`, async () => {
          const outcome = await simulate(policies, { principal: ROLE, action: "s3:PutObject", resource: `${BUCKET}/a.jpg`, context: { ...tls, ...headers } });
          assert.deepEqual(outcome.ignoredContextKeys, [], "the simulator judged every SSE key applicable to s3:PutObject");
          assert.equal(outcome.decision, expected);
        });
      }
    }
  });

  it("grants nothing by itself: a caller without an identity policy is implicitly denied", async () => {
    const [decision] = await decideAll({ resourcePolicy: policies.resourcePolicy }, [table[0][1]]);
    assert.equal(decision, "ImplicitlyDenied");
  });

  it("rejects a Resource that is not a bucket ARN (such as a CloudFront ARN, a common mistake)", () => {
    assert.throws(
      () => bucketPolicy({ bucketArn: "arn:aws:cloudfront::123456789012:distribution/E123ABC456", kmsKeyArn: KEY }),
      /\[bucketArn\] must be an S3 bucket ARN/,
    );
  });

  it("refuses two statements with the same Sid", () => {
    const grant = { Sid: "DenyInsecureTransport", Effect: "Allow" as const, Action: "s3:GetObject", Resource: `${BUCKET}/*` };
    assert.throws(() => bucketPolicy({ bucketArn: BUCKET, kmsKeyArn: KEY, grants: [grant] }), /duplicate statement Sid/);
  });
});
