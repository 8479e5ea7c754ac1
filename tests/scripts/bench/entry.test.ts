import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../../..");

function bench(...args: string[]) {
  return spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/bench.ts", ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("scripts/bench.ts (the entry)", function () {
  this.timeout(60_000);

  it("prints its usage for --help and exits 0", () => {
    const run = bench("--help");
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^usage: npm run bench -- \[--quick\] \[--json <file>\] \[--only <section,\.\.\.>\]/);
    assert.match(run.stdout, /--only +run only these sections, comma-separated: program, policy, presign, upload, lambda, index/);
  });

  it("exits 2 on a usage error, saying what is wrong on stderr and measuring nothing", () => {
    const run = bench("--only", "disk");
    assert.equal(run.status, 2);
    assert.match(run.stderr, /bench: --only takes section names from program, policy, presign, upload, lambda, index, got "disk"\nusage:/);
    assert.equal(run.stdout, "");
  });
});
