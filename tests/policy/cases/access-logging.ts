import { type AnalyzerInput } from "../../harness/policy-pack";
import { companion, resource, unrelated } from "./build";
import { type PolicyCases } from "./types";

// Server access logging and CloudTrail S3 data events: each non-compliant case leaves one bucket
// unrecorded in one way; the compliant cases record it by one means each.

const BUCKET = "aws:s3/bucket:Bucket";
const BUCKET_V2 = "aws:s3/bucketV2:BucketV2";
const LOGGING = "aws:s3/bucketLogging:BucketLogging";
const LOGGING_V2 = "aws:s3/bucketLoggingV2:BucketLoggingV2";
const TRAIL = "aws:cloudtrail/trail:Trail";
/** What the engine sends for a value a preview has not computed yet. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function bucket(name: string, type = BUCKET, inline: Record<string, unknown> = {}): AnalyzerInput {
  return resource(type, name, { bucket: `${name}-bucket`, arn: `arn:aws:s3:::${name}-bucket`, forceDestroy: false, ...inline });
}
const nameOf = (b: AnalyzerInput) => (b.properties as { bucket: string }).bucket;
const objectsOf = (b: AnalyzerInput) => `arn:aws:s3:::${nameOf(b)}/`;

/** Server access logging of `source` into `target`, linked to both as the engine links them. */
function logging(source: AnalyzerInput, target: AnalyzerInput, type = LOGGING): AnalyzerInput {
  return {
    ...companion(type, `${source.name}-logging`, source, { targetBucket: nameOf(target), targetPrefix: `${nameOf(source)}/` }),
    dependencies: [source.urn, target.urn],
    propertyDependencies: { bucket: [source.urn], targetBucket: [target.urn] },
  };
}

/** A trail writing into `logs` (its own log bucket), with the given selectors. */
function trail(selectors: Record<string, unknown>, logs?: AnalyzerInput, change: Record<string, unknown> = {}): AnalyzerInput {
  return resource(
    TRAIL,
    "audit",
    { name: "audit", s3BucketName: logs ? nameOf(logs) : "org-trail-logs", enableLogFileValidation: true, ...selectors, ...change },
    logs ? { dependencies: [logs.urn], propertyDependencies: { s3BucketName: [logs.urn] } } : {},
  );
}

const field = (name: string, operators: Record<string, string[]>) => ({ field: name, ...operators });
const MANAGEMENT = { name: "Management events", fieldSelectors: [field("eventCategory", { equals: ["Management"] })] };

/** An advanced selector for data events on `type` resources, with extra conditions. */
function dataSelector(type: string, ...conditions: object[]) {
  return { name: "Data events", fieldSelectors: [field("eventCategory", { equals: ["Data"] }), field("resources.type", { equals: [type] }), ...conditions] };
}
const s3Objects = (...conditions: object[]) => dataSelector("AWS::S3::Object", ...conditions);
const advanced = (...selectors: object[]) => ({ advancedEventSelectors: [MANAGEMENT, ...selectors] });

/** Basic event selectors: S3 object data events for the given ARN values. */
const basic = (values: string[], type = "AWS::S3::Object") => ({
  eventSelectors: [{ readWriteType: "All", includeManagementEvents: true, dataResources: [{ type, values }] }],
});

const photos = bucket("photos");
const logs = bucket("logs");
const other = bucket("other");

