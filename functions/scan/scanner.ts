/**
 * A malware scanner, as a port: ClamAV's `clamscan` in Lambda and in the tests (clamscan.ts);
 * anything else that can say "clean" or "infected" (clamd, a vendor API) can stand in.
 */
export type ScanInput = { bytes: Uint8Array } | { file: string };

export interface ScanResult {
  verdict: "clean" | "infected";
  /** What the scanner found, e.g. `Win.Test.EICAR_HDB-1`; only when infected, and only if it said. */
  signature?: string;
}

export interface Scanner {
  /**
   * Resolves only with a verdict the scanner actually gave. Anything else (the scanner is missing,
   * its database unreadable, it timed out or answered something unexpected) rejects with a
   * `ScanError`: an error is never a clean verdict.
   */
  scan(input: ScanInput): Promise<ScanResult>;
}

/** The scanner could not give a verdict. The object stays unscanned (pending, unreadable). */
export class ScanError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ScanError";
  }
}
