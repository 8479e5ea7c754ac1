import { type PolicyStatement } from "../iam/policy-document";

/** The service that delivers S3 server access logs. */
export const LOGGING_SERVICE = "logging.s3.amazonaws.com";

/**
 * The bucket-policy grant of a server-access-log target, as "Enabling Amazon S3 server access
 * logging" documents it for buckets with ACLs disabled: the logging service may put objects under
 * `prefix`, only for the named source buckets (`aws:SourceArn`) of this account (`aws:SourceAccount`),
 * so nobody else's logs, and no other bucket's, can be delivered here.
 */
export function serverAccessLogGrant(input: { bucketArn: string; prefix: string; accountId: string; sourceBucketArns: string[] }): PolicyStatement {
  if (input.sourceBucketArns.length === 0) {
    throw new Error("[sourceBucketArns] must name at least one bucket whose logs are delivered here");
  }
  if (input.prefix === "" || !input.prefix.endsWith("/") || /[*?$]/.test(input.prefix)) {
    throw new Error(`[prefix] must be a literal key prefix ending with "/", got "${input.prefix}"`);
  }
  if (!/^\d{12}$/.test(input.accountId)) {
    throw new Error(`[accountId] must be a 12-digit AWS account id, got "${input.accountId}"`);
  }
  return {
    Sid: "S3ServerAccessLogsDelivery",
    Effect: "Allow",
    Principal: { Service: LOGGING_SERVICE },
    Action: "s3:PutObject",
    Resource: `${input.bucketArn}/${input.prefix}*`,
    Condition: {
      ArnLike: { "aws:SourceArn": [...input.sourceBucketArns].sort() },
      StringEquals: { "aws:SourceAccount": input.accountId },
    },
  };
}
