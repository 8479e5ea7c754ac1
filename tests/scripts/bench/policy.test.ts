import * as assert from "node:assert/strict";
import { policyBench } from "../../../scripts/bench/policy";

// Starts the real policy pack once; no assertion is about time.
describe("scripts/bench/policy", function () {
  this.timeout(180_000);

  it("analyses the example stack through the pack and reports the overhead in the JSON shape the issue asks for", async () => {
    const notes: string[] = [];
    const { json, rows } = await policyBench(1)({ quick: true, note: (m) => notes.push(m) });
    assert.equal(typeof json.overheadRatio, "number");
    assert.ok(json.overheadRatio > 0);
    assert.equal(json.overheadRatio, (json.analysisMs as number) / (json.evaluationMs as number));
    assert.deepEqual(json.findings, { mandatory: 0, advisory: 0 }, "the example passes its own pack");
    assert.ok((json.resources as number) > 100);
    const judged = rows.filter((r) => r.met !== undefined);
    assert.equal(judged.length, 1);
    assert.match(judged[0].measure, /^policy: analyse the planned stack \(\d+ resources/);
    assert.equal(judged[0].target, "≤ 0.10×");
    assert.ok(rows.some((r) => r.measure.startsWith("policy: pack start")));
    assert.ok(rows.some((r) => r.measure.startsWith("policy: floor")));
  });
});
