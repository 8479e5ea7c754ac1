/**
 * What the fault proxy can do to one request. Each kind fails the exchange at a different point, so a
 * client's retry logic meets every case it must tell apart: did the request reach the server, did
 * the server act on it, did the answer arrive whole.
 */
export type Fault =
  /** The client's connection is destroyed before anything is forwarded: the target never sees the request. */
  | { kind: "drop-before" }
  /** The whole request is forwarded and answered, then the client's connection is destroyed: the target did the work, the client never hears. */
  | { kind: "drop-after" }
  /**
   * Answered by the proxy (after reading the request body) with an S3-style XML error: 500
   * `InternalError`, 503 and 429 `SlowDown`; `Retry-After` is sent when given. Nothing is forwarded.
   */
  | { kind: "status"; status: 500 | 503 | 429; retryAfterSeconds?: number }
  /**
   * Without `ms`: the request body is read and no answer ever comes, nothing is forwarded; the client
   * must time out. With `ms`: the request is held unread for `ms` (the upload pauses, as on a dead
   * link), then forwarded as usual; a client that gives up first never reaches the target.
   */
  | { kind: "stall"; ms?: number }
  /**
   * Forwarded; the client gets the target's status and headers (its Content-Length included) and only
   * `afterBytes` of the body (default half, always at least one byte short), then the connection
   * closes. A body-less answer (an UploadPart 200) is cut inside its header block instead, so the
   * fault still bites where a mobile client most often meets it.
   */
  | { kind: "truncate"; afterBytes?: number }
  /** Forwarded, with the request body paced to `bytesPerSecond`, like a slow mobile uplink. */
  | { kind: "slow"; bytesPerSecond: number };

/** One request as the proxy saw it; filled in as the exchange progresses. */
export interface ProxiedRequest {
  /** Position in the proxy's `requests`, from 0. */
  id: number;
  method: string;
  /** Path as sent (still percent-encoded), without the query. */
  path: string;
  query: URLSearchParams;
  /** From the query: set on S3 UploadPart (and part-numbered GET) requests. */
  partNumber?: number;
  /** From the query: set on every request addressed to a multipart upload. */
  uploadId?: string;
  /** Request body bytes received from the client so far. */
  bytesIn: number;
  fault?: Fault["kind"];
  /** Status line the client received; undefined if it received none. */
  status?: number;
  /** Status the target answered with, whether or not the client got to hear it. */
  targetStatus?: number;
  /** Whether any of the request was sent on to the target. */
  forwarded: boolean;
  /** The client got a whole response. */
  completed: boolean;
  /** Epoch milliseconds, sub-millisecond precise so that order within one millisecond survives. */
  startedAt: number;
  endedAt?: number;
}

/** Picks the fault for a request as it arrives (its body not yet read); undefined passes it through. */
export type DecideFault = (request: ProxiedRequest, index: number) => Fault | undefined;
