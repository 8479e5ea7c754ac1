import { type PolicyResource, type StackValidationPolicy } from "@pulumi/policy";
import { anyOf, TRAIL_TYPE, trailRecordsObjectsOf } from "../../lib/cloudtrail";
import { bucketArnOf, refersToBucket } from "../../lib/s3";
import { isServerAccessLogTarget, serverAccessLoggingOf } from "../../lib/s3-logging";
import { UNKNOWN } from "../../lib/unknown";
import { bucketsOrNotApplicable } from "../../lib/bucket-settings";

const ADD_LOGGING = "add an aws.s3.BucketLogging whose bucket is this bucket and whose targetBucket is a separate log bucket";

function objectsArn(bucket: PolicyResource): string {
  const arn = bucketArnOf(bucket);
  return arn === undefined ? "arn:aws:s3:::<bucket>/" : `${arn}/`;
}

/** What a bucket recorded by neither server access logs nor a trail is told to add. */
function advice(bucket: PolicyResource, trails: PolicyResource[], logsIntoItself: boolean): string {
  const writers = trails.filter((t) => refersToBucket(t, "s3BucketName", bucket));
  const why = logsIntoItself
    ? "delivers its server access logs into itself, which loops (each delivery is logged again), and no trail of the stack records its S3 data events"
    : "has neither server access logging nor a trail of the stack recording its S3 data events";
  if (writers.length > 0) {
    // A trail recording data events on the bucket it writes its log files into records its own
    // deliveries ("Suppressing recursive events with recursive logging"): server access logs it is.
    return (
      `Bucket "${bucket.name}" (where trail "${writers[0].name}" delivers its log files) ${why}: ${ADD_LOGGING}; ` +
      `recording it in the trail's own data events would log the trail's deliveries over and over.`
    );
  }
  const selector =
    `add "${objectsArn(bucket)}" to a trail's data events (an advancedEventSelectors entry with eventCategory "Data", ` +
    `resources.type "AWS::S3::Object" and resources.ARN startsWiths "${objectsArn(bucket)}")`;
  return `Bucket "${bucket.name}" ${why}: ${ADD_LOGGING}, or ${selector}.`;
}

/**
 * Flags buckets whose requests nothing records: no server access logging into another bucket
 * ("Enabling Amazon S3 server access logging") and no CloudTrail trail of the stack recording S3
 * data events for their objects ("Logging data events", AWS CloudTrail User Guide). Either one is
 * enough ("Logging options for Amazon S3"). A bucket that receives another bucket's server access
 * logs is not applicable: AWS advises that a log target bucket should not have server access logging
 * of its own, and that delivering a bucket's logs into itself loops ("Enabling Amazon S3 server
 * access logging"); a trail recording data events on the bucket it writes into records its own
 * deliveries in turn ("Suppressing recursive events with recursive logging", AWS CloudTrail User Guide).
 *
 * Pulumi's AWSGuard has a policy for this (`s3-bucket-logging-enabled`), but it reads only the
 * bucket's inline `loggings` input of the v4-era Bucket resource, so it misses the v7 split
 * resources (`aws.s3.BucketLogging`) and every trail; this one reads both, and the inline forms.
 * Values unknown in a preview (a new bucket's ARN, selectors built from it) are never reported:
 * `pulumi up` analyses again with the real ones. Trails outside the stack (an organisation trail)
 * are not seen; turn the policy off where one records the data events.
 */
export const awsS3BucketMissingAccessLogging: StackValidationPolicy = {
  name: "aws-s3-bucket-missing-access-logging",
  description:
    "Checks that every S3 bucket's requests are recorded, by server access logging into another bucket or by a CloudTrail trail's S3 data events.",
  enforcementLevel: "advisory",
  severity: "medium",
  validateStack: (args, reportViolation) => {
    const logged = bucketsOrNotApplicable(args).filter((b) => !isServerAccessLogTarget(b, args.resources));
    if (logged.length === 0) {
      args.notApplicable("Every bucket of the stack receives another bucket's server access logs, and a log target is not logged again.");
    }
    const trails = args.resources.filter((r) => r.type === TRAIL_TYPE);
    for (const bucket of logged) {
      const logging = serverAccessLoggingOf(bucket, args.resources);
      if (logging === "elsewhere" || logging === UNKNOWN) {
        continue;
      }
      const arn = bucketArnOf(bucket);
      if (anyOf(trails.map((t) => trailRecordsObjectsOf(t.props, arn))) !== false) {
        continue;
      }
      reportViolation(advice(bucket, trails, logging === "itself"), bucket.urn);
    }
  },
};
