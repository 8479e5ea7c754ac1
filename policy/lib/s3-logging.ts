import { type PolicyResource } from "@pulumi/policy";
import { BUCKET_TYPES, bucketNamesOf, companionsOfAny, LOGGING_TYPES, refersToBucket } from "./s3";
import { known, type Known, UNKNOWN } from "./unknown";

// Server access logging as a stack declares it. @pulumi/aws v7 puts it in its own resource,
// `aws.s3.BucketLogging` (legacy token `…BucketLoggingV2`), whose `bucket` is the bucket logged and
// `targetBucket` the bucket that receives the log objects. The deprecated inline forms are still
// accepted: Bucket `logging.targetBucket`, BucketV2 `loggings[].targetBucket`.

/** The inline logging blocks of a bucket, by the property that holds them. */
const INLINE_LOGGING_PROPERTIES = ["logging", "loggings"] as const;

/** The `targetBucket` of each known inline logging block; UNKNOWN when a block (or the list) is. */
function inlineTargets(bucket: PolicyResource): Known<(string | typeof UNKNOWN)[]> {
  const targets: (string | typeof UNKNOWN)[] = [];
  for (const property of INLINE_LOGGING_PROPERTIES) {
    const value = known(() => bucket.props[property] as unknown);
    if (value === UNKNOWN) {
      return UNKNOWN;
    }
    const blocks = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
    for (let i = 0; i < blocks.length; i++) {
      const target = known(() => (blocks[i] as { targetBucket?: unknown } | null)?.targetBucket);
      if (target === UNKNOWN || (typeof target === "string" && target !== "")) {
        targets.push(target);
      }
    }
  }
  return targets;
}

/** True when another bucket's inline logging block delivers into `target`. */
function inlineDeliversInto(source: PolicyResource, target: PolicyResource, names: string[]): boolean {
  if (INLINE_LOGGING_PROPERTIES.some((p) => (source.propertyDependencies[p] ?? []).some((d) => d.urn === target.urn))) {
    return true;
  }
  const targets = inlineTargets(source);
  return targets !== UNKNOWN && targets.some((t) => t !== UNKNOWN && names.includes(t));
}

/**
 * True when another bucket of the stack delivers its server access logs into this one. AWS warns
 * that a target bucket should not itself have server access logging, and that logging a bucket into
 * itself loops ("Enabling Amazon S3 server access logging").
 */
export function isServerAccessLogTarget(bucket: PolicyResource, resources: PolicyResource[]): boolean {
  const names = bucketNamesOf(bucket);
  return resources.some((r) => {
    if (LOGGING_TYPES.has(r.type)) {
      return refersToBucket(r, "targetBucket", bucket, names) && !refersToBucket(r, "bucket", bucket, names);
    }
    return BUCKET_TYPES.has(r.type) && r.urn !== bucket.urn && inlineDeliversInto(r, bucket, names);
  });
}

/** Whether a bucket's server access logs go somewhere: another bucket, only itself, nowhere, or not known yet. */
export type ServerAccessLogging = "elsewhere" | "itself" | "none" | typeof UNKNOWN;

/**
 * Where the bucket's server access logs go. A logging resource or inline block whose target is still
 * unknown (a preview) counts as delivering elsewhere: only a target known to be the bucket itself is
 * held against it.
 */
export function serverAccessLoggingOf(bucket: PolicyResource, resources: PolicyResource[]): ServerAccessLogging {
  const names = bucketNamesOf(bucket);
  const verdicts: ServerAccessLogging[] = companionsOfAny(bucket, resources, LOGGING_TYPES).map((c) =>
    refersToBucket(c, "targetBucket", bucket, names) ? "itself" : "elsewhere",
  );
  const inline = inlineTargets(bucket);
  if (inline === UNKNOWN) {
    verdicts.push(UNKNOWN);
  } else {
    const selfByDependency = INLINE_LOGGING_PROPERTIES.some((p) => (bucket.propertyDependencies[p] ?? []).some((d) => d.urn === bucket.urn));
    for (const target of inline) {
      verdicts.push(selfByDependency || (target !== UNKNOWN && names.includes(target)) ? "itself" : "elsewhere");
    }
  }
  if (verdicts.includes("elsewhere")) {
    return "elsewhere";
  }
  if (verdicts.includes(UNKNOWN)) {
    return UNKNOWN;
  }
  return verdicts.includes("itself") ? "itself" : "none";
}
