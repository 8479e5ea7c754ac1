import { type PolicyResource, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { BUCKET_TYPES, companionsOf } from "../lib/s3";
import { knownOrSkip } from "../lib/unknown";
import { known } from "./public-access-flags";

export const OWNERSHIP_CONTROLS_TYPE = "aws:s3/bucketOwnershipControls:BucketOwnershipControls";
const ENFORCED = "BucketOwnerEnforced";

/**
 * What ownership controls set, when it is not BucketOwnerEnforced: the value ("ObjectWriter"…) or
 * "no rule". Undefined when compliant or still unknown in a preview.
 */
function ownershipOtherThanEnforced(props: Record<string, unknown>): string | undefined {
  const ownership = known(() => (props.rule as { objectOwnership?: unknown } | undefined)?.objectOwnership);
  if (ownership === undefined || ownership.value === ENFORCED) {
    return undefined;
  }
  return typeof ownership.value === "string" ? `"${ownership.value}"` : "no objectOwnership";
}

export const awsS3BucketOwnershipControlsEnforceBucketOwnerEnforced: ResourceValidationPolicy = {
  name: "aws-s3-bucketownershipcontrols-enforce-bucket-owner-enforced",
  description: "Checks that every S3 bucket ownership controls resource sets BucketOwnerEnforced, which disables ACLs.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, reportViolation) => {
    if (args.type !== OWNERSHIP_CONTROLS_TYPE) {
      args.notApplicable("Only S3 bucket ownership controls set object ownership.");
    }
    const other = ownershipOtherThanEnforced(args.props);
    if (other !== undefined) {
      reportViolation(
        `Ownership controls "${args.name}" set ${other}: set rule.objectOwnership to "${ENFORCED}" so ACLs are disabled and the bucket owner owns every object.`,
      );
    }
  },
  // One safe value; S3 refuses the change while a bucket ACL still grants access, which surfaces the real problem.
  remediateResource: (args) => {
    if (args.type !== OWNERSHIP_CONTROLS_TYPE) {
      args.notApplicable("Only S3 bucket ownership controls set object ownership.");
    }
    if (ownershipOtherThanEnforced(args.props) === undefined) {
      return undefined;
    }
    return knownOrSkip(() => {
      const rule = args.props.rule as Record<string, unknown> | undefined;
      return { ...args.props, rule: { ...(rule ?? {}), objectOwnership: ENFORCED } };
    });
  },
};

export const awsS3BucketMissingOwnershipControls: StackValidationPolicy = {
  name: "aws-s3-bucket-missing-ownership-controls",
  description: "Checks that every S3 bucket has ownership controls of its own set to BucketOwnerEnforced, so ACLs are disabled.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, reportViolation) => {
    const buckets = args.resources.filter((r) => BUCKET_TYPES.has(r.type));
    if (buckets.length === 0) {
      args.notApplicable("The stack has no S3 bucket.");
    }
    // S3 has defaulted new buckets to BucketOwnerEnforced since April 2023, but a bucket created
    // earlier or imported keeps its ACLs; only a declared setting shows which one a bucket has.
    for (const bucket of buckets) {
      checkBucket(bucket, args.resources, reportViolation);
    }
  },
};

function checkBucket(bucket: PolicyResource, resources: PolicyResource[], reportViolation: (message: string, urn?: string) => void): void {
  const controls = companionsOf(bucket, resources, OWNERSHIP_CONTROLS_TYPE);
  if (controls.length === 0) {
    reportViolation(
      `Bucket "${bucket.name}" has no aws.s3.BucketOwnershipControls: add one for it with rule.objectOwnership "${ENFORCED}".`,
      bucket.urn,
    );
  }
  for (const control of controls) {
    const other = ownershipOtherThanEnforced(control.props);
    if (other !== undefined) {
      reportViolation(
        `Bucket "${bucket.name}" has ownership controls ("${control.name}") that set ${other}: set rule.objectOwnership to "${ENFORCED}".`,
        bucket.urn,
      );
    }
  }
}
