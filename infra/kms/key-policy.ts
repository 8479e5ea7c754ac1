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

/** Where a key lives and who uses it, as every key policy of this library needs it. */
interface KeyPolicyScope {
  partition: string;
  accountId: string;
  region: string;
  keyUserArns: string[];
}

/** The account administers the key and lets integrated AWS services create grants on it; nothing more. */
function accountAdministration(input: KeyPolicyScope): PolicyStatement[] {
  const account = `arn:${input.partition}:iam::${input.accountId}:root`;
  return [
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
}

/** The named roles use the key only when `service` (in this region, for this account) calls KMS for them. */
function rolesUseKeyThrough(label: string, service: string, input: KeyPolicyScope): PolicyStatement {
  return {
    Sid: `RolesUseKeyThrough${label}`,
    Effect: "Allow",
    Principal: { AWS: [...input.keyUserArns].sort() },
    Action: KEY_USE_ACTIONS,
    Resource: "*",
    Condition: {
      StringEquals: {
        "kms:ViaService": `${service}.${input.region}.amazonaws.com`,
        "kms:CallerAccount": input.accountId,
      },
    },
  };
}

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
  const statements = accountAdministration(input);
  if (input.keyUserArns.length > 0) {
    statements.push(rolesUseKeyThrough("S3", "s3", input));
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

/**
 * What DynamoDB itself reads of a table's key, outside any caller's request: the key policy example
 * of "How Amazon DynamoDB uses AWS KMS" (AWS KMS Developer Guide, "Customer managed CMK key policy")
 * gives `dynamodb.amazonaws.com` `kms:Describe*`, `kms:Get*` and `kms:List*`; these are the actions
 * of those that apply to a symmetric key of KMS's own material, named.
 */
export const DYNAMODB_KEY_READS = [
  "kms:DescribeKey",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
];

export type TableKeyPolicyInput = KeyPolicyScope;

/**
 * Key policy for a DynamoDB table's customer managed key, in the bucket keys' terms: the account
 * administers the key, and only the named roles may use it, through DynamoDB only.
 *
 * DynamoDB uses the key for the principal accessing the table: reading a table makes DynamoDB
 * decrypt its table key as that principal ("Monitoring DynamoDB interaction with AWS KMS": the
 * `Decrypt` event's user is the principal accessing the table), so the roles' statement is what lets
 * them read and write, under `kms:ViaService` = `dynamodb.<region>.amazonaws.com`. Creating the
 * table (the deploying principal) makes DynamoDB describe the key and create its grants on the
 * creator's behalf (grantee DynamoDB itself, constrained to the table's encryption context, "Using
 * grants to authorize DynamoDB"): the account's administration (`kms:DescribeKey`) and its grants
 * for AWS resources (`kms:GrantIsForAWSResource`) already allow both, and DynamoDB generates the
 * table key with those grants, as itself. So no administrator, whatever its IAM policy, reads the
 * index without changing this policy first (PutKeyPolicy, which CloudTrail records).
 */
export function tableKeyPolicy(input: TableKeyPolicyInput): PolicyDocument {
  const statements = accountAdministration(input);
  if (input.keyUserArns.length > 0) {
    statements.push(rolesUseKeyThrough("DynamoDb", "dynamodb", input));
  }
  statements.push({
    Sid: "DynamoDbReadsKeyMetadata",
    Effect: "Allow",
    Principal: { Service: "dynamodb.amazonaws.com" },
    Action: DYNAMODB_KEY_READS,
    Resource: "*",
  });
  return policyDocument(statements);
}
