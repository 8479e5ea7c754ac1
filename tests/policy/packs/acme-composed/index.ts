// An organisation's own pack: three of mobile-s3's policies and one of its own, every level and
// setting given only in the pack's initial config (the policies keep the levels they declare).
import { PolicyPack, type ResourceValidationPolicy } from "@pulumi/policy";
import {
  awsKmsKeyEnableRotation,
  awsLambdaFunctionEnforcePresignTtlCap,
  awsS3BucketDisallowPublicAcl,
  awsS3BucketPublicAccessBlockEnforceAllFlags,
  mobileS3GuardConfig,
  withCheapNotApplicable,
} from "mobile-s3-policy/library";

/** The organisation's own rule: every bucket names its owner in a tag (declared mandatory). */
const acmeBucketRequireOwnerTag: ResourceValidationPolicy = {
  name: "acme-s3-bucket-require-owner-tag",
  description: "Checks that every S3 bucket names its owner in a tag.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { tag: { type: "string", default: "owner" } } },
  validateResource: (args, reportViolation) => {
    if (args.type !== "aws:s3/bucket:Bucket") {
      args.notApplicable("Only buckets are tagged here.");
    }
    const { tag } = args.getConfig<{ tag: string }>();
    if (!(tag in ((args.props.tags as Record<string, string> | undefined) ?? {}))) {
      reportViolation(`Bucket "${args.name}" has no "${tag}" tag.`);
    }
  },
};

new PolicyPack(
  "acme-composed",
  {
    policies: withCheapNotApplicable([
      awsS3BucketDisallowPublicAcl,
      awsS3BucketPublicAccessBlockEnforceAllFlags,
      awsKmsKeyEnableRotation,
      awsLambdaFunctionEnforcePresignTtlCap,
      acmeBucketRequireOwnerTag,
    ]),
  },
  {
    ...mobileS3GuardConfig({
      all: "mandatory",
      awsS3BucketPublicAccessBlockEnforceAllFlags: "advisory",
      awsKmsKeyEnableRotation: "disabled",
      awsLambdaFunctionEnforcePresignTtlCap: { maxSeconds: 300 },
    }),
    // Settings without a level, written by hand: the CLI reads such an entry as advisory.
    "acme-s3-bucket-require-owner-tag": { tag: "team" },
  },
);
