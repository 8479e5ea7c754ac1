import * as assert from "node:assert/strict";
import { machineInfo } from "../../../scripts/bench/machine";
import { buildReport } from "../../../scripts/bench/report";
import { failedRow, type RunnableSection, runSections } from "../../../scripts/bench/run";
import { SECTION_NAMES } from "../../../scripts/bench/sections";
import { type BenchRow } from "../../../scripts/bench/types";

const row = (measure: string): BenchRow => ({ measure, value: "1", reference: "1", ratio: "1.00×", target: "", met: true });

describe("scripts/bench/run and report", () => {
  const notes: string[] = [];
  const options = { quick: true, note: (m: string) => notes.push(m) };
  const sections: RunnableSection[] = [
    { name: "program", load: async () => async () => ({ json: { pooled: { resourcesPerTenant: 0, ratio1000to1: 1 } }, rows: [row("p")] }) },
    { name: "presign", load: async () => async () => Promise.reject(new Error("not implemented yet\nstack…")) },
    {
      name: "upload",
      load: async () => {
        throw new Error("Cannot find module './upload'");
      },
    },
    { name: "lambda", load: async () => async ({ quick }) => ({ json: [{ name: "objects", bytes: 1, initMs: quick ? 1 : 2 }], rows: [row("l")] }) },
  ];

  it("keeps going past a section that throws, on loading or measuring, leaving a failed row for it", async () => {
    const outcomes = await runSections(sections, options);
    assert.deepEqual(
      outcomes.map((o) => [o.name, o.error]),
      [
        ["program", undefined],
        ["presign", "not implemented yet"],
        ["upload", "Cannot find module './upload'"],
        ["lambda", undefined],
      ],
    );
    assert.deepEqual(outcomes[1].rows, [failedRow("presign", "not implemented yet")]);
    assert.equal(outcomes[1].rows[0].met, false);
    assert.deepEqual(outcomes[3].json, [{ name: "objects", bytes: 1, initMs: 1 }], "options reach the section");
    assert.ok(notes.some((n) => n.startsWith("presign: failed: not implemented yet")));
    assert.ok(notes.some((n) => n.startsWith("lambda: done in")));
  });

  it("writes the figures of the sections that finished, lists the failed and the skipped, and keeps the table", async () => {
    const outcomes = await runSections(sections, options);
    const report = buildReport(machineInfo(), true, outcomes);
    assert.deepEqual(Object.keys(report.program!), ["pooled"]);
    assert.deepEqual(report.lambda, [{ name: "objects", bytes: 1, initMs: 1 }]);
    assert.equal(report.presign, undefined);
    assert.deepEqual(report.failed, [
      { section: "presign", error: "not implemented yet" },
      { section: "upload", error: "Cannot find module './upload'" },
    ]);
    assert.deepEqual(report.skipped, ["policy", "index"]);
    assert.deepEqual(
      report.table.map((r) => r.measure),
      ["p", "presign: section failed", "upload: section failed", "l"],
    );
    assert.deepEqual(Object.keys(report.durationsMs), ["program", "presign", "upload", "lambda"]);
    assert.equal(report.quick, true);
    // The JSON file is exactly this object.
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  });

  it("describes the machine: cpu, cores, memory, node and os", () => {
    const m = machineInfo();
    assert.equal(typeof m.cpuModel, "string");
    assert.ok(m.cores >= 1);
    assert.ok(m.memoryGiB > 0);
    assert.equal(m.node, process.version);
    assert.ok(m.os.length > 0);
  });

  it("knows every section of the issue, in the order they run", () => {
    assert.deepEqual([...SECTION_NAMES], ["program", "policy", "presign", "upload", "lambda", "index"]);
  });
});
