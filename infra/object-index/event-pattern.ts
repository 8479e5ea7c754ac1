import { INDEXED_S3_EVENTS, OBJECT_CREATED } from "@mobile-s3/contract";
import { functionSizing } from "../api/catalog";
import { assertBucketNames, assertKeyPrefix } from "../scanning/event-pattern";

/**
 * The S3 events that change what the index holds of a key, as EventBridge names them ("Amazon Simple
 * Storage Service events", EventBridge Events Reference; "Using EventBridge", Amazon S3 User Guide):
 * a new object or version, a deletion (a delete marker, a version removed, a lifecycle expiration),
 * and tags set or removed, which is how both scanners' verdicts and the owner tag arrive. One list,
 * in the contract, for the rule and the indexer.
 */
export { INDEXED_S3_EVENTS };

/**
 * EventBridge pattern for every indexed S3 event under `keyPrefix` in the given buckets; the buckets
 * deduplicated and sorted. The prefix keeps quarantine copies and anything else outside users'
 * homes away from the index.
 */
export function indexedObjectEventsPattern(bucketNames: string[], keyPrefix: string): Record<string, unknown> {
  assertBucketNames(bucketNames);
  assertKeyPrefix(keyPrefix);
  return {
    source: [OBJECT_CREATED.source],
    "detail-type": [...INDEXED_S3_EVENTS],
    detail: { bucket: { name: [...new Set(bucketNames)].sort() }, object: { key: [{ prefix: keyPrefix }] } },
  };
}

/** The indexer's timeout, in minutes: a schedule running more often could start a reconciliation before the last one ended. */
export const MIN_RECONCILE_INTERVAL_MINUTES = functionSizing("indexer", { scanner: "guardduty" }).timeout / 60;

/** What the scheduled rule sends: the indexer reconciles every home (`{"reconcile": {}}`). */
export const RECONCILE_INPUT = { reconcile: {} } as const;

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\(\S+( \S+){5}\)$/;
const UNIT_MINUTES: Record<string, number> = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 };

/**
 * Checks a reconciliation schedule: an EventBridge `rate(…)` or `cron(…)` expression ("Creating a
 * rule that runs on a schedule in Amazon EventBridge": a rate of 1 takes the singular unit, any
 * other the plural). A rate runs at most every `minMinutes`, so two reconciliations never overlap.
 */
export function assertScheduleExpression(expression: string, minMinutes: number, arg = "reconcileSchedule"): string {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const singular = !rate[2].endsWith("s");
    if (value < 1 || singular !== (value === 1)) {
      throw new Error(`[${arg}] must be a rate such as "rate(1 day)" or "rate(12 hours)" (singular unit for 1, plural otherwise), got "${expression}"`);
    }
    if (value * UNIT_MINUTES[rate[2]] < minMinutes) {
      throw new Error(`[${arg}] must not run more often than every ${minMinutes} minutes (a reconciliation may take that long), got "${expression}"`);
    }
    return expression;
  }
  if (CRON.test(expression)) {
    return expression;
  }
  throw new Error(`[${arg}] must be an EventBridge schedule expression, "rate(<n> <unit>)" or "cron(<6 fields>)", got "${expression}"`);
}
