import { FUNCTION_NAMES, type FunctionName } from "@mobile-s3/contract";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { BUNDLE_TARGET, bundleHandler, FUNCTIONS_DIR, RUNTIME_SDK_SCOPE } from "../../infra/api/bundle";
import { type FirstRequestMeasurement, type InitMeasurement, isFirstRequest, measureInit, measureTasks, type ProbeTask, probeEnvironment } from "./cold-start";
import { kb, kbToBytes, ms, ratio } from "./format";
import { BENCH_REGION, benchFunctionEnvironment } from "./lambda-environment";
import { clamscanStandIn, firstRequestEnvironment, firstRequests, storedUpload } from "./lambda-requests";
import { startLoopbackAws } from "./loopback-aws";
import { type Bench, type BenchRow, type LambdaJson } from "./types";

export const BUNDLE_LIMIT_KB = 300;
export const INIT_LIMIT_MS = 50;

/** The runtime's SDK packages a bundle leaves to `require`, as esbuild wrote them (at module scope or on first use). */
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

/** A first request that failed measures a path no user takes; the benchmark refuses to report it. */
function checkOutcomes(name: string, measurements: FirstRequestMeasurement[]): void {
  const bad = measurements.flatMap((m) => m.outcomes).filter((o) => o !== "resolved" && !/^2\d\d$/.test(o));
  if (bad.length > 0) {
    throw new Error(`lambda ${name}: the first request answered ${[...new Set(bad)].join(", ")} instead of succeeding; nothing to measure`);
  }
}

function firstRequestOf(m: InitMeasurement | FirstRequestMeasurement): FirstRequestMeasurement {
  if (!isFirstRequest(m)) {
    throw new Error("a probe with an event gave no first request");
  }
  return m;
}

/**
 * Section 5, Lambda cold start: per handler, the deployed bundle's size and the time a fresh Node
 * process takes to `require()` it (module scope builds the config and logger, as in Lambda's init
 * phase), against Node's own boot. The SDK and its clients load with a function's first call that
 * needs them, not at init, so the same processes then serve one first request (lambda-requests.ts)
 * with every AWS call answered on the loopback (loopback-aws.ts): "module init + first request" is
 * what a cold request waits for after Node's boot, which loading lazily moves but cannot shrink.
 * Its reference is the same with the SDK packages the bundle names required before the bundle, as
 * its module-scope imports did before they were made lazy.
 */
export const benchLambda: Bench<LambdaJson[]> = (options) => lambdaBench(options.quick ? 3 : 7)(options);

/** The section with `runs` fresh processes per measurement, for some functions (tests use one, and few). */
export const lambdaBench = (runs: number, functions: readonly FunctionName[] = FUNCTION_NAMES): Bench<LambdaJson[]> => async ({ note }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mobile-s3-bench-lambda-"));
  // The CloudFront key cdn-session reads from "Secrets Manager": any RSA key signs as well.
  const cdnKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const now = new Date();
  const aws = await startLoopbackAws(cdnKey, [storedUpload(now)]);
  try {
    const baseEnv = probeEnvironment({ AWS_REGION: BENCH_REGION });
    const bare = await measureInit([], baseEnv, dir, runs);
    note(`node's own boot ${ms(bare.bootMs)} (median of ${runs} fresh processes); AWS calls answered by a stand-in at ${aws.endpoint}`);
    const requests = firstRequests(now);
    const clamscan = clamscanStandIn(dir);
    const json: LambdaJson[] = [];
    const rows: BenchRow[] = [];
    for (const name of functions) {
      const code = bundleHandler(name);
      const bytes = Buffer.byteLength(code);
      const file = path.join(dir, `${name}.js`);
      writeFileSync(file, code);
      // The program's settings, plus what a first request needs here (not read at init).
      const programEnv = benchFunctionEnvironment(name);
      const env = probeEnvironment({ AWS_REGION: BENCH_REGION, ...programEnv, ...firstRequestEnvironment(aws.endpoint, clamscan, programEnv) });
      const sdk = runtimeSdkRequires(code);
      const { route, event } = requests[name];
      // As deployed; and with every SDK package the bundle names required first, as before they loaded lazily.
      const tasks: ProbeTask[] = [
        { modules: [file], event },
        { modules: [...sdk, file], event },
      ];
      aws.take();
      const [deployed, eager] = (await measureTasks(tasks, env, dir, runs)).map(firstRequestOf);
      checkOutcomes(name, [deployed, eager]);
      const awsCalls = [...new Set(aws.take())];
      // What of it is the SDK: the packages the first request loaded (the presigner, a fallback, is not one).
      const needed = sdk.filter((id) => deployed.sdkAfterRequest.includes(id));
      const sdkAlone = needed.length > 0 ? await measureInit(needed, env, dir, runs) : undefined;
      const outcome = deployed.outcomes.join("/");
      const inlined = inlinedSdkBytes(name);
      note(
        `${name}: ${kb(bytes)}, init ${ms(deployed.initMs)} (SDK at init: ${shortNames(deployed.sdkAtInit) || "none"}), ` +
          `init + first request ${ms(deployed.coldStartMs)} (${route} → ${outcome}; AWS calls: ${awsCalls.join(", ") || "none"}), ` +
          `with the SDK at init ${ms(eager.initMs)} + ${ms(eager.firstRequestMs)}${sdkAlone ? `, SDK alone ${ms(sdkAlone.initMs)}` : ""}`,
      );

      json.push({
        name,
        bytes,
        initMs: deployed.initMs,
        initSamplesMs: deployed.samplesMs,
        bootMs: deployed.bootMs,
        firstRequestMs: deployed.coldStartMs,
        firstRequestSamplesMs: deployed.coldStartSamplesMs,
        requestMs: deployed.firstRequestMs,
        firstRequest: { route, outcome, awsCalls },
        sdkLoadedAtInit: deployed.sdkAtInit,
        sdkLoadedByFirstRequest: deployed.sdkAfterRequest,
        sdkAtInitReference: { initMs: eager.initMs, firstRequestMs: eager.coldStartMs, requestMs: eager.firstRequestMs },
        inlinedSdkBytes: inlined,
        sdkPackages: sdk,
        ...(sdkAlone ? { sdkInitMs: sdkAlone.initMs } : {}),
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
          value: ms(deployed.initMs),
          reference: `node's own boot ${ms(bare.bootMs)}`,
          ratio: ratio(deployed.initMs / bare.bootMs),
          target: `≤ ${INIT_LIMIT_MS} ms`,
          met: deployed.initMs <= INIT_LIMIT_MS,
        },
        {
          measure: `lambda ${name}: module init + first request, ${route} → ${outcome} (median of ${runs})`,
          value: ms(deployed.coldStartMs),
          reference: `${ms(eager.coldStartMs)} with the SDK loaded at init`,
          ratio: ratio(deployed.coldStartMs / eager.coldStartMs),
          target: "",
        },
      );
      if (sdkAlone) {
        rows.push({
          measure: `lambda ${name}: of which loading the runtime's SDK it needs (${shortNames(needed)})`,
          value: ms(sdkAlone.initMs),
          reference: `init + first request ${ms(deployed.coldStartMs)}`,
          ratio: ratio(sdkAlone.initMs / deployed.coldStartMs),
          target: "",
        });
      }
    }
    return { json, rows };
  } finally {
    await aws.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
