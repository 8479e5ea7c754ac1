/** One condition of an advanced event selector, in the shape `aws.cloudtrail.Trail` takes. */
export interface FieldSelector {
  field: "eventCategory" | "resources.type" | "resources.ARN";
  equals?: string[];
  startsWiths?: string[];
}

export interface AdvancedEventSelector {
  name: string;
  fieldSelectors: FieldSelector[];
}

export interface DataEventTargets {
  /** `arn:<partition>:s3:::<bucket>` of every bucket whose object reads and writes are logged. */
  bucketArns: string[];
  /** `arn:<partition>:s3:<region>:<account>:accesspoint/<name>` of every access point to log. */
  accessPointArns?: string[];
}

/** CloudTrail allows at most 500 values across all conditions of a trail's advanced event selectors. */
export const MAX_SELECTOR_VALUES = 500;

const BUCKET_ARN = /^arn:[a-z-]+:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ACCESS_POINT_ARN = /^arn:[a-z-]+:s3:[a-z0-9-]+:\d{12}:accesspoint\/[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/;

function checked(values: string[], pattern: RegExp, arg: string, shape: string): string[] {
  for (const value of values) {
    if (!pattern.test(value)) {
      throw new Error(`[${arg}] must hold ${shape} ARNs, got "${value}"`);
    }
  }
  return [...new Set(values)].sort();
}

/** A trail without data events would miss every object read and write: at least one bucket. */
export function assertSomeDataBuckets(count: number): void {
  if (count === 0) {
    throw new Error("[dataBucketArns] must name at least one bucket: a trail without data events misses every object read and write");
  }
}

/**
 * Advanced event selectors for a trail (Observability): every management event, and S3 data
 * events, reads and writes alike (no `readOnly` condition), for exactly the given buckets and access
 * points. Throws, naming the argument, on an ARN of the wrong kind or more ARNs than one trail holds.
 */
export function auditEventSelectors(targets: DataEventTargets): AdvancedEventSelector[] {
  const buckets = checked(targets.bucketArns, BUCKET_ARN, "dataBucketArns", "S3 bucket (arn:<partition>:s3:::<bucket>)");
  const accessPoints = checked(
    targets.accessPointArns ?? [],
    ACCESS_POINT_ARN,
    "accessPointArns",
    "S3 access point (arn:<partition>:s3:<region>:<account>:accesspoint/<name>)",
  );
  assertSomeDataBuckets(buckets.length);

  const selectors: AdvancedEventSelector[] = [
    { name: "Management events", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] },
    {
      name: "S3 object reads and writes in the app's buckets",
      fieldSelectors: [
        { field: "eventCategory", equals: ["Data"] },
        { field: "resources.type", equals: ["AWS::S3::Object"] },
        // The trailing "/" keeps bucket "photos" from also selecting bucket "photos-archive".
        { field: "resources.ARN", startsWiths: buckets.map((arn) => `${arn}/`) },
      ],
    },
  ];
  if (accessPoints.length > 0) {
    selectors.push({
      name: "S3 data events through the app's access points",
      fieldSelectors: [
        { field: "eventCategory", equals: ["Data"] },
        { field: "resources.type", equals: ["AWS::S3::AccessPoint"] },
        // CloudTrail's documented form for every object behind an access point is the bare access point
        // ARN with StartsWith. Access point "t1" also selects "t10": more logging, never less.
        { field: "resources.ARN", startsWiths: accessPoints },
      ],
    });
  }

  const values = selectors.flatMap((s) => s.fieldSelectors).reduce((n, f) => n + (f.equals?.length ?? 0) + (f.startsWiths?.length ?? 0), 0);
  if (values > MAX_SELECTOR_VALUES) {
    const room = MAX_SELECTOR_VALUES - (values - buckets.length - accessPoints.length);
    throw new Error(
      `[dataBucketArns] and [accessPointArns] name ${buckets.length + accessPoints.length} resources, but one trail's ` +
        `event selectors hold at most ${MAX_SELECTOR_VALUES} values, so at most ${room} ARNs: ` +
        `put fewer tenants on the bucket or accessPoint tier ([mobile-s3:tenants], [mobile-s3:defaultTier]) or split them across trails`,
    );
  }
  return selectors;
}
