import { spawn } from "node:child_process";
import * as path from "node:path";
import { type Readable } from "node:stream";
import { PROJECT_ROOT } from "../../offline/stack-config";
import { median } from "./timing";

/** What one fresh process does: require `modules` in order, then optionally invoke the last one's `handler` once. */
export interface ProbeTask {
  modules: readonly string[];
  /** The event of the first request; JSON, as Lambda hands it over. */
  event?: unknown;
}

export interface InitSample {
  /** From the process's start to the first line of user code: Node's own boot. */
  bootMs: number;
  /** The `require()` of the modules, timed inside the process. */
  initMs: number;
  /** The runtime's SDK packages (`@aws-sdk/<name>`) in the module cache after init; looked up after timing. */
  sdkAtInit: string[];
  /** With an event: from the handler's call until its promise settles. */
  firstRequestMs?: number;
  /** With an event: the status code it answered, `resolved` for an answer without one, or `threw <Error name>`. */
  outcome?: string;
  /** With an event: the runtime's SDK packages in the module cache after the first request. */
  sdkAfterRequest?: string[];
}

/**
 * What the fresh process runs: the time since its start when user code begins, the modules required
 * one by one and timed with the monotonic clock, then the first request, timed on its own. Plain
 * JavaScript, so no loader is involved. It writes its one line to fd 3 and exits at once, so an
 * HTTP agent's idle sockets do not keep it alive.
 */
export function probeScript(task: ProbeTask): string {
  return [
    "const bootMs = performance.now();",
    "const start = process.hrtime.bigint();",
    "let exported;",
    `for (const id of ${JSON.stringify(task.modules)}) exported = require(id);`,
    "const initMs = Number(process.hrtime.bigint() - start) / 1e6;",
    "const sdkLoaded = () => [...new Set(Object.keys(require.cache).map((f) => /\\/node_modules\\/(@aws-sdk\\/[^/]+)\\//.exec(f)?.[1]).filter(Boolean))].sort();",
    "const sdkAtInit = sdkLoaded();",
    // fd 3, not stdout: stdout is the function's log, as in Lambda.
    'const done = (more) => { require("node:fs").writeSync(3, JSON.stringify({ bootMs, initMs, sdkAtInit, ...more })); process.exit(0); };',
    `const event = ${task.event === undefined ? "undefined" : JSON.stringify(task.event)};`,
    "if (event === undefined) {",
    "  done({});",
    "} else {",
    "  const called = process.hrtime.bigint();",
    "  Promise.resolve()",
    "    .then(() => exported.handler(event))",
    "    .then(",
    '      (r) => (r !== null && typeof r === "object" && typeof r.statusCode === "number" ? String(r.statusCode) : "resolved"),',
    '      (e) => `threw ${(e && e.name) || typeof e}`,',
    "    )",
    "    .then((outcome) => done({ firstRequestMs: Number(process.hrtime.bigint() - called) / 1e6, outcome, sdkAfterRequest: sdkLoaded() }));",
    "}",
  ].join("\n");
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === "string");

/** Reads the probe's one line of output. */
export function parseProbeOutput(stdout: string): InitSample {
  const sample = JSON.parse(stdout.trim()) as Partial<InitSample>;
  if (typeof sample.bootMs !== "number" || typeof sample.initMs !== "number" || !isStringList(sample.sdkAtInit)) {
    throw new Error(`the init probe printed ${JSON.stringify(stdout)} instead of {bootMs, initMs, sdkAtInit}`);
  }
  const out: InitSample = { bootMs: sample.bootMs, initMs: sample.initMs, sdkAtInit: sample.sdkAtInit };
  if (typeof sample.firstRequestMs === "number" && typeof sample.outcome === "string" && isStringList(sample.sdkAfterRequest)) {
    Object.assign(out, { firstRequestMs: sample.firstRequestMs, outcome: sample.outcome, sdkAfterRequest: sample.sdkAfterRequest });
  }
  return out;
}

/**
 * The environment of the fresh process, built from nothing: an inherited NODE_OPTIONS (ts-node, say)
 * would be timed too. Packages the runtime provides resolve from the repository's node_modules.
 */
export function probeEnvironment(variables: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    NODE_PATH: path.join(PROJECT_ROOT, "node_modules"),
    // The SDK warns about Node 20 at load; Lambda's Node 22 would not.
    NODE_NO_WARNINGS: "1",
    ...variables,
  };
}

