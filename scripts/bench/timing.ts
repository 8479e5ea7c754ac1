import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Wall-clock timing of pieces of work, and the median of several runs. */

export function median(values: readonly number[]): number {
  if (values.length === 0) {
    throw new Error("median of no values: measure at least one run");
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function elapsedMs(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { ms: elapsedMs(start), value };
}

// `npm run bench` cannot pass --expose-gc to node; the flag still works when set before the first
// context is created, and a fresh context then exposes `gc`.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * A full collection before a timed run: otherwise a run pays for the garbage of the one before it
 * (a 1,000-tenant evaluation leaves plenty), and small runs after large ones look slow.
 */
export function collectGarbage(): void {
  gc();
}

export interface Sampled<T> {
  medianMs: number;
  samplesMs: number[];
  /** What the last run returned (every run does the same work). */
  last: T;
}

/**
 * Runs each piece of work `runs` times, taking turns (a, b, a, b …) so that a change in the machine's
 * load during the measurement touches all of them alike, and keeps each one's median. Warm-up is the
 * caller's business: what needs warming (module loading, JIT, a child process) differs per section.
 */
export async function interleaved<T>(
  runs: number,
  works: readonly (() => Promise<T>)[],
  options: {
    /** Untimed clean-up after each run (e.g. deleting what an upload stored, so the engine never fills up). */
    after?: () => Promise<void>;
    /**
     * A full collection before each run (the default). Off for runs of a few milliseconds: the
     * collection then costs more than the run, and leaves the heap shrunk so the run after it pays
     * for growing it again.
     */
    collect?: boolean;
  } = {},
): Promise<Sampled<T>[]> {
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`runs must be a positive integer, got ${runs}`);
  }
  const samples = works.map(() => [] as number[]);
  const last: T[] = [];
  for (let r = 0; r < runs; r++) {
    for (const [i, work] of works.entries()) {
      if (options.collect !== false) {
        collectGarbage();
      }
      const run = await timed(work);
      samples[i].push(run.ms);
      last[i] = run.value;
      await options.after?.();
    }
  }
  return samples.map((samplesMs, i) => ({ medianMs: median(samplesMs), samplesMs, last: last[i] }));
}

/** `interleaved` with one piece of work. */
export async function sampled<T>(runs: number, work: () => Promise<T>): Promise<Sampled<T>> {
  const [only] = await interleaved(runs, [work]);
  return only;
}
