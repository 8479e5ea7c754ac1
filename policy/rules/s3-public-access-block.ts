import { type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { BUCKET_TYPES, companionsOf, PUBLIC_ACCESS_BLOCK_TYPE } from "../lib/s3";
import { knownOrSkip } from "../lib/unknown";
import { flagsNotOn, listOf, PUBLIC_ACCESS_BLOCK_FLAGS } from "./public-access-flags";

export const awsS3BucketPublicAccessBlockEnforceAllFlags: ResourceValidationPolicy = {
  name: "aws-s3-bucketpublicaccessblock-enforce-all-flags",
  description: "Checks that every S3 bucket public access block turns on all four of its flags.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, reportViolation) => {
    if (args.type !== PUBLIC_ACCESS_BLOCK_TYPE) {
      args.notApplicable("Only S3 bucket public access blocks have these flags.");
    }
    const off = flagsNotOn(() => args.props);
    if (off.length > 0) {
      reportViolation(`Public access block "${args.name}" leaves ${listOf(off)} off: set all four flags to true.`);
    }
  },
  // Turning the flags on only ever takes access away, and each flag has one safe value.
  remediateResource: (args) => {
    if (args.type !== PUBLIC_ACCESS_BLOCK_TYPE) {
      args.notApplicable("Only S3 bucket public access blocks have these flags.");
    }
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
  validateStack: (args, reportViolation) => {
    const buckets = args.resources.filter((r) => BUCKET_TYPES.has(r.type));
    if (buckets.length === 0) {
      args.notApplicable("The stack has no S3 bucket.");
    }
    // An account-level block is not counted: it belongs to the account, and whoever owns it can lift it.
    for (const bucket of buckets) {
      const blocks = companionsOf(bucket, args.resources, PUBLIC_ACCESS_BLOCK_TYPE);
      if (blocks.length === 0) {
        reportViolation(
          `Bucket "${bucket.name}" has no aws.s3.BucketPublicAccessBlock: add one for it with all four flags true.`,
          bucket.urn,
        );
      }
      for (const block of blocks) {
        const off = flagsNotOn(() => block.props);
        if (off.length > 0) {
          reportViolation(
            `Bucket "${bucket.name}" has a public access block ("${block.name}") that leaves ${listOf(off)} off: set all four flags to true.`,
            bucket.urn,
          );
        }
      }
    }
  },
};