const accessLogging: PolicyCases = {
  policy: "aws-s3-bucket-missing-access-logging",
  kind: "stack",
  nonCompliant: [
    { label: "a bucket with neither server access logging nor a trail", resources: [photos] },
    { label: "a trail recording management events only (advanced selectors)", resources: [photos, trail(advanced())] },
    {
      label: "a trail recording management events only (basic selectors, no data resources)",
      resources: [photos, trail({ eventSelectors: [{ readWriteType: "All", includeManagementEvents: true }] })],
    },
    { label: "a trail whose basic data-event selector covers another bucket only", resources: [photos, other, trail(basic([objectsOf(other)]))] },
    {
      label: "a trail whose advanced selector starts with another bucket's ARN only",
      resources: [photos, other, trail(advanced(s3Objects(field("resources.ARN", { startsWiths: [objectsOf(other)] }))))],
    },
    {
      label: "a selector for a bucket whose name merely starts with this one's (photos-bucket-archive)",
      resources: [photos, trail(advanced(s3Objects(field("resources.ARN", { startsWiths: ["arn:aws:s3:::photos-bucket-archive/"] }))))],
    },
    {
      label: "a selector whose notStartsWiths excludes the bucket",
      resources: [photos, trail(advanced(s3Objects(field("resources.ARN", { notStartsWiths: [objectsOf(photos)] }))))],
    },
    {
      label: "a selector for S3 access point data events only (requests straight to the bucket go unrecorded)",
      resources: [photos, trail(advanced(dataSelector("AWS::S3::AccessPoint")))],
    },
    { label: "a selector for Lambda data events only", resources: [photos, trail(advanced(dataSelector("AWS::Lambda::Function")))] },
    { label: "a basic selector for Lambda functions with the S3 prefix", resources: [photos, trail(basic(["arn:aws:s3"], "AWS::Lambda::Function"))] },
    {
      label: "a trail covering every bucket but with enableLogging false",
      resources: [photos, trail(advanced(s3Objects()), undefined, { enableLogging: false })],
    },
    { label: "a BucketLogging that delivers the bucket's logs into itself (a loop)", resources: [photos, logging(photos, photos)] },
    {
      label: "a legacy BucketV2 whose inline loggings deliver into itself",
      resources: [bucket("legacy", BUCKET_V2, { loggings: [{ targetBucket: "legacy-bucket", targetPrefix: "logs/" }] })],
    },
    { label: "a second bucket without logging beside a logged one", resources: [photos, logs, logging(photos, logs), other] },
    {
      label: "the trail's own log bucket, whose data events the trail does not record (it needs server access logs)",
      resources: [photos, logs, trail(advanced(s3Objects(field("resources.ARN", { startsWiths: [objectsOf(photos)] }))), logs)],
    },
  ],
  compliant: [
    { label: "a bucket with a BucketLogging into a log bucket (the log bucket itself is not applicable)", resources: [photos, logs, logging(photos, logs)] },
    {
      label: "a legacy BucketV2 with a BucketLoggingV2",
      resources: [bucket("photos", BUCKET_V2), bucket("logs", BUCKET_V2), logging(bucket("photos", BUCKET_V2), bucket("logs", BUCKET_V2), LOGGING_V2)],
    },
    {
      label: "the deprecated inline logging block of a Bucket",
      resources: [bucket("photos", BUCKET, { logging: { targetBucket: "logs-bucket", targetPrefix: "photos/" } }), logs],
    },
    { label: "a basic selector for the bucket (arn:aws:s3:::photos-bucket/)", resources: [photos, trail(basic([objectsOf(photos)]))] },
    { label: "a basic selector for a key prefix inside the bucket", resources: [photos, trail(basic([`${objectsOf(photos)}uploads/`]))] },
    { label: "a basic selector for every bucket (arn:aws:s3)", resources: [photos, trail(basic(["arn:aws:s3"]))] },
    { label: "an advanced selector for S3 objects with no resources.ARN condition (every bucket)", resources: [photos, trail(advanced(s3Objects()))] },
    {
      label: "an advanced selector whose resources.ARN startsWiths the bucket's ARN (as the program's trail does)",
      resources: [photos, other, trail(advanced(s3Objects(field("resources.ARN", { startsWiths: [objectsOf(other), objectsOf(photos)] }))))],
    },
    {
      label: "an advanced selector for writes only (readOnly false): some of its requests are recorded",
      resources: [photos, trail(advanced(s3Objects(field("readOnly", { equals: ["false"] }), field("resources.ARN", { startsWiths: [objectsOf(photos)] }))))],
    },
    {
      label: "a selector that excludes another bucket only",
      resources: [photos, trail(advanced(s3Objects(field("resources.ARN", { notStartsWiths: [objectsOf(other)] }))))],
    },
    {
      label: "a preview: the bucket's ARN and the trail's selectors (built from it) still unknown",
      resources: [resource(BUCKET, "photos", { forceDestroy: false, bucket: UNKNOWN, arn: UNKNOWN }), trail({ advancedEventSelectors: UNKNOWN })],
    },
    {
      label: "a preview: the bucket's ARN unknown and a selector naming some ARN",
      resources: [
        resource(BUCKET, "photos", { forceDestroy: false, bucket: UNKNOWN, arn: UNKNOWN }),
        trail(advanced(s3Objects(field("resources.ARN", { startsWiths: [objectsOf(other)] })))),
      ],
    },
    {
      label: "a preview: a BucketLogging whose bucket and target are unknown, linked by dependency",
      resources: [
        resource(BUCKET, "photos", { forceDestroy: false }),
        resource(BUCKET, "logs", { forceDestroy: false }),
        {
          ...resource(LOGGING, "photos-logging", { bucket: UNKNOWN, targetBucket: UNKNOWN, targetPrefix: "photos/" }),
          propertyDependencies: { bucket: [photos.urn], targetBucket: [logs.urn] },
        },
      ],
    },
  ],
  notApplicable: [
    { label: "a stack without buckets", resources: [unrelated(), trail(advanced(s3Objects()))] },
    {
      label: "a stack whose only bucket receives another (existing) bucket's server access logs",
      resources: [logs, resource(LOGGING, "legacy-app-logging", { bucket: "legacy-app-bucket", targetBucket: "logs-bucket", targetPrefix: "legacy/" })],
    },
  ],
};

export const accessLoggingCases: PolicyCases[] = [accessLogging];
