import { type PolicyDocument, type PolicyStatement, policyDocument } from "../iam/policy-document";

/**
 * What the account may do to administer a symmetric, single-Region key that KMS generated: every
 * action named, no wildcard, so that no action KMS adds later and no grant or cryptographic action
 * comes in with a prefix. The console's key administrators statement ("Default key policy") uses
 * `kms:Create*`, `kms:Put*`, `kms:Update*`… instead; of what those expand to this list leaves out:
 * - `kms:CreateGrant` (in `kms:Create*`): a grant can give its creator Decrypt, so an IAM policy
 *   allowing `kms:*` would be enough to read every object. Grants are created only by AWS services,
 *   under {@link ACCOUNT_GRANTS_FOR_AWS_RESOURCES}.
 * - `kms:CreateKey`, `kms:CreateCustomKeyStore`, `kms:DescribeCustomKeyStores`, `kms:ListAliases`,
 *   `kms:ListKeys`, `kms:ListRetirableGrants`, `kms:UpdateCustomKeyStore`: not authorised on a key,
 *   so meaningless in a key policy.
 * - `kms:GetParametersForImport`, `kms:DeleteImportedKeyMaterial` (imported key material only),
 *   `kms:GetPublicKey` (asymmetric keys only), `kms:UpdatePrimaryRegion` (multi-Region keys only).
 *
 * `kms:ListGrants` and `kms:RevokeGrant` stay: they only reveal or remove access, and an
 * administrator must be able to revoke a grant. The account must keep `kms:PutKeyPolicy`: KMS
 * refuses a key policy that does not let the caller make a later PutKeyPolicy request ("PutKeyPolicy",
 * the lockout safety check), and the account principal is how the deploying role gets it.
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:CreateAlias",
  "kms:UpdateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:UpdateKeyDescription",
  "kms:GetKeyPolicy",
  "kms:ListKeyPolicies",
  "kms:PutKeyPolicy",
  "kms:EnableKey",
  "kms:DisableKey",
  "kms:EnableKeyRotation",
  "kms:DisableKeyRotation",
  "kms:GetKeyRotationStatus",
  "kms:ListKeyRotations",
  "kms:RotateKeyOnDemand",
  "kms:ListResourceTags",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ListGrants",
  "kms:RevokeGrant",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
];

/**
 * The grant operations the account may use only when an AWS service integrated with KMS makes the
 * request on the principal's behalf ("kms:GrantIsForAWSResource"), as in the console's "Allow
 * attachment of persistent resources" statement ("Default key policy"). A principal calling
 * CreateGrant itself, to grant itself Decrypt, is refused.
 */
export const ACCOUNT_GRANTS_FOR_AWS_RESOURCES = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"];

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
 * Key policy for a bucket's customer managed key: the account administers the key, and only the
 * named roles (through S3) and the named distributions may encrypt or decrypt with it. The usual
 * "root may do kms:*" statement is deliberately absent, and so is a grant the account could create
 * for itself, so an IAM policy alone never grants decryption: the key policy would have to change
 * first (PutKeyPolicy, which CloudTrail records).
 */
export function bucketKeyPolicy(input: BucketKeyPolicyInput): PolicyDocument {
  const account = `arn:${input.partition}:iam::${input.accountId}:root`;
  const statements: PolicyStatement[] = [
    {
      Sid: "AccountAdministersKey",
      Effect: "Allow",
      Principal: { AWS: account },
      Action: KEY_ADMIN_ACTIONS,
      Resource: "*",
    },
    {
      Sid: "AccountGrantsForAwsResources",
      Effect: "Allow",
      Principal: { AWS: account },
      Action: ACCOUNT_GRANTS_FOR_AWS_RESOURCES,
      Resource: "*",
      Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
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
