import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { BUNDLE_TARGET, bundleHandler, FUNCTIONS_DIR, RUNTIME_SDK_SCOPE } from "../../infra/api/bundle";
import { FUNCTION_NAMES, type FunctionName } from "../../infra/api/catalog";
import { measureInit, measureInits, probeEnvironment } from "./cold-start";
import { kb, kbToBytes, ms, ratio } from "./format";
import { BENCH_REGION, benchFunctionEnvironment } from "./lambda-environment";
import { type Bench, type BenchRow, type LambdaJson } from "./types";

export const BUNDLE_LIMIT_KB = 300;
export const INIT_LIMIT_MS = 50;

/** The runtime's SDK packages a bundle leaves to `require`, as esbuild wrote them. */
export function runtimeSdkRequires(code: string): string[] {
  const ids = [...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]);
  return [...new Set(ids.filter((id) => id.startsWith(RUNTIME_SDK_SCOPE)))].sort();
}

/**
 * The reference for size: the same handler bundled the naive way, SDK and all (what a function
 * that did not rely on the runtime's SDK would ship). Otherwise the options `bundleHandler` uses.
 */
export function inlinedSdkBytes(name: FunctionName): number {
  const result = buildSync({
    entryPoints: [path.join(FUNCTIONS_DIR, name, "handler.ts")],
    absWorkingDir: FUNCTIONS_DIR,
    bundle: true,
    platform: "node",
    target: BUNDLE_TARGET,
    format: "cjs",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].contents.byteLength;
}

const shortNames = (ids: string[]) => ids.map((id) => id.slice(RUNTIME_SDK_SCOPE.length)).join(", ");

/**
 * Section 5, Lambda cold start: per handler, the deployed bundle's size and the time a fresh Node
 * process takes to `require()` it with the environment the program sets (module scope builds the
 * config, logger and clients, as in Lambda's init phase); against Node's own boot in the same processes.
 */
export const benchLambda: Bench<LambdaJson[]> = (options) => lambdaBench(options.quick ? 3 : 7)(options);

/** The section with `runs` fresh processes per measurement, for some functions (tests use one, and few). */
export const lambdaBench = (runs: number, functions: readonly FunctionName[] = FUNCTION_NAMES): Bench<LambdaJson[]> => async ({ note }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mobile-s3-bench-lambda-"));
  try {
    const baseEnv = probeEnvironment({ AWS_REGION: BENCH_REGION });
    const bare = measureInit([], baseEnv, dir, runs);
    note(`node's own boot ${ms(bare.bootMs)} (median of ${runs} fresh processes)`);
    const json: LambdaJson[] = [];
    const rows: BenchRow[] = [];
    for (const name of functions) {
      const code = bundleHandler(name);
      const bytes = Buffer.byteLength(code);
      const file = path.join(dir, `${name}.js`);
      writeFileSync(file, code);
      const env = probeEnvironment({ AWS_REGION: BENCH_REGION, ...benchFunctionEnvironment(name) });
      const sdk = runtimeSdkRequires(code);
      const [init, sdkInit] = measureInits(sdk.length > 0 ? [[file], sdk] : [[file]], env, dir, runs);
      const inlined = inlinedSdkBytes(name);
      note(`${name}: ${kb(bytes)}, init ${ms(init.initMs)}${sdkInit ? `, SDK alone ${ms(sdkInit.initMs)}` : ""}`);

      json.push({
        name,
        bytes,
        initMs: init.initMs,
        initSamplesMs: init.samplesMs,
        bootMs: init.bootMs,
        inlinedSdkBytes: inlined,
        sdkPackages: sdk,
        ...(sdkInit ? { sdkInitMs: sdkInit.initMs } : {}),
      });
      rows.push(
        {
          measure: `lambda ${name}: minified bundle`,
          value: kb(bytes),
          reference: `${kb(inlined)} with the SDK bundled in`,
          ratio: ratio(bytes / inlined),
          target: `≤ ${BUNDLE_LIMIT_KB} KB`,
          met: bytes <= kbToBytes(BUNDLE_LIMIT_KB),
        },
        {
          measure: `lambda ${name}: module init in a fresh process (median of ${runs})`,
          value: ms(init.initMs),
          reference: `node's own boot ${ms(bare.bootMs)}`,
          ratio: ratio(init.initMs / bare.bootMs),
          target: `≤ ${INIT_LIMIT_MS} ms`,
          met: init.initMs <= INIT_LIMIT_MS,
        },
      );
      if (sdkInit) {
        rows.push({
          measure: `lambda ${name}: of which the runtime's SDK alone (${shortNames(sdk)})`,
          value: ms(sdkInit.initMs),
          reference: `module init ${ms(init.initMs)}`,
          ratio: ratio(sdkInit.initMs / init.initMs),
          target: "",
        });
      }
    }
    return { json, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
