import { type StackValidationPolicy } from "@pulumi/policy";
import { asArray, conditionValues, coversAllS3, hasWildcardPrincipal, readStatements, type Statement } from "../lib/policy-document";
import { BUCKET_POLICY_TYPE, BUCKET_TYPES, bucketArnOf, companionsOf } from "../lib/s3";
import { knownOrSkip } from "../lib/unknown";

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
    const { minimumTlsVersion } = args.getConfig<TlsConfig>();
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.has(r.type))) {
      const statements = knownOrSkip(() =>
        [bucket.props.policy, ...companionsOf(bucket, args.resources, BUCKET_POLICY_TYPE).map((p) => p.props.policy)].flatMap(
          (policy) => readStatements(policy, (m) => reportViolation(m, bucket.urn)),
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

/** Family 3: TLS only. */
export const tlsPolicies = [awsS3BucketMissingTlsPolicy];
