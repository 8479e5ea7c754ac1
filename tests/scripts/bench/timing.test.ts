import * as assert from "node:assert/strict";
import { collectGarbage, interleaved, median, sampled } from "../../../scripts/bench/timing";

// No assertion here is about how long anything takes: a slow machine must never fail a test.
describe("scripts/bench/timing", () => {
  const medians: [number[], number][] = [
    [[3], 3],
    [[5, 1, 3], 3],
    [[4, 1, 3, 2], 2.5],
  ];
  for (const [values, expected] of medians) {
    it(`median of ${JSON.stringify(values)} is ${expected}`, () => assert.equal(median(values), expected));
  }

  it("refuses the median of nothing", () => {
    assert.throws(() => median([]), /median of no values/);
  });

  it("takes turns between the pieces of work and keeps each one's samples and last value", async () => {
    const order: string[] = [];
    const work = (name: string) => async () => {
      order.push(name);
      return `${name}${order.length}`;
    };
    const [a, b] = await interleaved(3, [work("a"), work("b")]);
    assert.deepEqual(order, ["a", "b", "a", "b", "a", "b"]);
    assert.equal(a.samplesMs.length, 3);
    assert.equal(b.samplesMs.length, 3);
    assert.deepEqual([a.last, b.last], ["a5", "b6"]);
    assert.ok(a.samplesMs.every((s) => s >= 0));
    assert.equal(a.medianMs, median(a.samplesMs));
  });

  it("refuses a number of runs that is not a positive integer", async () => {
    await assert.rejects(sampled(0, async () => 1), /runs must be a positive integer, got 0/);
    await assert.rejects(sampled(1.5, async () => 1), /runs must be a positive integer/);
  });

  it("can force a garbage collection without node's --expose-gc", () => {
    assert.doesNotThrow(() => collectGarbage());
  });
});
