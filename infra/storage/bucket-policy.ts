import { type PolicyDocument, type PolicyStatement, policyDocument } from "../iam/policy-document";

/** Lowest TLS version any client may use against the bucket. */
export const MIN_TLS_VERSION = "1.2";

/** Encryption with S3 managed keys (AES256): for server-access-log targets only. */
export const SSE_S3 = "SSE-S3";

export interface BucketPolicyInput {
  /** `arn:aws:s3:::<bucket>` */
  bucketArn: string;
  /**
   * ARN of the only KMS key objects may be uploaded with; `"SSE-S3"` only for a bucket receiving
   * server access logs, whose delivery supports SSE-S3 alone ("Enabling Amazon S3 server access logging").
   */
  kmsKeyArn: string | typeof SSE_S3;
  /** Statements that grant access (CloudFront OAC reads, access-point delegation…), added after the guards. */
  grants?: PolicyStatement[];
}

/**
 * The guard rails every bucket of this product carries: no plain HTTP, no TLS older than 1.2, no
 * write that asks for another encryption than SSE-KMS with this bucket's key. These are Deny
 * statements with `Principal: "*"` restricted by a condition, so no grant anywhere (identity policy,
 * access point, presigned URL) can bypass them. The upload guards act on s3:PutObject, which also
 * authorises CreateMultipartUpload ("Multipart upload API and permissions") and the write of a
 * CopyObject ("CopyObject", API Reference), so every way of creating an object meets them.
 */
export function guardStatements(bucketArn: string, kmsKeyArn: string | typeof SSE_S3): PolicyStatement[] {
  return kmsKeyArn === SSE_S3 ? [...transportGuards(bucketArn), ...sseS3Guards(bucketArn)] : [...transportGuards(bucketArn), ...kmsGuards(bucketArn, kmsKeyArn)];
}

function transportGuards(bucketArn: string): PolicyStatement[] {
  const bucketAndObjects = [bucketArn, `${bucketArn}/*`];
  return [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: bucketAndObjects,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    {
      Sid: "DenyOutdatedTls",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: bucketAndObjects,
      Condition: { NumericLessThan: { "s3:TlsVersion": MIN_TLS_VERSION } },
    },
  ];
}

/** A Deny on every write of an object (PutObject, the multipart create, a copy's write) when `condition` holds. */
function denyUploads(bucketArn: string, sid: string, condition: PolicyStatement["Condition"]): PolicyStatement {
  return { Sid: sid, Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: `${bucketArn}/*`, Condition: condition };
}

/**
 * Default encryption covers uploads that name no encryption; this stops the ones that name another.
 * Deny only when the header is present and different: an absent header takes the bucket default.
 * (`StringNotEqualsIfExists` would be wrong here: for a Deny it matches when the key is absent.)
 */
function otherEncryptionDeny(bucketArn: string, algorithm: "aws:kms" | "AES256"): PolicyStatement {
  return denyUploads(bucketArn, "DenyUploadsWithOtherEncryption", {
    Null: { "s3:x-amz-server-side-encryption": "false" },
    StringNotEquals: { "s3:x-amz-server-side-encryption": algorithm },
  });
}

/** A server-access-log target: writes that name any encryption other than SSE-S3, or a KMS key, are refused. */
function sseS3Guards(bucketArn: string): PolicyStatement[] {
  return [
    otherEncryptionDeny(bucketArn, "AES256"),
    denyUploads(bucketArn, "DenyUploadsNamingAKmsKey", { Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" } }),
  ];
}

function kmsGuards(bucketArn: string, kmsKeyArn: string): PolicyStatement[] {
  return [
    otherEncryptionDeny(bucketArn, "aws:kms"),
    // The policy names the key by its ARN, the form "Protecting data using server-side encryption
    // with AWS KMS (SSE-KMS)" requires. A request naming this key by its bare key id or by an alias
    // (which KMS resolves in the requester's account, "Setting default server-side encryption
    // behavior for Amazon S3 buckets") does not equal it and is refused: failing closed, never open.
    denyUploads(bucketArn, "DenyUploadsWithOtherKmsKey", {
      Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
      StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": kmsKeyArn },
    }),
    // `aws:kms` without a key id encrypts under the AWS managed key aws/s3 ("Specifying server-side
    // encryption with AWS KMS (SSE-KMS)"), whose key policy only AWS writes ("Change a key policy"):
    // this bucket's key policy, which alone decides who decrypts and lets CloudFront's OAC do so,
    // would not apply. An upload naming no encryption at all gets the bucket's default, this key.
    // (`aws:kms:dsse`, with a key id or without, is refused by DenyUploadsWithOtherEncryption.)
    denyUploads(bucketArn, "DenyKmsUploadsWithoutKeyId", {
      StringEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
      Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "true" },
    }),
  ];
}

/** The full bucket policy: guards first, then whatever grants the caller adds. */
export function bucketPolicy(input: BucketPolicyInput): PolicyDocument {
  if (!input.bucketArn.startsWith("arn:") || !input.bucketArn.includes(":s3:::")) {
    throw new Error(`[bucketArn] must be an S3 bucket ARN (arn:<partition>:s3:::<name>), got "${input.bucketArn}"`);
  }
  return policyDocument([...guardStatements(input.bucketArn, input.kmsKeyArn), ...(input.grants ?? [])]);
}