/** The error a crashed process printed (`SomethingError: message`), else its last lines. */
export function thrown(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.slice(-3).join(" / ");
}

const PROBE_TIMEOUT_MS = 60_000;

/**
 * One fresh `node` process running `task`. Asynchronous, so this process stays free to answer the
 * first request's calls (scripts/bench/loopback-aws.ts) while the child waits for them.
 */
export function probeOnce(task: ProbeTask, env: Record<string, string>, cwd: string): Promise<InitSample> {
  const what = task.modules.join(", ") || "nothing";
  return new Promise((resolve, reject) => {
    // The function logs to stdout, which is read and dropped (Lambda reads it too); the result comes on fd 3.
    const child = spawn(process.execPath, ["-e", probeScript(task)], { env, cwd, stdio: ["ignore", "pipe", "pipe", "pipe"] });
    let result = "";
    let stderr = "";
    child.stdout!.resume();
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    (child.stdio[3] as Readable).setEncoding("utf8").on("data", (chunk: string) => (result += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), PROBE_TIMEOUT_MS);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`a fresh node process could not require ${what}: ${err.message}`, { cause: err }));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) {
        const why = signal === "SIGKILL" ? `no answer within ${PROBE_TIMEOUT_MS / 1000} s` : thrown(stderr);
        reject(new Error(`a fresh node process could not require ${what}: ${why}`));
        return;
      }
      try {
        resolve(parseProbeOutput(result));
      } catch (err) {
        reject(err);
      }
    });
  });
}

export interface InitMeasurement {
  initMs: number;
  bootMs: number;
  samplesMs: number[];
  /** Union over the runs. */
  sdkAtInit: string[];
}

export interface FirstRequestMeasurement extends InitMeasurement {
  /** Median of the first request alone. */
  firstRequestMs: number;
  /** Median, over the processes, of init plus the first request: what a cold request waits for after Node's boot. */
  coldStartMs: number;
  coldStartSamplesMs: number[];
  /** Distinct outcomes over the runs (one, unless the machine misbehaved). */
  outcomes: string[];
  /** Union over the runs. */
  sdkAfterRequest: string[];
}

const union = (lists: string[][]) => [...new Set(lists.flat())].sort();

function summarise(samples: InitSample[]): InitMeasurement | FirstRequestMeasurement {
  const init: InitMeasurement = {
    initMs: median(samples.map((s) => s.initMs)),
    bootMs: median(samples.map((s) => s.bootMs)),
    samplesMs: samples.map((s) => s.initMs),
    sdkAtInit: union(samples.map((s) => s.sdkAtInit)),
  };
  if (!samples.every((s) => s.firstRequestMs !== undefined)) {
    return init;
  }
  const coldStartSamplesMs = samples.map((s) => s.initMs + s.firstRequestMs!);
  return {
    ...init,
    firstRequestMs: median(samples.map((s) => s.firstRequestMs!)),
    coldStartMs: median(coldStartSamplesMs),
    coldStartSamplesMs,
    outcomes: [...new Set(samples.map((s) => s.outcome!))],
    sdkAfterRequest: union(samples.map((s) => s.sdkAfterRequest!)),
  };
}

/**
 * The median over `runs` fresh processes per task, the tasks taking turns (a, b, a, b …) so that a
 * change in the machine's load touches them alike; each process pays the whole cold start, as
 * Lambda's does. A task with an event gives a `FirstRequestMeasurement`.
 */
export async function measureTasks(tasks: readonly ProbeTask[], env: Record<string, string>, cwd: string, runs: number): Promise<(InitMeasurement | FirstRequestMeasurement)[]> {
  const samples = tasks.map(() => [] as InitSample[]);
  for (let r = 0; r < runs; r++) {
    for (const [i, task] of tasks.entries()) {
      samples[i].push(await probeOnce(task, env, cwd));
    }
  }
  return samples.map(summarise);
}

export function isFirstRequest(m: InitMeasurement | FirstRequestMeasurement): m is FirstRequestMeasurement {
  return "firstRequestMs" in m;
}

/** Module init alone: the modules required, no request. */
export async function measureInit(modules: readonly string[], env: Record<string, string>, cwd: string, runs: number): Promise<InitMeasurement> {
  const [init] = await measureTasks([{ modules }], env, cwd, runs);
  return init;
}
