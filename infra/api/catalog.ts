import { type FunctionName, type ScannerName } from "@mobile-s3/contract";


export interface FunctionSizing {
  memorySize: number;
  /** Seconds. API functions stay well under API Gateway's 30-second integration timeout. */
  timeout: number;
}

/** Lambda's memory quota on new accounts; more needs a quota increase ("Lambda quotas"). */
export const NEW_ACCOUNT_MAX_MEMORY_MB = 3008;
/**
 * The ClamAV scan function's memory: Lambda's maximum at most, and at least what clamd needs beside
 * the public signature database (see functions/scan/README.md).
 */
export const SCAN_MEMORY_BOUNDS = { min: 1024, max: 10_240 } as const;

/** The longest a Lambda function may run ("Lambda quotas"). */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/**
 * Memory and timeout per function. Signing, listing and cookies are light, and so are the proxy and
 * the scan function with GuardDuty (which scans by itself: the function only moves infected objects,
 * with server-side copies). With ClamAV, the proxy and the scanner hold ClamAV's signature database
 * in memory (over 1 GB with the public database; see functions/scan/README.md): the proxy beside a
 * body of up to 4 MiB, within API Gateway's 30 s; the scanner beside an object of up to 256 MiB
 * (`DEFAULT_SCAN_MAX_BYTES`), after its scan timeout (`SCAN_TIMEOUT_MS`, 90 s), with
 * `scanMemoryMb` (default 3,008 MB, the most a new account may give a function). Lambda gives CPU
 * in proportion to memory, which also shortens the database load.
 *
 * The indexer is one function for two jobs: an object event refreshes one key (a HeadObject, its
 * tags, its versions and a few item writes, well under a second), and the scheduled reconciliation
 * walks every home's versions and items, for as long as Lambda lets a function run (900 s). One
 * sizing serves both: a timeout is a ceiling, not a cost, so the events take the reconciliation's,
 * and 512 MB buys the CPU and network share its listing and paging want (Lambda gives both in
 * proportion to memory) while an event's refresh still costs little.
 */
export function functionSizing(fn: FunctionName, scanning: { scanner: ScannerName; scanMemoryMb?: number }): FunctionSizing {
  const clamAv = scanning.scanner === "clamav";
  switch (fn) {
    case "uploads":
    case "objects":
      return { memorySize: 256, timeout: 10 };
    case "cdn-session":
    case "admin":
      return { memorySize: 256, timeout: 5 };
    case "proxy":
      return clamAv ? { memorySize: 2048, timeout: 20 } : { memorySize: 256, timeout: 10 };
    case "scan":
      return clamAv ? { memorySize: scanning.scanMemoryMb ?? NEW_ACCOUNT_MAX_MEMORY_MB, timeout: 120 } : { memorySize: 256, timeout: 60 };
    case "indexer":
      return { memorySize: 512, timeout: LAMBDA_MAX_TIMEOUT_SECONDS };
  }
}
