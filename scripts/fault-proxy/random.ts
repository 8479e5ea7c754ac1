import { type DecideFault, type Fault, type ProxiedRequest } from "./types";

export interface RandomFaultsOptions {
  seed: number;
  /** Chance, 0 to 1, that a request (of those `only` admits) gets a fault. */
  rate: number;
  /** Faults to pick from, uniformly. */
  kinds: readonly Fault[];
  /** Which requests may be faulted (e.g. only UploadPart PUTs); the others pass untouched and uncounted. */
  only?: (request: ProxiedRequest) => boolean;
  /**
   * After this many faults in a row for one key, the next attempt passes, so a client with a retry
   * budget larger than this always gets through. No cap by default.
   */
  maxConsecutivePerKey?: number;
  /**
   * What makes two requests "the same" for attempts and the cap. Default: method, path and part
   * number; not the upload id, which the engine picks afresh each run.
   */
  key?: (request: ProxiedRequest) => string;
}

/**
 * Reproducible random faults. Each decision is drawn from a PRNG seeded by (seed, key, attempt
 * number of that key), not from one shared stream, so the same parts get the same faults however
 * concurrent uploads happen to interleave: a failing seed replays.
 */
export function randomFaults(options: RandomFaultsOptions): DecideFault {
  const { seed, rate, kinds, only, maxConsecutivePerKey = Infinity, key = requestKey } = options;
  if (!(rate >= 0 && rate <= 1)) {
    throw new Error(`[rate] must be between 0 and 1, got ${rate}`);
  }
  if (rate > 0 && kinds.length === 0) {
    throw new Error("[kinds] must name at least one fault when [rate] is above 0");
  }
  const attempts = new Map<string, number>();
  const inARow = new Map<string, number>();
  return (request) => {
    if (only && !only(request)) {
      return undefined;
    }
    const k = key(request);
    const attempt = attempts.get(k) ?? 0;
    attempts.set(k, attempt + 1);
    const random = mulberry32(fnv1a(`${seed}\u0000${k}\u0000${attempt}`));
    const hit = random() < rate;
    const pick = kinds[Math.floor(random() * kinds.length)];
    const streak = inARow.get(k) ?? 0;
    if (!hit || streak >= maxConsecutivePerKey) {
      inARow.set(k, 0);
      return undefined;
    }
    inARow.set(k, streak + 1);
    return { ...pick };
  };
}

/** Default identity of a request for `randomFaults`. */
export function requestKey(request: ProxiedRequest): string {
  const part = request.partNumber === undefined ? "" : ` part ${request.partNumber}`;
  return `${request.method} ${request.path}${part}`;
}

/** mulberry32: a tiny 32-bit PRNG, plenty for picking faults, and the same on every platform. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over UTF-16 code units: spreads (seed, key, attempt) over 32 bits for the PRNG's seed. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
}
