import { type ProxiedRequest } from "./types";

export interface PartResends {
  /** Part numbers PUT again after an earlier PUT of the same part, whatever became of that one. */
  resentParts: number[];
  /** Part numbers PUT again after an earlier PUT of them had been answered 200 in full: pure waste. */
  resentAfterSuccess: number[];
  /** Request body bytes of those repeated PUTs. */
  bytesResent: number;
}

/**
 * Counts UploadPart re-sends in a proxy's log, for the kill-and-resume test. A re-send is a PUT of a
 * part that had been PUT before (any earlier request counts as history); with `since` (a request id,
 * e.g. `proxy.requests.length` taken when the second process starts) only re-sends from that id on
 * are counted. Pass `uploadId` when the log holds several uploads, or their part numbers merge.
 */
export function partResends(requests: readonly ProxiedRequest[], opts: { uploadId?: string; since?: number } = {}): PartResends {
  const since = opts.since ?? 0;
  const puts = requests
    .filter((r) => r.method === "PUT" && r.partNumber !== undefined)
    .filter((r) => opts.uploadId === undefined || r.uploadId === opts.uploadId)
    .sort((a, b) => a.id - b.id);
  const earlier = new Map<string, ProxiedRequest[]>();
  const resent = new Set<number>();
  const afterSuccess = new Set<number>();
  let bytesResent = 0;
  for (const put of puts) {
    const key = `${put.uploadId ?? ""}#${put.partNumber}`;
    const before = earlier.get(key) ?? [];
    if (before.length > 0 && put.id >= since) {
      resent.add(put.partNumber!);
      bytesResent += put.bytesIn;
      if (before.some((b) => answeredOk(b) && b.endedAt! <= put.startedAt)) {
        afterSuccess.add(put.partNumber!);
      }
    }
    earlier.set(key, [...before, put]);
  }
  const ascending = (set: Set<number>) => [...set].sort((a, b) => a - b);
  return { resentParts: ascending(resent), resentAfterSuccess: ascending(afterSuccess), bytesResent };
}

/** The client heard a whole 200: it knew the part was stored. */
function answeredOk(request: ProxiedRequest): boolean {
  return request.status === 200 && request.completed && request.endedAt !== undefined;
}
