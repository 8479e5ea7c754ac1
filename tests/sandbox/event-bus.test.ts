import * as assert from "node:assert/strict";
import { type BusEvent, type BusFaults, EventBus, type EventPattern, matchesPattern, mulberry32, seededFaults } from "../../sandbox/event-bus";

const event = (n: number, key = `tenants/acme/home/u1/f${n}.txt`, detailType = "Object Created"): BusEvent => ({
  version: "0",
  id: `event-${n}`,
  source: "aws.s3",
  "detail-type": detailType,
  detail: { bucket: { name: "pool" }, object: { key, n } },
});

const INDEXER_PATTERN: EventPattern = {
  source: ["aws.s3"],
  "detail-type": ["Object Created", "Object Deleted", "Object Tags Added", "Object Tags Deleted"],
  detail: { bucket: { name: ["pool", "dedicated"] }, object: { key: [{ prefix: "tenants/" }] } },
};

/** A bus with one target recording what it gets; `fail(n, attempt)` makes an invocation throw. */
function recordingBus(options: { faults?: BusFaults; fail?: (n: number, attempt: number) => boolean; retryDelaysMs?: number[] } = {}) {
  const received: number[] = [];
  const attempts = new Map<number, number>();
  const givenUp: { target: string; n: number }[] = [];
  const bus = new EventBus({
    retryDelaysMs: options.retryDelaysMs ?? [1, 2],
    ...(options.faults ? { faults: options.faults } : {}),
    onGiveUp: (target, e) => givenUp.push({ target, n: (e.detail as { object: { n: number } }).object.n }),
  });
  bus.addTarget({
    name: "indexer",
    pattern: INDEXER_PATTERN,
    invoke: async (e) => {
      const n = (e.detail as { object: { n: number } }).object.n;
      const attempt = (attempts.get(n) ?? 0) + 1;
      attempts.set(n, attempt);
      if (options.fail?.(n, attempt)) {
        throw new Error(`invocation ${attempt} of event ${n} fails`);
      }
      received.push(n);
    },
  });
  return { bus, received, attempts, givenUp };
}

