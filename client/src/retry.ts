/** How hard the client tries before it gives up on one request. */
export interface RetryOptions {
  /** Attempts per request, the first one included. @default 6 */
  maxAttempts: number;
  /** First backoff ceiling; it doubles per attempt. @default 250 */
  baseDelayMs: number;
  /** Largest pause between two attempts. @default 20000 */
  maxDelayMs: number;
  /**
   * A request whose answer has not fully arrived after this long is abandoned and retried: a stalled
   * mobile connection otherwise hangs forever. Size it for one part on the slowest link you support
   * (5 MiB at 1 Mbit/s ≈ 42 s). @default 120000
   */
  requestTimeoutMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 20_000, requestTimeoutMs: 120_000 };

/**
 * Exponential backoff with full jitter (a uniformly random pause up to the attempt's ceiling), so
 * many phones that lost the network at once do not retry in step. A server's Retry-After wins,
 * capped at `maxDelayMs`.
 */
export function backoffMs(attempt: number, options: RetryOptions, random: () => number = Math.random, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) {
    return Math.min(options.maxDelayMs, retryAfterMs);
  }
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Statuses worth another attempt: throttling, timeouts and server errors (S3's 503 SlowDown, 500 InternalError). */
export function isRetryableStatus(status: number, code?: string): boolean {
  // S3 answers 400 RequestTimeout when the body stopped arriving; the request itself was fine.
  return status === 408 || status === 429 || status >= 500 || (status === 400 && code === "RequestTimeout");
}

/** Retry-After in milliseconds (seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") {
    return undefined;
  }
  if (/^\d+$/.test(value.trim())) {
    return Number(value.trim()) * 1000;
  }
  // Date.parse takes almost anything ("1.5" and "-1" are dates in 2001); an HTTP date opens with the day's name.
  if (!/^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)/i.test(value.trim())) {
    return undefined;
  }
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
