import { type PolicyDocument, type PolicyStatement, policyDocument } from "../iam/policy-document";

/**
 * Actions that let the account manage the key without being able to read data with it. The account
 * root must keep `kms:PutKeyPolicy`, or KMS refuses the policy (lockout safety check).
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
];

export const KEY_USE_ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey"];

export interface BucketKeyPolicyInput {
  partition: string;
  accountId: string;
  region: string;
  /** Roles that read or write the bucket; they may use the key only through S3 in this region. */
  keyUserArns: string[];
  /** CloudFront distributions whose Origin Access Control reads the bucket. */
  cloudFrontDistributionArns: string[];
  /** Further grants, e.g. to a service principal under an `aws:SourceArn` condition (CloudTrail). */
  grants?: PolicyStatement[];
}

/**
 * Key policy for a bucket's customer managed key (DESIGN invariant 6): the account administers the
 * key, and only the named roles (through S3) and the named distributions may decrypt with it. The
 * usual "root may do kms:*" statement is deliberately absent, so an IAM policy alone never grants
 * decryption.
 */
export function bucketKeyPolicy(input: BucketKeyPolicyInput): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "AccountAdministersKey",
      Effect: "Allow",
      Principal: { AWS: `arn:${input.partition}:iam::${input.accountId}:root` },
      Action: KEY_ADMIN_ACTIONS,
      Resource: "*",
    },
  ];
  if (input.keyUserArns.length > 0) {
    statements.push({
      Sid: "RolesUseKeyThroughS3",
      Effect: "Allow",
      Principal: { AWS: [...input.keyUserArns].sort() },
      Action: KEY_USE_ACTIONS,
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:ViaService": `s3.${input.region}.amazonaws.com`,
          "kms:CallerAccount": input.accountId,
        },
      },
    });
  }
  if (input.cloudFrontDistributionArns.length > 0) {
    statements.push({
      Sid: "CloudFrontOacDecrypts",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "AWS:SourceArn": [...input.cloudFrontDistributionArns].sort() } },
    });
  }
  return policyDocument([...statements, ...(input.grants ?? [])]);
}
