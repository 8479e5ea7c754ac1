import { CDN_SESSION_ROUTES } from "../../functions/cdn-session/core";
import { OBJECTS_ROUTES } from "../../functions/objects/core";
import { PROXY_ROUTES } from "../../functions/proxy/core";
import { UPLOADS_ROUTES } from "../../functions/uploads/core";

/** Functions behind the HTTP API, one folder each under `functions/`. */
export const API_FUNCTIONS = ["uploads", "objects", "cdn-session", "proxy"] as const;
export type ApiFunctionName = (typeof API_FUNCTIONS)[number];

/** Every function the control plane deploys: the API's, and the scanner EventBridge invokes. */
export const FUNCTION_NAMES = [...API_FUNCTIONS, "scan"] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The routes each API function serves, as its core declares them (API.md). */
export const ROUTES: Record<ApiFunctionName, readonly string[]> = {
  uploads: UPLOADS_ROUTES,
  objects: OBJECTS_ROUTES,
  "cdn-session": CDN_SESSION_ROUTES,
  proxy: PROXY_ROUTES,
};

export interface FunctionSizing {
  memorySize: number;
  /** Seconds. API functions stay well under API Gateway's 30-second integration timeout. */
  timeout: number;
}

/**
 * Memory and timeout per function. Signing, listing and cookies are light. The proxy and the scanner
 * run ClamAV's `clamscan`, which loads the whole signature database into the function's memory on
 * every scan (over 1 GB, and 10-30 s, with the public database; see functions/scan/README.md): the
 * proxy beside a body of up to 4 MiB, within API Gateway's 30 s; the scanner beside an object of up
 * to 256 MiB (`DEFAULT_SCAN_MAX_BYTES`), after its clamscan timeout (`SCAN_TIMEOUT_MS`, 90 s).
 * Lambda gives CPU in proportion to memory, which also shortens the database load.
 */
export const SIZING: Record<FunctionName, FunctionSizing> = {
  uploads: { memorySize: 256, timeout: 10 },
  objects: { memorySize: 256, timeout: 10 },
  "cdn-session": { memorySize: 256, timeout: 5 },
  proxy: { memorySize: 2048, timeout: 20 },
  scan: { memorySize: 3072, timeout: 120 },
};
