import { type ResourceValidationPolicy } from "@pulumi/policy";
import { flagsNotOn, listOf } from "./public-access-flags";

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
    if (args.type !== ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE) {
      args.notApplicable("Only the account-level S3 public access block is judged here.");
    }
    const off = flagsNotOn(() => args.props);
    if (off.length > 0) {
      reportViolation(`Account public access block "${args.name}" leaves ${listOf(off)} off: set all four flags to true.`);
    }
  },
};
