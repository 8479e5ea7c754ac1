import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadCdnSessionConfig } from "../../../functions/cdn-session/core";
import { loadObjectsConfig } from "../../../functions/objects/core";
import { loadProxyConfig } from "../../../functions/proxy/core";
import { loadScanConfig } from "../../../functions/scan/core";
import { loadUploadsConfig } from "../../../functions/uploads/core";
import { FUNCTION_NAMES, type FunctionName } from "../../../infra/api/catalog";
import { measureInit, parseProbeOutput, probeEnvironment, probeScript } from "../../../scripts/bench/cold-start";
import { lambdaBench, runtimeSdkRequires } from "../../../scripts/bench/lambda";
import { benchFunctionEnvironment } from "../../../scripts/bench/lambda-environment";

const LOADERS: Record<FunctionName, (env: Record<string, string>) => unknown> = {
  uploads: loadUploadsConfig,
  objects: loadObjectsConfig,
  "cdn-session": loadCdnSessionConfig,
  proxy: loadProxyConfig,
  scan: loadScanConfig,
};

// Spawns fresh node processes; no assertion is about how long they take.
describe("scripts/bench/lambda", function () {
  this.timeout(120_000);

  it("finds the runtime's SDK packages a bundle requires, once each, and nothing else", () => {
    const code = 'var a=require("@aws-sdk/client-s3"),b=require("node:crypto"),c=require("@aws-sdk/client-s3");require("@aws-sdk/s3-request-presigner");';
    assert.deepEqual(runtimeSdkRequires(code), ["@aws-sdk/client-s3", "@aws-sdk/s3-request-presigner"]);
  });

  for (const fn of FUNCTION_NAMES) {
    it(`gives ${fn} an environment its own config loader accepts at cold start`, () => {
      assert.doesNotThrow(() => LOADERS[fn](benchFunctionEnvironment(fn)));
    });
  }

  it("builds the child's environment from nothing, so an inherited NODE_OPTIONS is not timed", () => {
    const previous = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = "-r ts-node/register";
    try {
      const env = probeEnvironment({ AWS_REGION: "eu-central-1" });
      assert.equal(env.NODE_OPTIONS, undefined);
      assert.equal(env.AWS_REGION, "eu-central-1");
      assert.match(env.NODE_PATH, /node_modules$/);
    } finally {
      if (previous === undefined) {
        delete process.env.NODE_OPTIONS;
      } else {
        process.env.NODE_OPTIONS = previous;
      }
    }
  });

  it("reads the probe's output, and refuses anything else", () => {
    assert.deepEqual(parseProbeOutput('{"bootMs":20.5,"initMs":3}\n'), { bootMs: 20.5, initMs: 3 });
    assert.throws(() => parseProbeOutput('{"initMs":3}'), /instead of \{bootMs, initMs\}/);
  });

  describe("in fresh processes", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), "mobile-s3-bench-test-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("requires the module in a fresh process with the given environment, once per run", () => {
      const file = path.join(dir, "probe-target.js");
      writeFileSync(file, 'if (process.env.MARK !== "yes") throw new Error("no MARK");\nglobalThis.loaded = (globalThis.loaded || 0) + 1;\n');
      const init = measureInit([file], probeEnvironment({ MARK: "yes" }), dir, 2);
      assert.equal(init.samplesMs.length, 2);
      assert.ok(init.initMs >= 0 && init.bootMs > 0);
      assert.match(probeScript([file]), /require\(id\)/);
    });

    it("fails naming the module when the fresh process cannot require it", () => {
      const file = path.join(dir, "throws.js");
      writeFileSync(file, 'throw new Error("environment variable TENANT_ROUTING is required but not set");\n');
      assert.throws(() => measureInit([file], probeEnvironment({}), dir, 1), /could not require .*throws\.js: .*TENANT_ROUTING/);
    });
  });

  it("reports size and init per function in the JSON shape the issue asks for", async () => {
    const { json, rows } = await lambdaBench(1, ["objects", "scan"])({ quick: true, note: () => undefined });
    assert.deepEqual(
      json.map((j) => j.name),
      ["objects", "scan"],
    );
    for (const j of json) {
      assert.ok(j.bytes > 0 && j.bytes < (j.inlinedSdkBytes as number), `${j.name}: the SDK stays out of the bundle`);
      assert.ok(j.initMs > 0);
      assert.ok((j.sdkPackages as string[]).includes("@aws-sdk/client-s3"));
    }
    assert.deepEqual(
      rows.filter((r) => r.met !== undefined).map((r) => [r.measure.split(":")[0], r.target]),
      [
        ["lambda objects", "≤ 300 KB"],
        ["lambda objects", "≤ 50 ms"],
        ["lambda scan", "≤ 300 KB"],
        ["lambda scan", "≤ 50 ms"],
      ],
    );
  });
});
