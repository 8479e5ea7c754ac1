import { type PolicyResource, type StackValidationPolicy } from "@pulumi/policy";
import { asArray, conditionValues, coversAllS3, hasWildcardPrincipal, readStatements, type Statement } from "../../lib/policy-document";
import { bucketsOrNotApplicable } from "../../lib/bucket-settings";
import { ACCELERATE_TYPES, BUCKET_POLICY_TYPE, bucketArnOf, companionsOf, companionsOfAny } from "../../lib/s3";
import { known, type Known, knownOrSkip, UNKNOWN } from "../../lib/unknown";

export type TlsFloor = "none" | "1.2" | "1.3";

interface TlsConfig {
  minimumTlsVersion: TlsFloor;
  acceleratedMinimumTlsVersion: TlsFloor;
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

/** Transfer Acceleration is on: an accelerate configuration (or the deprecated inline `accelerationStatus`) says "Enabled". */
function accelerationEnabled(bucket: PolicyResource, resources: PolicyResource[]): Known<boolean> {
  const statuses = [
    ...companionsOfAny(bucket, resources, ACCELERATE_TYPES).map((c) => known(() => c.props.status)),
    known(() => bucket.props.accelerationStatus),
  ];
  return statuses.includes("Enabled") ? true : statuses.includes(UNKNOWN) ? UNKNOWN : false;
}

const higher = (a: TlsFloor, b: TlsFloor): TlsFloor => (a === "none" ? b : b === "none" ? a : Number(a) >= Number(b) ? a : b);

const TLS_FLOORS: TlsFloor[] = ["none", "1.2", "1.3"];

/**
 * The aws:SecureTransport deny is what AWS Foundational Security Best Practices control S3.5 asks
 * of every bucket ("Security Hub CSPM controls for Amazon S3"; AWS Config rule
 * "s3-bucket-ssl-requests-only"), and it is mandatory here too. A deny of old TLS versions
 * (`s3:TlsVersion`) is not: S3's API endpoints refuse TLS 1.0 and 1.1 since AWS raised every API
 * endpoint to TLS 1.2, from June 2023, complete by February 2024 ("TLS 1.2 to become the minimum TLS
 * protocol level for all AWS API endpoints", AWS Security Blog; "Enforcing encryption in transit with TLS1.2 or higher with Amazon
 * S3", AWS Storage Blog; "Protecting data in transit with encryption", Amazon S3 User Guide), so
 * asking every bucket for it would only fail stacks that FSBP passes. It stays available:
 * `minimumTlsVersion` asks it of every bucket (to require TLS 1.3, say), and by default it is still
 * asked of buckets with S3 Transfer Acceleration on (`acceleratedMinimumTlsVersion`, "1.2"), whose
 * endpoint terminates TLS at CloudFront edge locations ("Configuring fast, secure file transfers
 * using Amazon S3 Transfer Acceleration") rather than at the regional endpoint the S3 pages
 * describe; none of those pages gives that endpoint a TLS floor of its own, so the deny, which costs
 * nothing, is kept there as a precaution.
 */
export const awsS3BucketMissingTlsPolicy: StackValidationPolicy = {
  name: "aws-s3-bucket-missing-tls-policy",
  description:
    "Checks that every S3 bucket's policy denies requests over plain HTTP and, where Transfer Acceleration is on or the config asks it of every bucket, over old TLS versions.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      minimumTlsVersion: {
        type: "string",
        enum: TLS_FLOORS,
        default: "none",
        description:
          "TLS version below which every bucket's policy must deny requests (s3:TlsVersion); \"none\" asks only for the aws:SecureTransport deny (S3 endpoints already refuse TLS below 1.2).",
      },
      acceleratedMinimumTlsVersion: {
        type: "string",
        enum: TLS_FLOORS,
        default: "1.2",
        description:
          "TLS version below which the policy of a bucket with S3 Transfer Acceleration enabled must deny requests; \"none\" treats those buckets like any other.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const buckets = bucketsOrNotApplicable(args);
    const { minimumTlsVersion, acceleratedMinimumTlsVersion } = args.getConfig<TlsConfig>();
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
      // An acceleration status still unknown in a preview asks nothing more yet; `pulumi up` decides.
      const accelerated = acceleratedMinimumTlsVersion !== "none" && accelerationEnabled(bucket, args.resources) === true;
      const floor = higher(minimumTlsVersion, accelerated ? acceleratedMinimumTlsVersion : "none");
      if (floor !== "none" && !statements.some((s) => deniesTlsBelow(s, arn, floor))) {
        const why = accelerated && floor === acceleratedMinimumTlsVersion ? " and has S3 Transfer Acceleration enabled" : "";
        reportViolation(
          `Bucket "${bucket.name}" accepts TLS older than ${floor}${why}: add a bucket policy statement that denies ` +
            `"s3:*" to Principal "*" on the bucket and its objects when NumericLessThan "s3:TlsVersion" "${floor}".`,
          bucket.urn,
        );
      }
    }
  },
};
