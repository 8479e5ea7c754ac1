import { type ResourceValidationPolicy } from "@pulumi/policy";
import { onlyFor } from "../../lib/applies-to";
import { flagsOffProblem } from "../../lib/public-access-block";

export const ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";

/**
 * The account-wide block (whose flags default to false) is judged only where a program declares one.
 * There is no remediation: it reaches every bucket of the account, including other teams' buckets,
 * so turning it on is a decision for the account's owner, not a silent rewrite.
 */
export const awsS3AccountPublicAccessBlockEnforceAllFlags: ResourceValidationPolicy = {
  name: "aws-s3-accountpublicaccessblock-enforce-all-flags",
  description: "Checks that an account-level S3 public access block turns on all four of its flags.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, reportViolation) => {
    onlyFor(args, ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE, "Only the account-level S3 public access block is judged here.");
    const found = flagsOffProblem(() => args.props, `Account public access block "${args.name}"`);
    if (found !== undefined) {
      reportViolation(found);
    }
  },
};
