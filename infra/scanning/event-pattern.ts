import { GUARDDUTY_SCAN_RESULT, GUARDDUTY_VOCABULARY, OBJECT_CREATED } from "@mobile-s3/contract";

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * EventBridge pattern for new objects under `keyPrefix` in the given buckets. The prefix keeps the
 * scanner's own quarantine copies (and anything else outside users' homes) from triggering it again.
 */
export function objectCreatedPattern(bucketNames: string[], keyPrefix: string): Record<string, unknown> {
  return eventPattern(OBJECT_CREATED, bucketNames, keyPrefix, (buckets) => ({
    bucket: { name: buckets },
    object: { key: [{ prefix: keyPrefix }] },
  }));
}

/**
 * EventBridge pattern for GuardDuty's scan results that found threats in objects under `keyPrefix`
 * of the given buckets ("Monitoring S3 object scans with Amazon EventBridge": `s3ObjectDetails`,
 * `scanResultDetails.scanResultStatus`). Clean and unscannable results need no action.
 */
export function guardDutyThreatsPattern(bucketNames: string[], keyPrefix: string): Record<string, unknown> {
  return eventPattern(GUARDDUTY_SCAN_RESULT, bucketNames, keyPrefix, (buckets) => ({
    s3ObjectDetails: { bucketName: buckets, objectKey: [{ prefix: keyPrefix }] },
    scanResultDetails: { scanResultStatus: [GUARDDUTY_VOCABULARY.infected] },
  }));
}

/** One event of `event`'s source and type whose detail matches; the buckets deduplicated and sorted. */
function eventPattern(
  event: { source: string; detailType: string },
  bucketNames: string[],
  keyPrefix: string,
  detail: (buckets: string[]) => Record<string, unknown>,
): Record<string, unknown> {
  assertBucketNames(bucketNames);
  assertKeyPrefix(keyPrefix);
  return { source: [event.source], "detail-type": [event.detailType], detail: detail([...new Set(bucketNames)].sort()) };
}

/** EventBridge matches bucket names exactly, and refuses an empty list. */
export function assertBucketNames(bucketNames: string[]): void {
  if (bucketNames.length === 0) {
    throw new Error("[bucketNames] must name at least one bucket (EventBridge rejects an empty list)");
  }
  for (const bucket of bucketNames) {
    if (!BUCKET_NAME.test(bucket)) {
      throw new Error(`[bucketNames] must hold S3 bucket names, got "${bucket}"`);
    }
  }
}

/** EventBridge matches prefixes literally: a `*` would only ever match a key with a `*` in it. */
export function assertKeyPrefix(keyPrefix: string): void {
  if (keyPrefix === "" || keyPrefix.includes("*")) {
    throw new Error(`[keyPrefix] must be a literal, non-empty key prefix, got "${keyPrefix}"`);
  }
}
