import { type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { BUCKET_TYPES, companionsOf, PUBLIC_ACCESS_BLOCK_TYPE } from "../lib/s3";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const awsS3BucketPublicAccessBlockEnforceAllFlags: ResourceValidationPolicy = {
  name: "aws-s3-bucketpublicaccessblock-enforce-all-flags",
  description: "Checks that every S3 public access block turns on all four of its flags.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, reportViolation) => {
    if (args.type !== PUBLIC_ACCESS_BLOCK_TYPE) {
      return;
    }
    const off = FLAGS.filter((flag) => args.props[flag] !== true);
    if (off.length > 0) {
      reportViolation(`Public access block leaves ${off.join(", ")} off: set all four flags to true.`);
    }
  },
  remediateResource: (args) => {
    if (args.type !== PUBLIC_ACCESS_BLOCK_TYPE || FLAGS.every((flag) => args.props[flag] === true)) {
      return undefined;
    }
    return { ...args.props, ...Object.fromEntries(FLAGS.map((flag) => [flag, true])) };
  },
};

export const awsS3BucketMissingPublicAccessBlock: StackValidationPolicy = {
  name: "aws-s3-bucket-missing-public-access-block",
  description: "Checks that every S3 bucket has a public access block of its own.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateStack: (args, reportViolation) => {
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.has(r.type))) {
      if (companionsOf(bucket, args.resources, PUBLIC_ACCESS_BLOCK_TYPE).length === 0) {
        reportViolation(
          `Bucket "${bucket.name}" has no aws.s3.BucketPublicAccessBlock: add one with all four flags true.`,
          bucket.urn,
        );
      }
    }
  },
};
