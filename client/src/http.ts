import { StorageError } from "./errors";
import { type Log } from "./log";
import { backoffMs, isRetryableStatus, retryAfterMs, type RetryOptions, sleep } from "./retry";

/** `fetch` as browsers, React Native and Node 18+ provide it; tests inject one that goes through a proxy. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A whole answer: status, headers and the body read to its end. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** A request that produced no usable answer (connection dropped, stalled, body cut short). */
export class TransientNetworkError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = "TransientNetworkError";
  }
}

export interface HttpContext {
  fetch: FetchLike;
  retry: RetryOptions;
  log: Log;
  random?: () => number;
}

/**
 * One attempt: the request and its whole answer within `timeoutMs`. Aborting `signal` (pause,
 * cancel) rejects with the signal's reason; anything else that stops the answer from arriving whole
 * is a `TransientNetworkError`. The error never holds the URL: fetch errors can quote it.
 */
export async function fetchOnce(http: HttpContext, url: string, init: RequestInit, signal?: AbortSignal): Promise<HttpAnswer> {
  if (signal?.aborted) {
    throw signal.reason;
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, http.retry.requestTimeoutMs);
  const forward = () => controller.abort();
  signal?.addEventListener("abort", forward, { once: true });
  try {
    const response = await http.fetch(url, { ...init, signal: controller.signal });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  } catch (err) {
    if (signal?.aborted) {
      throw signal.reason;
    }
    throw new TransientNetworkError(timedOut ? `no complete answer within ${http.retry.requestTimeoutMs} ms` : networkDetail(err));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", forward);
  }
}

/** `ECONNRESET`, `terminated`…: the cause's code when fetch gives one, never its message's URL. */
function networkDetail(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === "string") {
    return cause.code;
  }
  if (typeof cause?.message === "string") {
    return cause.message.replace(/\bhttps?:\/\/\S+/g, "[url]");
  }
  return (err instanceof Error ? err.message : String(err)).replace(/\bhttps?:\/\/\S+/g, "[url]");
}

export interface RetryingOptions {
  /** What the request does, for messages: "PUT part 3 of photos/a.jpg". Never a URL. */
  operation: string;
  signal?: AbortSignal;
  /** S3's `<Code>` or the API's `error.code` of an answer, for the retry decision. */
  codeOf?: (answer: HttpAnswer) => string | undefined;
}

/**
 * Runs `attempt` until it yields an answer that is not worth retrying, or the budget runs out:
 * network failures, timeouts, throttling and 5xx are retried with full-jitter backoff; any other
 * answer (success or a caller's mistake) is returned for the caller to read.
 */
export async function retrying(http: HttpContext, attempt: () => Promise<HttpAnswer>, options: RetryingOptions): Promise<HttpAnswer> {
  for (let n = 1; ; n++) {
    let answer: HttpAnswer;
    try {
      answer = await attempt();
    } catch (err) {
      if (!(err instanceof TransientNetworkError)) {
        throw err;
      }
      if (n >= http.retry.maxAttempts) {
        throw new StorageError(`${options.operation}: ${err.detail}; gave up after ${n} attempts`, { code: "NetworkError", attempts: n });
      }
      const pause = backoffMs(n, http.retry, http.random);
      http.log.warn("retrying after a network failure", { operation: options.operation, attempt: n, detail: err.detail, pauseMs: pause });
      await sleep(pause, options.signal);
      continue;
    }
    const code = options.codeOf?.(answer);
    if (!isRetryableStatus(answer.status, code)) {
      return answer;
    }
    if (n >= http.retry.maxAttempts) {
      return answer;
    }
    const pause = backoffMs(n, http.retry, http.random, retryAfterMs(answer.headers.get("retry-after")));
    http.log.warn("retrying after a server answer", { operation: options.operation, attempt: n, status: answer.status, code, pauseMs: pause });
    await sleep(pause, options.signal);
  }
}

/** S3's `<Code>` from an XML error body. */
export function s3ErrorCode(answer: HttpAnswer): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(answer.text)?.[1];
}

/** S3's `<Message>`, for error messages. */
export function s3ErrorMessage(answer: HttpAnswer): string | undefined {
  return /<Message>([^<]*)<\/Message>/.exec(answer.text)?.[1];
}
