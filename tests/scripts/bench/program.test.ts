import * as assert from "node:assert/strict";
import { runProgram } from "../../../offline/run-program";
import { measureTier, perTenantOf, programBench, RESOURCES_PER_TENANT_LIMIT } from "../../../scripts/bench/program";
import { BENCH_CONFIG_FILE, BENCH_STACK, cloudResources, tierConfig } from "../../../scripts/bench/tenants";

const quiet = { quick: true, note: () => undefined };

// Evaluates the real program under mocks at tiny sizes; no assertion is about time.
describe("scripts/bench/program", function () {
  this.timeout(180_000);

  it("counts per tenant exactly the resources named after the tenants added", async () => {
    for (const [tier, profile] of [
      ["bucket", "full"],
      ["accessPoint", "full"],
    ] as const) {
      const measured = await measureTier({ tier, profile, sizes: [1, 3] }, 1);
      const one = await runProgram({ stack: BENCH_STACK, configFile: BENCH_CONFIG_FILE, config: tierConfig(tier, 1, profile) });
      const three = await runProgram({ stack: BENCH_STACK, configFile: BENCH_CONFIG_FILE, config: tierConfig(tier, 3, profile) });
      const before = new Set(one.resources.map((r) => r.urn));
      const added = three.resources.filter((r) => r.custom && !before.has(r.urn));
      assert.ok(added.every((r) => /-t[23]$/.test(r.name)), added.map((r) => r.name).join());
      assert.equal(perTenantOf(measured.sizes), added.length / 2, tier);
      assert.deepEqual(
        measured.sizes.map((s) => s.resources),
        [cloudResources(one), cloudResources(three)],
      );
    }
  });

  it("reports every tier in the JSON shape the issue asks for, with a row per figure", async () => {
    const { json, rows } = await programBench({ asked: [1, 2], runs: 1 })(quiet);
    assert.deepEqual(Object.keys(json), ["pooled", "accessPoint", "bucket"]);
    for (const [tier, figures] of Object.entries(json)) {
      assert.equal(typeof figures.resourcesPerTenant, "number", tier);
      assert.equal(typeof figures.ratio1000to1, "number", tier);
      assert.ok(figures.ratio1000to1 > 0, tier);
      assert.equal(figures.tenants, 2, tier);
      assert.equal(figures.profile, "full", tier);
    }
    assert.deepEqual(
      Object.fromEntries(Object.entries(json).map(([tier, f]) => [tier, f.resourcesPerTenant])),
      // A bucket tenant in the full profile: its bucket and 7 settings, its EventBridge notification (the indexer) and its GuardDuty plan.
      { pooled: 0, accessPoint: 1, bucket: 10 },
    );
    for (const tier of ["pooled", "accessPoint", "bucket"] as const) {
      const resourceRow = rows.find((r) => r.measure.startsWith(`program ${tier}: cloud resources per tenant`))!;
      assert.equal(resourceRow.met, json[tier].resourcesPerTenant <= RESOURCES_PER_TENANT_LIMIT[tier]);
      assert.ok(rows.some((r) => r.measure.startsWith(`program ${tier}: mock evaluation (full profile, N = 2)`)));
    }
    // Only the pooled tier's time has a target.
    assert.deepEqual(
      rows.filter((r) => r.met !== undefined && r.measure.includes("mock evaluation")).map((r) => r.measure.split(":")[0]),
      ["program pooled"],
    );
  });
});
