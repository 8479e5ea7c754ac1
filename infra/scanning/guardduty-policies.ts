import { type PolicyDocument, type PolicyStatement, policyDocument } from "../iam/policy-document";

/** The service that assumes a Malware Protection plan's role ("Create or update IAM role policy", GuardDuty User Guide). */
export const MALWARE_PROTECTION_PLAN_SERVICE = "malware-protection-plan.guardduty.amazonaws.com";

/**
 * The EventBridge rule GuardDuty creates and manages for each protected bucket; it listens to the
 * bucket's object events for the plan.
 */
export const GUARDDUTY_MANAGED_RULE_PREFIX = "DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3";

/** The object GuardDuty writes at the bucket's root to check it may write there. */
export const VALIDATION_OBJECT_KEY = "malware-protection-resource-validation-object";

export interface GuardDutyRolePolicyInput {
  partition: string;
  region: string;
  accountId: string;
  /**
   * `arn:<partition>:s3:::<name>` of each protected bucket, or a name pattern covering several of this
   * account's buckets (the stack's dedicated buckets, `<app>-<env>-t-*-<suffix>`), which keeps the
   * policy one size however many tenants have a bucket of their own.
   */
  bucketArns: string[];
  /** The customer managed keys of those buckets. */
  kmsKeyArns: string[];
  /** Only objects under this prefix are scanned and tagged. */
  keyPrefix: string;
}

// A bucket name, or a pattern with one `*` between a prefix and a suffix of at least three characters each.
const BUCKET_ARN = /^arn:aws[a-z-]*:s3:::(?:[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]|[a-z0-9][a-z0-9.-]{2,}\*[a-z0-9.-]{2,}[a-z0-9])$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/;

/** Only the Malware Protection plan service may assume the role. */
export function guardDutyTrustPolicy(): PolicyDocument {
  return policyDocument([
    {
      Sid: "MalwareProtectionPlanAssumesRole",
      Effect: "Allow",
      Principal: { Service: MALWARE_PROTECTION_PLAN_SERVICE },
      Action: "sts:AssumeRole",
    },
  ]);
}

/**
 * The permissions GuardDuty documents for a plan's role ("Create or update IAM role policy"),
 * narrowed to these buckets: manage its own EventBridge rule, turn on the buckets' EventBridge
 * notifications, check ownership, write its validation object, read and tag the objects under the
 * scanned prefix (and their versions), and decrypt them with each bucket's own key, through S3 only.
 * Nothing else: no delete, no other key use, no other prefix.
 */
export function guardDutyRolePolicy(input: GuardDutyRolePolicyInput): PolicyDocument {
  if (input.bucketArns.length === 0) {
    throw new Error("[bucketArns] must name at least one bucket to protect");
  }
  for (const arn of input.bucketArns) {
    if (!BUCKET_ARN.test(arn)) {
      throw new Error(`[bucketArns] must hold S3 bucket ARNs or a <prefix>*<suffix> name pattern, got "${arn}"`);
    }
  }
  if (input.kmsKeyArns.length === 0) {
    throw new Error("[kmsKeyArns] must name the buckets' keys");
  }
  for (const arn of input.kmsKeyArns) {
    if (!KEY_ARN.test(arn)) {
      throw new Error(`[kmsKeyArns] must hold KMS key ARNs (arn:<partition>:kms:<region>:<account>:key/<id>), got "${arn}"`);
    }
  }
  if (!input.keyPrefix.endsWith("/") || /[*?]/.test(input.keyPrefix)) {
    throw new Error(`[keyPrefix] must be a literal key prefix ending with "/", got "${input.keyPrefix}"`);
  }
  const bucketArns = [...new Set(input.bucketArns)].sort();
  const keyArns = [...new Set(input.kmsKeyArns)].sort();
  // A bucket name pattern must never reach a look-alike bucket of another account.
  const inThisAccount = { StringEquals: { "aws:ResourceAccount": input.accountId } };
  const scanned = bucketArns.map((b) => `${b}/${input.keyPrefix}*`);
  const managedRule = `arn:${input.partition}:events:${input.region}:${input.accountId}:rule/${GUARDDUTY_MANAGED_RULE_PREFIX}*`;
  const statements: PolicyStatement[] = [
    {
      Sid: "AllowManagedRuleToSendS3EventsToGuardDuty",
      Effect: "Allow",
      Action: ["events:PutRule", "events:DeleteRule", "events:PutTargets", "events:RemoveTargets"],
      Resource: managedRule,
      Condition: { StringLike: { "events:ManagedBy": MALWARE_PROTECTION_PLAN_SERVICE } },
    },
    {
      Sid: "AllowGuardDutyToMonitorEventBridgeManagedRule",
      Effect: "Allow",
      Action: ["events:DescribeRule", "events:ListTargetsByRule"],
      Resource: managedRule,
    },
    {
      Sid: "AllowEnableS3EventBridgeEvents",
      Effect: "Allow",
      Action: ["s3:GetBucketNotification", "s3:PutBucketNotification"],
      Resource: bucketArns,
      Condition: inThisAccount,
    },
    {
      Sid: "AllowCheckBucketOwnership",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArns,
      Condition: inThisAccount,
    },
    {
      Sid: "AllowPutValidationObject",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: bucketArns.map((b) => `${b}/${VALIDATION_OBJECT_KEY}`),
      Condition: inThisAccount,
    },
    {
      Sid: "AllowMalwareScan",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: scanned,
      Condition: inThisAccount,
    },
    {
      Sid: "AllowPostScanTag",
      Effect: "Allow",
      Action: ["s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"],
      Resource: scanned,
      Condition: inThisAccount,
    },
    {
      Sid: "AllowDecryptForMalwareScan",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: keyArns,
      Condition: { StringEquals: { "kms:ViaService": `s3.${input.region}.amazonaws.com` } },
    },
  ];
  return policyDocument(statements);
}

/**
 * The bucket keys' policies do not delegate to IAM, so GuardDuty's role must be named in each key
 * policy too: decryption (to scan) and data keys (for its validation object), through S3 in this
 * region, for this account, and nothing else.
 */
export function malwareScannerKeyGrant(input: { roleArn: string; region: string; accountId: string }): PolicyStatement {
  return {
    Sid: "MalwareScannerReadsThroughS3",
    Effect: "Allow",
    Principal: { AWS: input.roleArn },
    Action: ["kms:Decrypt", "kms:GenerateDataKey"],
    Resource: "*",
    Condition: {
      StringEquals: {
        "kms:ViaService": `s3.${input.region}.amazonaws.com`,
        "kms:CallerAccount": input.accountId,
      },
    },
  };
}
