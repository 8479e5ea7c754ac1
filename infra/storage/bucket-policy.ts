import { type PolicyDocument, type PolicyStatement, policyDocument } from "../iam/policy-document";

/** Lowest TLS version any client may use against the bucket. */
export const MIN_TLS_VERSION = "1.2";

export interface BucketPolicyInput {
  /** `arn:aws:s3:::<bucket>` */
  bucketArn: string;
  /** ARN of the only KMS key objects may be uploaded with. */
  kmsKeyArn: string;
  /** Statements that grant access (CloudFront OAC reads, access-point delegation…), added after the guards. */
  grants?: PolicyStatement[];
}

/**
 * The guard rails every bucket of this product carries (DESIGN invariants 3 and 6): no plain HTTP,
 * no TLS older than 1.2, no upload that asks for another encryption than this bucket's KMS key.
 * These are Deny statements with `Principal: "*"` restricted by a condition, so no grant anywhere
 * (identity policy, access point, presigned URL) can bypass them.
 */
export function guardStatements(bucketArn: string, kmsKeyArn: string): PolicyStatement[] {
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
    {
      // Default encryption covers uploads that name no encryption; this stops the ones that name another.
      Sid: "DenyUploadsWithOtherEncryption",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: `${bucketArn}/*`,
      // Deny only when the header is present and different: an absent header takes the bucket default.
      // (`StringNotEqualsIfExists` would be wrong here: for a Deny it matches when the key is absent.)
      Condition: {
        Null: { "s3:x-amz-server-side-encryption": "false" },
        StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
      },
    },
    {
      Sid: "DenyUploadsWithOtherKmsKey",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: `${bucketArn}/*`,
      Condition: {
        Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
        StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": kmsKeyArn },
      },
    },
  ];
}

/** The full bucket policy: guards first, then whatever grants the caller adds. */
export function bucketPolicy(input: BucketPolicyInput): PolicyDocument {
  if (!input.bucketArn.startsWith("arn:") || !input.bucketArn.includes(":s3:::")) {
    throw new Error(`[bucketArn] must be an S3 bucket ARN (arn:<partition>:s3:::<name>), got "${input.bucketArn}"`);
  }
  return policyDocument([...guardStatements(input.bucketArn, input.kmsKeyArn), ...(input.grants ?? [])]);
}
