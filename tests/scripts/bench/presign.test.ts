import * as assert from "node:assert/strict";
import { benchPresign } from "../../../scripts/bench/presign";

// Runs the presign section as `npm run bench -- --quick` does; no assertion is about time. It broke
// once unseen (its stand-in upload record no longer parsed), which only a run shows.
describe("scripts/bench/presign", function () {
  this.timeout(120_000);

  it("signs part URLs through the S3 adapter and the uploads function, and reports every row", async () => {
    const notes: string[] = [];
    const { json, rows } = await benchPresign({ quick: true, note: (m) => notes.push(m) });
    assert.ok((json.uploadsFunctionUrlsPerSecond as number) > 0);
    assert.ok(!rows.some((r) => /section failed/.test(r.measure)), JSON.stringify(rows));
    assert.ok(rows.some((r) => r.measure.startsWith("presign: part URLs per second through the uploads function")));
    assert.ok(rows.some((r) => r.measure.startsWith("presign: largest batch answer")));
  });
});
