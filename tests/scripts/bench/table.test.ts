import * as assert from "node:assert/strict";
import { formatTable, metMark } from "../../../scripts/bench/table";
import { type BenchRow } from "../../../scripts/bench/types";

const row = (over: Partial<BenchRow> = {}): BenchRow => ({
  measure: "presign: URLs per second",
  value: "31,250 URLs/s",
  reference: "floor 281,000/s",
  ratio: "0.11×",
  target: "≥ 20,000 URLs/s",
  met: true,
  ...over,
});

describe("scripts/bench/table", () => {
  it("marks met ✓, missed ✗, and leaves an informational row blank", () => {
    assert.deepEqual([metMark(true), metMark(false), metMark(undefined)], ["✓", "✗", ""]);
  });

  it("prints a header, a rule and one line per row, every line as wide as the others", () => {
    const lines = formatTable([row(), row({ measure: "x", value: "1 ms", met: false }), row({ met: undefined, target: "" })]).split("\n");
    assert.equal(lines.length, 5);
    assert.match(lines[0], /^\| measure +\| +value \| reference +\| ratio \| target +\| met \|$/);
    assert.match(lines[1], /^\|-+\|-+:\|-+\|-+:\|-+\|-+\|$/);
    assert.equal(new Set(lines.map((l) => l.length)).size, 1, lines.join("\n"));
    assert.match(lines[2], /\| ✓ +\|$/);
    assert.match(lines[3], /\| ✗ +\|$/);
    assert.match(lines[4], /\|  +\|$/);
  });

  it("right-aligns values and ratios, left-aligns the rest", () => {
    const [, , wide, narrow] = formatTable([row(), row({ measure: "m", value: "7 ms", ratio: "1.5×" })]).split("\n");
    const cell = (line: string, i: number) => line.split(" | ")[i];
    assert.equal(cell(narrow, 1).trim(), "7 ms");
    assert.ok(cell(narrow, 1).startsWith(" "), "value padded on the left");
    assert.ok(cell(narrow, 0).endsWith(" "), "measure padded on the right");
    assert.equal(cell(narrow, 1).length, cell(wide, 1).length);
  });

  it("escapes a pipe inside a cell, which would otherwise end it", () => {
    const [, , line] = formatTable([row({ value: "a|b" })]).split("\n");
    assert.ok(line.includes("a\\|b"));
  });

  it("prints just the header for no rows", () => {
    assert.equal(formatTable([]).split("\n").length, 2);
  });
});
