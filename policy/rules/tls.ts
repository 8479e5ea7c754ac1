import { type Policies, type StackValidationPolicy } from "@pulumi/policy";
import { asArray, conditionValues, coversAllS3, hasWildcardPrincipal, readStatements, type Statement } from "../lib/policy-document";
import { BUCKET_POLICY_TYPE, BUCKET_TYPES, bucketArnOf, companionsOf } from "../lib/s3";
import { knownOrSkip } from "../lib/unknown";
import { awsCloudfrontDistributionEnforceOriginAccessControl, awsS3BucketpolicyEnforceCloudfrontSourceArn } from "./cloudfront-origin-access";
import { awsCloudfrontDistributionEnforceOriginHttps } from "./cloudfront-origin-tls";
import { awsCloudfrontDistributionEnforceMinimumTls, awsCloudfrontDistributionEnforceViewerHttps } from "./cloudfront-viewer-tls";

interface TlsConfig {
  minimumTlsVersion: "none" | "1.2" | "1.3";
}

function deniesEveryone(s: Statement): boolean {
  return s.Effect === "Deny" && hasWildcardPrincipal(s) && coversAllS3(s);
}

function coversBucketAndObjects(s: Statement, bucketArn: string | undefined): boolean {
  const resources = asArray(s.Resource);
  if (resources.includes("*")) {
    return true;
  }
  if (bucketArn === undefined) {
    return resources.some((r) => !r.endsWith("/*")) && resources.some((r) => r.endsWith("/*"));
  }
  return resources.includes(bucketArn) && (resources.includes(`${bucketArn}/*`) || resources.includes(`${bucketArn}*`));
}

function deniesPlainHttp(s: Statement, bucketArn: string | undefined): boolean {
  const insecure = ["Bool", "BoolIfExists"].some((op) => conditionValues(s, op, "aws:SecureTransport").includes("false"));
  return insecure && deniesEveryone(s) && coversBucketAndObjects(s, bucketArn);
}

function deniesTlsBelow(s: Statement, bucketArn: string | undefined, version: string): boolean {
  const floor = conditionValues(s, "NumericLessThan", "s3:TlsVersion").map(Number);
  return floor.some((v) => v >= Number(version)) && deniesEveryone(s) && coversBucketAndObjects(s, bucketArn);
}

export const awsS3BucketMissingTlsPolicy: StackValidationPolicy = {
  name: "aws-s3-bucket-missing-tls-policy",
  description: "Checks that every S3 bucket's policy denies requests over plain HTTP and, when configured, over old TLS versions.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      minimumTlsVersion: {
        type: "string",
        enum: ["none", "1.2", "1.3"],
        default: "1.2",
        description: "TLS version below which the bucket policy must deny requests (s3:TlsVersion); \"none\" checks only plain HTTP.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const buckets = args.resources.filter((r) => BUCKET_TYPES.has(r.type));
    if (buckets.length === 0) {
      args.notApplicable("The stack has no S3 bucket.");
    }
    const { minimumTlsVersion } = args.getConfig<TlsConfig>();
    for (const bucket of buckets) {
      // The legacy inline policy and every aws.s3.BucketPolicy attached to the bucket count together.
      const statements = knownOrSkip(() =>
        [bucket.props.policy, ...companionsOf(bucket, args.resources, BUCKET_POLICY_TYPE).map((p) => p.props.policy)].flatMap(
          (policy) => readStatements(policy, (m) => reportViolation(`Bucket "${bucket.name}": ${m}`, bucket.urn)),
        ),
      );
      if (statements === undefined) {
        continue;
      }
      const arn = bucketArnOf(bucket);
      if (!statements.some((s) => deniesPlainHttp(s, arn))) {
        reportViolation(
          `Bucket "${bucket.name}" accepts plain HTTP: add a bucket policy statement that denies "s3:*" to Principal "*" ` +
            `on the bucket and its objects when "aws:SecureTransport" is "false".`,
          bucket.urn,
        );
      }
      if (minimumTlsVersion !== "none" && !statements.some((s) => deniesTlsBelow(s, arn, minimumTlsVersion))) {
        reportViolation(
          `Bucket "${bucket.name}" accepts TLS older than ${minimumTlsVersion}: add a bucket policy statement that denies ` +
            `"s3:*" to Principal "*" when NumericLessThan "s3:TlsVersion" "${minimumTlsVersion}".`,
          bucket.urn,
        );
      }
    }
  },
};

/**
 * Family 3: TLS only, from the device to CloudFront and S3 and from CloudFront to its origins
 * (mandatory); and two CloudFront read-path checks beyond the card (advisory): S3 origins only
 * through Origin Access Control, and CloudFront grants in bucket policies tied to one distribution.
 */
export const tlsPolicies: Policies = [
  awsS3BucketMissingTlsPolicy,
  awsCloudfrontDistributionEnforceViewerHttps,
  awsCloudfrontDistributionEnforceMinimumTls,
  awsCloudfrontDistributionEnforceOriginHttps,
  awsCloudfrontDistributionEnforceOriginAccessControl,
  awsS3BucketpolicyEnforceCloudfrontSourceArn,
];
