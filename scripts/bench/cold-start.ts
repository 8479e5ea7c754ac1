import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../offline/stack-config";
import { median } from "./timing";

export interface InitSample {
  /** From the process's start to the first line of user code: Node's own boot. */
  bootMs: number;
  /** The `require()` of the modules, timed inside the process. */
  initMs: number;
}

/**
 * What the fresh process runs: the time since its start when user code begins, then the modules
 * required one by one, timed with the monotonic clock. Plain JavaScript, so no loader is involved.
 */
export function probeScript(modules: readonly string[]): string {
  return [
    "const bootMs = performance.now();",
    "const start = process.hrtime.bigint();",
    `for (const id of ${JSON.stringify(modules)}) require(id);`,
    "const initMs = Number(process.hrtime.bigint() - start) / 1e6;",
    "process.stdout.write(JSON.stringify({ bootMs, initMs }));",
  ].join("\n");
}

/** Reads the probe's one line of output. */
export function parseProbeOutput(stdout: string): InitSample {
  const sample = JSON.parse(stdout.trim()) as Partial<InitSample>;
  if (typeof sample.bootMs !== "number" || typeof sample.initMs !== "number") {
    throw new Error(`the init probe printed ${JSON.stringify(stdout)} instead of {bootMs, initMs}`);
  }
  return { bootMs: sample.bootMs, initMs: sample.initMs };
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

/** One fresh `node` process requiring `modules`. */
export function probeOnce(modules: readonly string[], env: Record<string, string>, cwd: string): InitSample {
  const child = spawnSync(process.execPath, ["-e", probeScript(modules)], { env, cwd, encoding: "utf8", timeout: 60_000 });
  if (child.status !== 0) {
    const why = child.error?.message ?? thrown(child.stderr);
    throw new Error(`a fresh node process could not require ${modules.join(", ") || "nothing"}: ${why}`);
  }
  return parseProbeOutput(child.stdout);
}

export interface InitMeasurement {
  initMs: number;
  bootMs: number;
  samplesMs: number[];
}

/**
 * The median over `runs` fresh processes per set of modules, the sets taking turns (a, b, a, b …)
 * so that a change in the machine's load touches them alike; each process pays the whole cold
 * start, as Lambda's does.
 */
export function measureInits(sets: readonly (readonly string[])[], env: Record<string, string>, cwd: string, runs: number): InitMeasurement[] {
  const samples = sets.map(() => [] as InitSample[]);
  for (let r = 0; r < runs; r++) {
    sets.forEach((modules, i) => samples[i].push(probeOnce(modules, env, cwd)));
  }
  return samples.map((list) => ({
    initMs: median(list.map((s) => s.initMs)),
    bootMs: median(list.map((s) => s.bootMs)),
    samplesMs: list.map((s) => s.initMs),
  }));
}

export function measureInit(modules: readonly string[], env: Record<string, string>, cwd: string, runs: number): InitMeasurement {
  return measureInits([modules], env, cwd, runs)[0];
}
