import { type PolicyResource, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { asArray, conditionValues, readStatements, type Statement } from "../../lib/policy-document";
import { BUCKET_POLICY_TYPE, BUCKET_TYPES } from "../../lib/s3";
import { knownOrSkip } from "../../lib/unknown";
import { DISTRIBUTION_TYPES, isS3Origin, isSet, knownString, ORIGIN_ACCESS_CONTROL_TYPE, originsOf, UNKNOWN } from "../../lib/cloudfront";

/** The OACs a distribution uses: its `origins` depend on them (ids are not part of a resource's state). */
function originAccessControlsOf(distribution: PolicyResource): PolicyResource[] {
  const linked = [...(distribution.propertyDependencies.origins ?? []), ...distribution.dependencies];
  return [...new Map(linked.filter((r) => r.type === ORIGIN_ACCESS_CONTROL_TYPE).map((r) => [r.urn, r])).values()];
}

export const awsCloudfrontDistributionEnforceOriginAccessControl: StackValidationPolicy = {
  name: "aws-cloudfront-distribution-enforce-origin-access-control",
  description: "Checks that CloudFront reads S3 origins only through an Origin Access Control that signs every request with SigV4.",
  enforcementLevel: "advisory",
  severity: "medium",
  validateStack: (args, reportViolation) => {
    const readers = args.resources
      .filter((r) => DISTRIBUTION_TYPES.has(r.type))
      .map((distribution) => ({ distribution, s3Origins: originsOf(distribution.props).filter((o) => isS3Origin(o) === true) }))
      .filter(({ s3Origins }) => s3Origins.length > 0);
    if (readers.length === 0) {
      args.notApplicable("No CloudFront distribution in the stack reads from an S3 origin.");
    }
    const checked = new Set<string>();
    for (const { distribution, s3Origins } of readers) {
      for (const origin of s3Origins) {
        if (isSet(() => (origin.props.s3OriginConfig as { originAccessIdentity?: unknown } | undefined)?.originAccessIdentity)) {
          reportViolation(
            `Distribution "${distribution.name}" ${origin.label} uses a legacy origin access identity: remove ` +
              `s3OriginConfig.originAccessIdentity and set originAccessControlId to an aws.cloudfront.OriginAccessControl.`,
            distribution.urn,
          );
        }
        if (!isSet(() => origin.props.originAccessControlId)) {
          reportViolation(
            `Distribution "${distribution.name}" ${origin.label} reads S3 without Origin Access Control: set originAccessControlId ` +
              `to an aws.cloudfront.OriginAccessControl with signingBehavior "always" and signingProtocol "sigv4".`,
            distribution.urn,
          );
        }
      }
      for (const oac of originAccessControlsOf(distribution).filter((o) => !checked.has(o.urn))) {
        checked.add(oac.urn);
        const settings: [string, string][] = [
          ["signingBehavior", "always"],
          ["signingProtocol", "sigv4"],
        ];
        for (const [setting, wanted] of settings) {
          const value = knownString(() => oac.props[setting]);
          if (value !== UNKNOWN && value !== wanted) {
            reportViolation(
              `Origin access control "${oac.name}" (used by distribution "${distribution.name}") has ${setting} ` +
                `"${value ?? "(unset)"}": set ${setting} to "${wanted}" so CloudFront signs every request to the bucket.`,
              oac.urn,
            );
          }
        }
      }
    }
  },
};

const CLOUDFRONT_SERVICE = "cloudfront.amazonaws.com";
/** One distribution, not a pattern: `arn:<partition>:cloudfront::<account>:distribution/<id>`. */
const DISTRIBUTION_ARN = /^arn:aws[a-z-]*:cloudfront::\d{12}:distribution\/[A-Z0-9]+$/;
/** Operators that require the key to match (the `IfExists` forms would also pass requests without it). */
const MATCHING_OPERATORS = ["StringEquals", "StringLike", "ArnEquals", "ArnLike"];

function allowsCloudFront(s: Statement): boolean {
  const p = s.Principal;
  if (s.Effect !== "Allow" || p === null || typeof p !== "object") {
    return false;
  }
  const services = asArray((p as { Service?: string | string[] }).Service);
  return services.some((service) => String(service).toLowerCase() === CLOUDFRONT_SERVICE);
}

export const awsS3BucketpolicyEnforceCloudfrontSourceArn: ResourceValidationPolicy = {
  name: "aws-s3-bucketpolicy-enforce-cloudfront-source-arn",
  description: "Checks that bucket policy statements allowing the CloudFront service name the one distribution they are for in an AWS:SourceArn condition.",
  enforcementLevel: "advisory",
  severity: "medium",
  validateResource: (args, reportViolation) => {
    if (args.type !== BUCKET_POLICY_TYPE && !BUCKET_TYPES.has(args.type)) {
      args.notApplicable("Only bucket policies (and a bucket's legacy inline policy) grant access to CloudFront.");
    }
    // A policy that is not JSON is the wildcard rule's finding. Anything unknown in a preview is
    // checked again by `pulumi up`, so an unknown value ends the check quietly.
    knownOrSkip(() => {
      const grants = readStatements(args.props.policy, () => undefined).filter(allowsCloudFront);
      if (grants.length === 0) {
        args.notApplicable(`The policy grants nothing to ${CLOUDFRONT_SERVICE}.`);
      }
      const what = args.type === BUCKET_POLICY_TYPE ? "Bucket policy" : "Bucket";
      const fix = `add Condition StringEquals "AWS:SourceArn": "arn:aws:cloudfront::<account>:distribution/<id>" naming the distribution that reads this bucket.`;
      for (const s of grants) {
        const statement = `${what} "${args.name}" statement "${s.Sid ?? "(no Sid)"}"`;
        const arns = MATCHING_OPERATORS.flatMap((op) => conditionValues(s, op, "aws:SourceArn"));
        const loose = arns.filter((arn) => !DISTRIBUTION_ARN.test(arn));
        if (arns.length === 0) {
          reportViolation(`${statement} names no distribution in an AWS:SourceArn condition, so other CloudFront distributions can use this grant: ${fix}`);
        } else if (loose.length > 0) {
          reportViolation(`${statement} matches AWS:SourceArn ${loose.map((a) => `"${a}"`).join(", ")}, not one distribution: ${fix}`);
        }
      }
    });
  },
};