describe("sandbox/event-bus: EventBridge stand-in", () => {
  describe("matchesPattern", () => {
    const cases: [string, unknown, boolean][] = [
      ["an Object Created event under tenants/ in a listed bucket", event(1), true],
      ["another listed detail type", event(1, undefined, "Object Tags Deleted"), true],
      ["a detail type not listed", event(1, undefined, "Object Restore Completed"), false],
      ["a key outside tenants/", event(1, "quarantine/tenants/acme/x"), false],
      ["another source", { ...event(1), source: "aws.guardduty" }, false],
      ["a bucket not listed", { ...event(1), detail: { bucket: { name: "logs" }, object: { key: "tenants/a" } } }, false],
      ["no detail at all", { source: "aws.s3", "detail-type": "Object Created" }, false],
    ];
    for (const [name, e, expected] of cases) {
      it(`${expected ? "matches" : "does not match"} ${name}`, () => assert.equal(matchesPattern(INDEXER_PATTERN, e), expected));
    }

    it("matches exists: false only when the field is absent, and an array field by any element", () => {
      assert.equal(matchesPattern({ detail: { reason: [{ exists: false }] } }, event(1)), true);
      assert.equal(matchesPattern({ detail: { reason: [{ exists: true }] } }, event(1)), false);
      assert.equal(matchesPattern({ resources: ["arn:aws:s3:::pool"] }, { resources: ["arn:aws:s3:::other", "arn:aws:s3:::pool"] }), true);
    });
  });

  describe("delivery", () => {
    it("never runs a target inside publish: delivery is asynchronous", async () => {
      const { bus, received } = recordingBus();
      bus.publish(event(1));
      assert.deepEqual(received, []);
      await bus.drain();
      assert.deepEqual(received, [1]);
    });

    it("delivers only what a rule matches, and counts the rest unmatched", async () => {
      const { bus, received } = recordingBus();
      bus.publish(event(1));
      bus.publish(event(2, "quarantine/x"));
      await bus.drain();
      assert.deepEqual(received, [1]);
      assert.equal(bus.stats.unmatched, 1);
    });

    it("retries a failed invocation twice, as Lambda retries an asynchronous invocation", async () => {
      const { bus, received, attempts, givenUp } = recordingBus({ fail: (_n, attempt) => attempt < 3 });
      bus.publish(event(1));
      await bus.drain();
      assert.deepEqual(received, [1]);
      assert.equal(attempts.get(1), 3);
      assert.deepEqual(givenUp, []);
      assert.equal(bus.stats.failedAttempts, 2);
    });

    it("gives up after the third failed attempt and reports the event", async () => {
      const { bus, received, attempts, givenUp } = recordingBus({ fail: () => true });
      bus.publish(event(1));
      await bus.drain();
      assert.deepEqual(received, []);
      assert.equal(attempts.get(1), 3);
      assert.deepEqual(givenUp, [{ target: "indexer", n: 1 }]);
    });

    it("waits the configured delays between attempts", async () => {
      const { bus } = recordingBus({ fail: (_n, attempt) => attempt < 3, retryDelaysMs: [40, 80] });
      const started = Date.now();
      bus.publish(event(1));
      await bus.drain();
      assert.ok(Date.now() - started >= 110, `${Date.now() - started} ms`);
    });

    it("drain resolves at once when idle, and close forgets what was not delivered yet", async () => {
      const { bus, received } = recordingBus({ faults: { delayMs: () => 10_000 } });
      await new EventBus().drain();
      bus.publish(event(1));
      await bus.close();
      await bus.drain();
      assert.deepEqual(received, []);
      bus.publish(event(2));
      await bus.drain();
      assert.deepEqual(received, []);
    });

    it("gives each target its own copy of the event", async () => {
      const bus = new EventBus();
      const seen: unknown[] = [];
      for (const name of ["a", "b"]) {
        bus.addTarget({
          name,
          pattern: { source: ["aws.s3"] },
          invoke: async (e) => {
            seen.push(structuredClone(e.detail));
            (e.detail as { object: { key: string } }).object.key = "changed by a target";
          },
        });
      }
      bus.publish(event(1));
      await bus.drain();
      assert.deepEqual(seen, [event(1).detail, event(1).detail]);
    });
  });

  describe("faults (seeded)", () => {
    const publishAll = async (faults: BusFaults, count = 200) => {
      const r = recordingBus({ faults });
      for (let n = 0; n < count; n++) {
        r.bus.publish(event(n));
      }
      await r.bus.drain();
      return r;
    };

    it("mulberry32: the same seed gives the same numbers, another seed others", () => {
      const a = mulberry32(7);
      const b = mulberry32(7);
      const c = mulberry32(8);
      const first = Array.from({ length: 5 }, a);
      assert.deepEqual(Array.from({ length: 5 }, b), first);
      assert.notDeepEqual(Array.from({ length: 5 }, c), first);
      assert.ok(first.every((x) => x >= 0 && x < 1));
    });

    it("drops about 10% of events, the same ones for the same seed", async () => {
      const one = await publishAll(seededFaults({ seed: 42, drop: 0.1 }));
      const two = await publishAll(seededFaults({ seed: 42, drop: 0.1 }));
      const other = await publishAll(seededFaults({ seed: 43, drop: 0.1 }));
      const lost = (r: { received: number[] }) => Array.from({ length: 200 }, (_, n) => n).filter((n) => !r.received.includes(n));
      assert.deepEqual(lost(one), lost(two));
      assert.notDeepEqual(lost(one), lost(other));
      assert.ok(lost(one).length >= 8 && lost(one).length <= 35, `${lost(one).length} of 200 dropped`);
      assert.equal(one.bus.stats.dropped, lost(one).length);
    });

    it("the same seed drops the same events whatever else is injected", async () => {
      const plain = await publishAll(seededFaults({ seed: 5, drop: 0.1 }));
      const noisy = await publishAll(seededFaults({ seed: 5, drop: 0.1, duplicate: 0.3, maxDelayMs: 5 }));
      assert.deepEqual([...new Set(noisy.received)].sort((a, b) => a - b), [...plain.received].sort((a, b) => a - b));
    });

    it("duplicates events (same id), the same ones for the same seed", async () => {
      const ids: string[] = [];
      const bus = new EventBus({ faults: seededFaults({ seed: 9, duplicate: 0.2 }) });
      bus.addTarget({ name: "t", pattern: { source: ["aws.s3"] }, invoke: async (e) => void ids.push(String(e.id)) });
      for (let n = 0; n < 100; n++) {
        bus.publish(event(n));
      }
      await bus.drain();
      const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
      assert.ok(twice.length >= 8 && twice.length <= 35, `${twice.length} of 100 duplicated`);
      assert.equal(bus.stats.duplicated, twice.length);
      const again = await publishAll(seededFaults({ seed: 9, duplicate: 0.2 }), 100);
      assert.deepEqual(
        again.received.filter((n, i) => again.received.indexOf(n) !== i).sort((a, b) => a - b),
        twice.map((id) => Number(id.slice("event-".length))).sort((a, b) => a - b),
      );
    });

    it("reorders events with seeded delays: the same delays for the same seed, arrivals in their order", async () => {
      const faults = seededFaults({ seed: 11, maxDelayMs: 200 });
      const delays = Array.from({ length: 30 }, (_, n) => faults.delayMs!(event(n), n, 0));
      assert.deepEqual(delays, Array.from({ length: 30 }, (_, n) => seededFaults({ seed: 11, maxDelayMs: 200 }).delayMs!(event(n), n, 0)));
      const { received } = await publishAll(faults, 30);
      const inOrder = Array.from({ length: 30 }, (_, n) => n);
      assert.notDeepEqual(received, inOrder);
      assert.deepEqual([...received].sort((a, b) => a - b), inOrder);
      // Timers are not exact under load: only events whose delays differ by more than 20 ms must keep their order.
      received.forEach((a, i) =>
        received.slice(i + 1).forEach((b) => assert.ok(delays[a] <= delays[b] + 20, `event ${a} (${delays[a]} ms) arrived before event ${b} (${delays[b]} ms)`)),
      );
    });

    it("takes hand-written faults too: drop every third event", async () => {
      const { received } = await publishAll({ drop: (_e, n) => n % 3 === 0 }, 9);
      assert.deepEqual(received, [1, 2, 4, 5, 7, 8]);
    });
  });
});
