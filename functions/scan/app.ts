import { type Env } from "@mobile-s3/contract";
import { errorName } from "../shared/log";
import { s3Store } from "../shared/s3-store";
import { envLogger, envS3Client } from "../shared/settings";
import { createClamAvScanner } from "./clamav";
import { loadScanConfig } from "./config";
import { DEFAULT_SCAN_MAX_BYTES, handleObjectCreated, type ScanOutcome, type ScanPorts } from "./core";
import { handleGuardDutyScanResult } from "./guardduty";

/** A scan (clamd's, or clamscan's outside the image) running longer than this fails the invocation, leaving time to log it within the function's timeout. */
export const SCAN_TIMEOUT_MS = 90_000;

/**
 * The scan function as Lambda runs it: with ClamAV it scans S3 "Object Created" events, with
 * GuardDuty it quarantines the objects GuardDuty's scan results find infected. Either way it is built
 * once per cold start from `env` (a missing setting fails here, not in every event), with the HTTP
 * functions' settings helpers (LOG_LEVEL, S3_ENDPOINT). A failure a retry can fix is thrown, so the invocation fails
 * and is retried (then lands in the failure destination); ignorable events resolve.
 */
export function createScanHandler(env: Env, ports: Partial<ScanPorts> = {}): (event: unknown) => Promise<ScanOutcome> {
  const config = loadScanConfig(env);
  const s3 = envS3Client(env);
  const log = ports.log ?? envLogger("scan", env);
  const maxBytes = ports.maxBytes ?? DEFAULT_SCAN_MAX_BYTES;
  const store = ports.store ?? s3Store(s3);
  // With GuardDuty there is nothing to scan here: the function only quarantines what it found.
  const guardDuty = config.scan.scanner === "guardduty";
  const scanner = guardDuty
    ? undefined
    : (ports.scanner ?? createClamAvScanner(env, { timeoutMs: SCAN_TIMEOUT_MS, maxFileBytes: maxBytes, log }));
  const handle = guardDuty ? handleGuardDutyScanResult : handleObjectCreated;
  return async (event) => {
    try {
      return await handle(event, config, { store, scanner, log, maxBytes });
    } catch (err) {
      // By name only: an SDK error's message may quote a request.
      log.error("scan failed; the invocation is retried", { error: errorName(err) });
      throw err;
    }
  };
}
