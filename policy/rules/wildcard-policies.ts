import { type ResourceValidationPolicy } from "@pulumi/policy";
import { conditionKeys, hasWildcardPrincipal, readStatements } from "../lib/policy-document";
import { BUCKET_POLICY_TYPE, BUCKET_TYPES } from "../lib/s3";
import { knownOrSkip } from "../lib/unknown";

/** Condition keys that tie a wildcard principal to a specific caller, account, network or source. */
const RESTRICTING_KEYS = [
  "aws:sourcearn",
  "aws:sourceaccount",
  "aws:sourceowner",
  "aws:principalaccount",
  "aws:principalorgid",
  "aws:principalarn",
  "aws:sourcevpce",
  "aws:sourcevpc",
  "aws:userid",
  // AWS's pattern for delegating a bucket to its access points: only this account's access points.
  "s3:dataaccesspointaccount",
  "s3:dataaccesspointarn",
];


export const awsS3BucketpolicyDisallowWildcardPrincipal: ResourceValidationPolicy = {
  name: "aws-s3-bucketpolicy-disallow-wildcard-principal",
  description: "Checks that bucket policies allow a wildcard principal only under a condition naming the caller, account or source.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, reportViolation) => {
    if (args.type !== BUCKET_POLICY_TYPE && !BUCKET_TYPES.has(args.type)) {
      return;
    }
    for (const s of knownOrSkip(() => readStatements(args.props.policy, reportViolation)) ?? []) {
      if (s.Effect !== "Allow" || !hasWildcardPrincipal(s)) {
        continue;
      }
      if (!conditionKeys(s).some((k) => RESTRICTING_KEYS.includes(k))) {
        reportViolation(
          `Statement "${s.Sid ?? "(no Sid)"}" allows Principal "*" without restricting it: name the principal, ` +
            `or add a condition on one of ${RESTRICTING_KEYS.join(", ")}.`,
        );
      }
    }
  },
};


/** Family 2: wildcard grants. */
export const wildcardPolicies = [awsS3BucketpolicyDisallowWildcardPrincipal];
