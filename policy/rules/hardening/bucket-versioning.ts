import { type PolicyResource, type StackValidationPolicy } from "@pulumi/policy";
import { bucketsOrNotApplicable, items, OK, problem, reportBuckets, settle, UNDECIDED, type Verdict } from "../../lib/bucket-settings";
import { known, UNKNOWN } from "../../lib/unknown";

export const VERSIONING_TYPES = new Set(["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"]);

const ENABLE_VERSIONING = 'add an aws.s3.BucketVersioning with versioningConfiguration.status "Enabled".';

function bucketVersioning(bucket: PolicyResource, resources: PolicyResource[]): Verdict {
  return settle(
    bucket,
    resources,
    VERSIONING_TYPES,
    (c) => {
      const status = known(() => (c.props.versioningConfiguration as Record<string, unknown> | undefined)?.status);
      if (status === UNKNOWN) {
        return UNDECIDED;
      }
      return status === "Enabled"
        ? OK
        : problem(`has versioning ${JSON.stringify(status ?? "unset")}: set versioningConfiguration.status to "Enabled".`);
    },
    (b) => {
      // Legacy inline forms: Bucket `versioning.enabled`, BucketV2 `versionings[].enabled`.
      const inline = known(() => b.props.versioning ?? b.props.versionings);
      if (inline === UNKNOWN) {
        return UNDECIDED;
      }
      const [first] = items(() => inline) as Record<string, unknown>[];
      if (first === undefined) {
        return problem(`has no versioning: ${ENABLE_VERSIONING}`);
      }
      const enabled = known(() => first.enabled);
      if (enabled === UNKNOWN) {
        return UNDECIDED;
      }
      return enabled === true ? OK : problem(`has versioning turned off: ${ENABLE_VERSIONING}`);
    },
  );
}

export const awsS3BucketEnableVersioning: StackValidationPolicy = {
  name: "aws-s3-bucket-enable-versioning",
  description: "Checks that every S3 bucket has versioning enabled, so overwritten and deleted objects can be recovered.",
  enforcementLevel: "advisory",
  severity: "medium",
  validateStack: (args, reportViolation) => {
    reportBuckets(bucketsOrNotApplicable(args), (b) => bucketVersioning(b, args.resources), reportViolation);
  },
};
