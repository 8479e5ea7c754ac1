import { type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { onlyFor } from "../../lib/applies-to";
import { reportCompanions } from "../../lib/bucket-settings";
import { known } from "../../lib/public-access-block";
import { knownOrSkip } from "../../lib/unknown";

export const OWNERSHIP_CONTROLS_TYPE = "aws:s3/bucketOwnershipControls:BucketOwnershipControls";
const ENFORCED = "BucketOwnerEnforced";
const ONLY_CONTROLS = "Only S3 bucket ownership controls set object ownership.";

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
    onlyFor(args, OWNERSHIP_CONTROLS_TYPE, ONLY_CONTROLS);
    const other = ownershipOtherThanEnforced(args.props);
    if (other !== undefined) {
      reportViolation(
        `Ownership controls "${args.name}" set ${other}: set rule.objectOwnership to "${ENFORCED}" so ACLs are disabled and the bucket owner owns every object.`,
      );
    }
  },
  // One safe value; S3 refuses the change while a bucket ACL still grants access, which surfaces the real problem.
  remediateResource: (args) => {
    onlyFor(args, OWNERSHIP_CONTROLS_TYPE, ONLY_CONTROLS);
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
  // S3 has defaulted new buckets to BucketOwnerEnforced since April 2023, but a bucket created
  // earlier or imported keeps its ACLs; only a declared setting shows which one a bucket has.
  validateStack: (args, reportViolation) =>
    reportCompanions(args, reportViolation, {
      type: OWNERSHIP_CONTROLS_TYPE,
      missing: (bucket) => `Bucket "${bucket.name}" has no aws.s3.BucketOwnershipControls: add one for it with rule.objectOwnership "${ENFORCED}".`,
      problem: (bucket, control) => {
        const other = ownershipOtherThanEnforced(control.props);
        return other === undefined
          ? undefined
          : `Bucket "${bucket.name}" has ownership controls ("${control.name}") that set ${other}: set rule.objectOwnership to "${ENFORCED}".`;
      },
    }),
};
