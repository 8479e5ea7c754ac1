/*
 * A stand-in for the account's default EventBridge bus: rules (an event pattern and one Lambda
 * target each), asynchronous delivery that never holds up whoever published, Lambda's retries of
 * an asynchronous invocation that failed, and, for tests, seeded faults: lost, duplicated and
 * reordered events, which EventBridge's at-least-once delivery allows and the object index must
 * survive (docs/ARCHITECTURE.md, "Where the sandbox differs from AWS").
 */

/** An event on the bus: EventBridge's envelope (`source`, `detail-type`, `detail`, …). */
export interface BusEvent {
  source: string;
  "detail-type": string;
  detail?: unknown;
  [field: string]: unknown;
}

/**
 * An EventBridge event pattern, the subset the program's rules use ("Amazon EventBridge event
 * patterns"): each field lists the values it matches, a value being a string, number or boolean
 * (equal), `{ prefix: "…" }` or `{ exists: true | false }`; an object matches the event's object of
 * the same name field by field. Fields the pattern does not name match anything.
 */
export type EventPattern = { [field: string]: readonly PatternValue[] | EventPattern };
export type PatternValue = string | number | boolean | null | { prefix: string } | { exists: boolean };

export interface BusTarget {
  /** The rule's name, for warnings. */
  name: string;
  pattern: EventPattern;
  /** The function, as Lambda invokes it asynchronously: a rejection is a failed invocation. */
  invoke: (event: BusEvent) => Promise<unknown>;
}

/**
 * Faults a test injects, each a function of the event and its publication number `n` (0 for the
 * first event published), so a seeded source (`seededFaults`) gives the same faults on every run.
 */
export interface BusFaults {
  /** Lose the event: no target ever sees it. */
  drop?: (event: BusEvent, n: number) => boolean;
  /** How many extra copies to deliver (0: none); copies carry the same `id`, as EventBridge's do. */
  duplicate?: (event: BusEvent, n: number) => number;
  /** How long copy `copy` (0 the original) waits before delivery; unequal waits reorder events. */
  delayMs?: (event: BusEvent, n: number, copy: number) => number;
}

export interface EventBusOptions {
  /**
   * The waits before the second and third attempt of a failed invocation: Lambda retries an
   * asynchronous invocation twice, about one and two minutes apart ("Asynchronous invocation",
   * Lambda Developer Guide); the sandbox waits seconds.
   * @default [1000, 2000]
   */
  retryDelaysMs?: readonly number[];
  /** An event a target failed on at every attempt (Lambda's failure destination, or the loss). */
  onGiveUp?: (target: string, event: BusEvent, error: unknown) => void;
  faults?: BusFaults;
}

export interface BusStats {
  published: number;
  /** Published events no rule matched. */
  unmatched: number;
  dropped: number;
  /** Extra copies delivered by `faults.duplicate`. */
  duplicated: number;
  /** Invocations that succeeded. */
  delivered: number;
  /** Invocations that failed (each attempt counts). */
  failedAttempts: number;
  givenUp: number;
}

/** Does `value` (a field of the event, possibly absent) match one of `allowed`? */
function matchesValues(allowed: readonly PatternValue[], value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  return allowed.some((rule) => {
    if (rule !== null && typeof rule === "object") {
      if ("exists" in rule) {
        return rule.exists === (value !== undefined);
      }
      return values.some((v) => typeof v === "string" && v.startsWith(rule.prefix));
    }
    return value !== undefined && values.some((v) => v === rule);
  });
}

/** EventBridge's matching of `pattern` against `event` (the subset in `EventPattern`). */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  const fields = event !== null && typeof event === "object" ? (event as Record<string, unknown>) : {};
  return Object.entries(pattern).every(([name, rule]) =>
    Array.isArray(rule) ? matchesValues(rule as readonly PatternValue[], fields[name]) : matchesPattern(rule as EventPattern, fields[name]),
  );
}

/** A small seeded generator (mulberry32): the same seed, the same numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeededFaultRates {
  seed: number;
  /** Share of events lost. @default 0 */
  drop?: number;
  /** Share of events delivered twice. @default 0 */
  duplicate?: number;
  /** Each copy waits a random 0…maxDelayMs first, so events arrive shuffled. @default 0 */
  maxDelayMs?: number;
}

