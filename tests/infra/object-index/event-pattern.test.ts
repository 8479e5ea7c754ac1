import * as assert from "node:assert/strict";
import { INDEXED_S3_EVENTS as INDEXER_TAKES, reconcileScopeOf } from "../../../functions/indexer/core";
import { assertScheduleExpression, INDEXED_S3_EVENTS, indexedObjectEventsPattern, MIN_RECONCILE_INTERVAL_MINUTES, RECONCILE_INPUT } from "../../../infra/object-index/event-pattern";

describe("infra/object-index/event-pattern", () => {
  it("matches exactly the S3 events the indexer takes", () => {
    assert.deepEqual([...INDEXED_S3_EVENTS], [...INDEXER_TAKES]);
  });

  it("matches every indexed S3 event under the prefix in the given buckets, deduplicated and sorted, and nothing else", () => {
    assert.deepEqual(indexedObjectEventsPattern(["pool-b", "acme-a", "pool-b"], "tenants/"), {
      source: ["aws.s3"],
      // "Amazon Simple Storage Service events" (EventBridge Events Reference): the detail types S3 sends.
      "detail-type": ["Object Created", "Object Deleted", "Object Tags Added", "Object Tags Deleted"],
      detail: { bucket: { name: ["acme-a", "pool-b"] }, object: { key: [{ prefix: "tenants/" }] } },
    });
  });

  const refused: [string, () => unknown, RegExp][] = [
    ["no bucket", () => indexedObjectEventsPattern([], "tenants/"), /\[bucketNames\] must name at least one bucket/],
    ["a bucket pattern", () => indexedObjectEventsPattern(["photos-*"], "tenants/"), /\[bucketNames\] must hold S3 bucket names/],
    ["a wildcard prefix", () => indexedObjectEventsPattern(["pool-b"], "tenants/*"), /\[keyPrefix\] must be a literal/],
  ];
  for (const [label, build, message] of refused) {
    it(`refuses ${label}`, () => {
      assert.throws(build, message);
    });
  }

  it("sends the reconciliation what the indexer reads as a reconciliation of every home", () => {
    assert.deepEqual(JSON.parse(JSON.stringify(RECONCILE_INPUT)), { reconcile: {} });
    assert.deepEqual(reconcileScopeOf(RECONCILE_INPUT), {});
  });

  describe("assertScheduleExpression", () => {
    const accepted = ["rate(1 day)", "rate(2 days)", "rate(1 hour)", "rate(15 minutes)", "rate(90 minutes)", "cron(30 3 * * ? *)", "cron(0 */6 ? * MON-FRI *)"];
    for (const expression of accepted) {
      it(`takes ${expression}`, () => {
        assert.equal(assertScheduleExpression(expression, MIN_RECONCILE_INTERVAL_MINUTES), expression);
      });
    }
    // "Creating a rule that runs on a schedule": singular unit for a rate of 1, plural otherwise.
    const refusedExpressions: [string, RegExp][] = [
      ["rate(1 days)", /singular unit for 1/],
      ["rate(3 hour)", /singular unit for 1/],
      ["rate(0 minutes)", /singular unit for 1/],
      ["rate(1 minute)", /not run more often than every 15 minutes/],
      ["rate(14 minutes)", /not run more often than every 15 minutes/],
      ["rate(1 week)", /schedule expression/],
      ["cron(30 3 * * ?)", /schedule expression/],
      ["daily", /schedule expression/],
      ["", /schedule expression/],
    ];
    for (const [expression, message] of refusedExpressions) {
      it(`refuses "${expression}", naming the argument`, () => {
        assert.throws(() => assertScheduleExpression(expression, MIN_RECONCILE_INTERVAL_MINUTES), (err: unknown) => err instanceof Error && err.message.startsWith("[reconcileSchedule] ") && message.test(err.message));
      });
    }
  });
});
