import { type ConditionBlock, type PolicyStatement } from "../iam/policy-document";

const CLOUDTRAIL = { Service: "cloudtrail.amazonaws.com" };

export interface TrailBucketGrantsInput {
  /** Account that owns the trail; CloudTrail writes under `AWSLogs/<account>/`. */
  accountId: string;
  /** `arn:<partition>:s3:::<log bucket>` */
  bucketArn: string;
  /** `arn:<partition>:cloudtrail:<region>:<account>:trail/<name>` of the only trail allowed to write. */
  trailArn: string;
}

export interface TrailKeyGrantsInput {
  partition: string;
  accountId: string;
  trailArn: string;
}

/** Key prefix CloudTrail writes log and digest files under (no trail prefix is configured). */
export function trailLogPrefix(accountId: string): string {
  return `AWSLogs/${accountId}/`;
}

/**
 * Confused-deputy guard: CloudTrail acts for whichever trail names this bucket or key, so every grant
 * insists on this trail in this account. AWS documents both keys for trails.
 */
function fromThisTrail(input: { accountId: string; trailArn: string }): Record<string, string> {
  return { "aws:SourceArn": input.trailArn, "aws:SourceAccount": input.accountId };
}

function assertArns(input: { accountId: string; bucketArn?: string; trailArn: string }): void {
  if (!/^\d{12}$/.test(input.accountId)) {
    throw new Error(`[accountId] must be a 12-digit AWS account id, got "${input.accountId}"`);
  }
  if (input.bucketArn !== undefined && !/^arn:[a-z-]+:s3:::[^/]+$/.test(input.bucketArn)) {
    throw new Error(`[bucketArn] must be an S3 bucket ARN (arn:<partition>:s3:::<name>), got "${input.bucketArn}"`);
  }
  const trail = /^arn:[a-z-]+:cloudtrail:[a-z0-9-]+:(\d{12}):trail\/[^/*]+$/.exec(input.trailArn);
  if (!trail || trail[1] !== input.accountId) {
    throw new Error(`[trailArn] must be the ARN of one trail in account ${input.accountId}, got "${input.trailArn}"`);
  }
}

/**
 * Bucket policy grants for CloudTrail's log delivery (AWS's documented trail bucket policy), scoped
 * to one trail. Append them after the bucket's guards: the TLS and encryption denies still apply to
 * CloudTrail, which writes over TLS with `x-amz-server-side-encryption-aws-kms-key-id` set to the key
 * the trail names, so the trail must name the bucket's own key.
 */
export function trailBucketPolicyGrants(input: TrailBucketGrantsInput): PolicyStatement[] {
  assertArns(input);
  return [
    {
      // CloudTrail checks the bucket's ACL before it delivers; with ACLs disabled it reads owner-only.
      Sid: "CloudTrailChecksBucketAcl",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: "s3:GetBucketAcl",
      Resource: input.bucketArn,
      Condition: { StringEquals: fromThisTrail(input) },
    },
    {
      Sid: "CloudTrailWritesLogs",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: "s3:PutObject",
      Resource: `${input.bucketArn}/${trailLogPrefix(input.accountId)}*`,
      Condition: {
        StringEquals: {
          // Kept as AWS documents it. Harmless with Object Ownership `BucketOwnerEnforced`: ACLs are
          // disabled, S3 accepts exactly this canned ACL (and no other) and the bucket owner owns every
          // object anyway; CloudTrail always sends it, so the condition never refuses a real delivery.
          "s3:x-amz-acl": "bucket-owner-full-control",
          ...fromThisTrail(input),
        },
      },
    },
  ];
}

/**
 * Key policy grants that let CloudTrail encrypt one trail's log files with a bucket's customer managed
 * key, after AWS's "Configure AWS KMS key policies for CloudTrail". Nobody reads logs through these:
 * readers are granted separately (through S3) by the bucket's key policy.
 */
export function trailKeyPolicyGrants(input: TrailKeyGrantsInput): PolicyStatement[] {
  assertArns(input);
  const thisTrail: ConditionBlock = { StringEquals: fromThisTrail(input) };
  return [
    {
      Sid: "CloudTrailEncryptsLogs",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: "kms:GenerateDataKey*",
      Resource: "*",
      Condition: {
        ...thisTrail,
        StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${input.partition}:cloudtrail:*:${input.accountId}:trail/*` },
      },
    },
    {
      // The hardened bucket turns S3 Bucket Keys on, and AWS requires kms:Decrypt for CloudTrail to
      // create or update a trail writing to such a bucket ("Allow CloudTrail to decrypt a trail", which
      // AWS documents without an encryption-context condition). It reads no log: CloudTrail has no
      // s3:GetObject on the bucket.
      Sid: "CloudTrailUsesBucketKey",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: thisTrail,
    },
    {
      Sid: "CloudTrailDescribesKey",
      Effect: "Allow",
      Principal: CLOUDTRAIL,
      Action: "kms:DescribeKey",
      Resource: "*",
      Condition: thisTrail,
    },
  ];
}
