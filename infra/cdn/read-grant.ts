import { cleanObjectCondition, type ScanVocabulary } from "@mobile-s3/contract";
import { type PolicyStatement } from "../iam/policy-document";

const BUCKET_ARN = /^arn:(aws[a-z-]*):s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/;
const DISTRIBUTION_ARN = /^arn:(aws[a-z-]*):cloudfront::(\d{12}):distribution\/([A-Z0-9]+)$/;

export interface CloudFrontReadGrantInput {
  /** The bucket CloudFront reads from: `arn:<partition>:s3:::<name>`. */
  bucketArn: string;
  /** The one distribution allowed to read: `arn:<partition>:cloudfront::<account>:distribution/<id>`. */
  distributionArn: string;
  /**
   * Only keys under this prefix are readable through CloudFront. Must end with `/`, so that
   * `tenants/` never also opens `tenants-archive/`.
   * @default "" (the whole bucket)
   * @example "tenants/"
   */
  keyPrefix?: string;
  /** The scanner whose clean verdict makes an object readable. */
  readGate: ScanVocabulary;
}

/** Checks an S3 bucket ARN and returns its partition. */
export function bucketArnPartition(argument: string, arn: string): string {
  const match = BUCKET_ARN.exec(arn);
  if (!match) {
    throw new Error(`[${argument}] must be an S3 bucket ARN (arn:<partition>:s3:::<bucket>), got "${arn}"`);
  }
  return match[1];
}

/** Checks a CloudFront distribution ARN and returns its partition. */
export function distributionArnPartition(argument: string, arn: string): string {
  const match = DISTRIBUTION_ARN.exec(arn);
  if (!match) {
    throw new Error(
      `[${argument}] must be a CloudFront distribution ARN (arn:<partition>:cloudfront::<account>:distribution/<id>), got "${arn}"`,
    );
  }
  return match[1];
}

function assertKeyPrefix(keyPrefix: string): void {
  if (keyPrefix === "") {
    return;
  }
  if (keyPrefix.startsWith("/") || !keyPrefix.endsWith("/") || /[*?$]/.test(keyPrefix)) {
    throw new Error(
      `[keyPrefix] must be empty or a key prefix ending with "/", without a leading "/" or the wildcard and variable characters * ? $, got "${keyPrefix}"`,
    );
  }
}

/**
 * The bucket-policy grant behind the CDN read path (access pattern 3; Scan before read): the CloudFront
 * service may `s3:GetObject` only on behalf of this one distribution (`AWS:SourceArn`, so another
 * customer's distribution pointed at the bucket gets nothing) and only objects the scanner has
 * tagged clean. The distribution ARN belongs in the condition, never in `Resource` (a common
 * mistake puts it there, where it matches nothing and hides the mistake).
 */
export function cloudFrontReadStatement(input: CloudFrontReadGrantInput): PolicyStatement {
  const bucketPartition = bucketArnPartition("bucketArn", input.bucketArn);
  const distributionPartition = distributionArnPartition("distributionArn", input.distributionArn);
  if (bucketPartition !== distributionPartition) {
    throw new Error(
      `[distributionArn] must be in the bucket's partition "${bucketPartition}", got "${distributionPartition}"`,
    );
  }
  const keyPrefix = input.keyPrefix ?? "";
  assertKeyPrefix(keyPrefix);
  return {
    Sid: "CloudFrontReadsCleanObjects",
    Effect: "Allow",
    Principal: { Service: "cloudfront.amazonaws.com" },
    Action: "s3:GetObject",
    Resource: `${input.bucketArn}/${keyPrefix}*`,
    Condition: {
      StringEquals: {
        "AWS:SourceArn": input.distributionArn,
        ...cleanObjectCondition(input.readGate),
      },
    },
  };
}
