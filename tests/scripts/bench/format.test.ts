import * as assert from "node:assert/strict";
import { count, kb, kbToBytes, ms, ratio } from "../../../scripts/bench/format";

describe("scripts/bench/format", () => {
  const cases: [string, string, string][] = [
    ["count", count(1000), "1,000"],
    ["count with decimals", count(1.2345, 2), "1.23"],
    ["ms below 10 keeps a decimal", ms(4.26), "4.3 ms"],
    ["ms above 10 is whole", ms(1234.6), "1,235 ms"],
    ["kb is of 1,024 bytes", kb(1536), "1.5 KB"],
    ["ratio", ratio(0.1234), "0.12×"],
    ["a tiny ratio keeps a significant digit", ratio(0.004), "0.004×"],
    ["a zero ratio", ratio(0), "0.00×"],
    ["a ratio of nothing", ratio(Number.NaN), "n/a"],
  ];
  for (const [label, actual, expected] of cases) {
    it(label, () => assert.equal(actual, expected));
  }

  it("converts a KB limit back to bytes with the same unit", () => {
    assert.equal(kbToBytes(300), 307_200);
  });
});
