import { type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { onlyFor } from "../../lib/applies-to";
import { reportCompanions } from "../../lib/bucket-settings";
import { flagsNotOn, flagsOffProblem, PUBLIC_ACCESS_BLOCK_FLAGS } from "../../lib/public-access-block";
import { PUBLIC_ACCESS_BLOCK_TYPE } from "../../lib/s3";
import { knownOrSkip } from "../../lib/unknown";

const ONLY_BLOCKS = "Only S3 bucket public access blocks have these flags.";

export const awsS3BucketPublicAccessBlockEnforceAllFlags: ResourceValidationPolicy = {
  name: "aws-s3-bucketpublicaccessblock-enforce-all-flags",
  description: "Checks that every S3 bucket public access block turns on all four of its flags.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, reportViolation) => {
    onlyFor(args, PUBLIC_ACCESS_BLOCK_TYPE, ONLY_BLOCKS);
    const found = flagsOffProblem(() => args.props, `Public access block "${args.name}"`);
    if (found !== undefined) {
      reportViolation(found);
    }
  },
  // Turning the flags on only ever takes access away, and each flag has one safe value.
  remediateResource: (args) => {
    onlyFor(args, PUBLIC_ACCESS_BLOCK_TYPE, ONLY_BLOCKS);
    if (flagsNotOn(() => args.props).length === 0) {
      return undefined;
    }
    // The other inputs (the bucket's name) may be unknown in a preview; `pulumi up` remediates then.
    return knownOrSkip(() => ({ ...args.props, ...Object.fromEntries(PUBLIC_ACCESS_BLOCK_FLAGS.map((flag) => [flag, true])) }));
  },
};

export const awsS3BucketMissingPublicAccessBlock: StackValidationPolicy = {
  name: "aws-s3-bucket-missing-public-access-block",
  description: "Checks that every S3 bucket has a public access block of its own that turns on all four flags.",
  enforcementLevel: "mandatory",
  severity: "critical",
  // An account-level block is not counted: it belongs to the account, and whoever owns it can lift it.
  validateStack: (args, reportViolation) =>
    reportCompanions(args, reportViolation, {
      type: PUBLIC_ACCESS_BLOCK_TYPE,
      missing: (bucket) => `Bucket "${bucket.name}" has no aws.s3.BucketPublicAccessBlock: add one for it with all four flags true.`,
      problem: (bucket, block) => flagsOffProblem(() => block.props, `Bucket "${bucket.name}" has a public access block ("${block.name}") that`),
    }),
};