/**
 * Faults drawn from `seed`: each decision is a function of the seed, the event's number and the
 * kind of decision alone, so the same seed drops, duplicates and delays the same events whatever
 * else the test changes.
 */
export function seededFaults(rates: SeededFaultRates): BusFaults {
  const draw = (n: number, channel: number) => mulberry32((rates.seed ^ Math.imul(n + 1, 0x9e3779b1) ^ Math.imul(channel + 1, 0x85ebca6b)) >>> 0)();
  const drop = rates.drop ?? 0;
  const duplicate = rates.duplicate ?? 0;
  const maxDelay = rates.maxDelayMs ?? 0;
  return {
    drop: (_event, n) => draw(n, 0) < drop,
    duplicate: (_event, n) => (draw(n, 1) < duplicate ? 1 : 0),
    delayMs: (_event, n, copy) => Math.floor(draw(n, 2 + copy) * (maxDelay + 1)),
  };
}

const DEFAULT_RETRY_DELAYS_MS = [1000, 2000];

export class EventBus {
  private readonly targets: BusTarget[] = [];
  private readonly retryDelays: readonly number[];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly idle: (() => void)[] = [];
  private pending = 0;
  private closed = false;
  private readonly counts: BusStats = { published: 0, unmatched: 0, dropped: 0, duplicated: 0, delivered: 0, failedAttempts: 0, givenUp: 0 };

  constructor(private readonly options: EventBusOptions = {}) {
    this.retryDelays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  /** A rule with one target. */
  addTarget(target: BusTarget): void {
    this.targets.push(target);
  }

  /** Hands the event to the bus and returns at once; the matching targets get it later. */
  publish(event: BusEvent): void {
    if (this.closed) {
      return;
    }
    const n = this.counts.published++;
    const matched = this.targets.filter((t) => matchesPattern(t.pattern, event));
    if (matched.length === 0) {
      this.counts.unmatched++;
      return;
    }
    const faults = this.options.faults ?? {};
    if (faults.drop?.(event, n)) {
      this.counts.dropped++;
      return;
    }
    const extra = Math.max(0, Math.floor(faults.duplicate?.(event, n) ?? 0));
    this.counts.duplicated += extra;
    for (let copy = 0; copy <= extra; copy++) {
      const wait = Math.max(0, faults.delayMs?.(event, n, copy) ?? 0);
      for (const target of matched) {
        this.later(wait, () => this.attempt(target, structuredClone(event), 1));
      }
    }
  }

  /** Resolves once nothing is waiting, running or due for a retry. */
  drain(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }

  /** Takes no more events, forgets those not yet delivered, and waits for the invocations running. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) {
      clearTimeout(timer);
      this.done();
    }
    this.timers.clear();
    await Promise.all([...this.running]);
  }

  get stats(): Readonly<BusStats> {
    return { ...this.counts };
  }

  private later(ms: number, run: () => void): void {
    this.pending++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
      this.done();
    }, ms);
    this.timers.add(timer);
  }

  private attempt(target: BusTarget, event: BusEvent, attempt: number): void {
    if (this.closed) {
      return;
    }
    this.pending++;
    const run = (async () => {
      try {
        await target.invoke(event);
        this.counts.delivered++;
      } catch (err) {
        this.counts.failedAttempts++;
        if (attempt <= this.retryDelays.length) {
          this.later(this.retryDelays[attempt - 1], () => this.attempt(target, event, attempt + 1));
        } else {
          this.counts.givenUp++;
          try {
            this.options.onGiveUp?.(target.name, event, err);
          } catch {
            // A failing observer must not turn into an unhandled rejection of the bus.
          }
        }
      }
    })();
    this.running.add(run);
    void run.finally(() => {
      this.running.delete(run);
      this.done();
    });
  }

  private done(): void {
    this.pending--;
    if (this.pending === 0) {
      this.idle.splice(0).forEach((resolve) => resolve());
    }
  }
}
