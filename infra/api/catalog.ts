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
 * Memory and timeout per function. Signing and listing are light; the proxy holds a body of up to
 * 4 MiB; the scanner reads whole objects.
 */
export const SIZING: Record<FunctionName, FunctionSizing> = {
  uploads: { memorySize: 256, timeout: 10 },
  objects: { memorySize: 256, timeout: 10 },
  "cdn-session": { memorySize: 256, timeout: 5 },
  proxy: { memorySize: 512, timeout: 20 },
  scan: { memorySize: 1024, timeout: 120 },
};
