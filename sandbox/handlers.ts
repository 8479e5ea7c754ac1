import { type S3Client } from "@aws-sdk/client-s3";
import { createCdnSessionHandler } from "../functions/cdn-session/app";
import { createObjectsHandler } from "../functions/objects/app";
import { createProxyHandler } from "../functions/proxy/app";
import { s3TaggedWriter } from "../functions/proxy/s3-tagged-writer";
import { createScanHandler } from "../functions/scan/app";
import { type ScanOutcome } from "../functions/scan/core";
import { type Scanner } from "../functions/scan/scanner";
import { type Env } from "../functions/shared/environment";
import { type LogLevel } from "../functions/shared/log";
import { s3Store } from "../functions/shared/s3-store";
import { type ObjectStore } from "../functions/shared/store";
import { createUploadsHandler } from "../functions/uploads/app";
import { API_FUNCTIONS, type ApiFunctionName, type FunctionName, ROUTES } from "../infra/api/catalog";
import { functionLogger } from "./function-log";
import { type ApiHandler } from "./server";

export interface SandboxHandlers {
  /** Route key → the function serving it, as the deployed API's integrations (`infra/api/catalog.ts`). */
  routes: Record<string, ApiHandler>;
  /** The scan function, as EventBridge invokes it. */
  scan: (event: unknown) => Promise<ScanOutcome>;
  /** The storage port every function uses, for the scan worker's listings. */
  store: ObjectStore;
}

/**
 * The functions Lambda runs (`functions/<name>/app.ts`), each built from its environment, talking
 * to the engine through one client with the engine's keys (in AWS: each function's role). The
 * scanner is ClamAV from the environment unless the sandbox has none (`scanner`).
 */
export function sandboxHandlers(envs: Record<FunctionName, Env>, s3: S3Client, logLevel: LogLevel, scanner?: Scanner): SandboxHandlers {
  const store = s3Store(s3);
  const log = (fn: FunctionName) => functionLogger(fn, logLevel);
  const withScanner = scanner === undefined ? {} : { scanner };
  const api: Record<ApiFunctionName, ApiHandler> = {
    uploads: createUploadsHandler(envs.uploads, { store, log: log("uploads") }),
    objects: createObjectsHandler(envs.objects, { store, log: log("objects") }),
    "cdn-session": createCdnSessionHandler(envs["cdn-session"], { log: log("cdn-session") }),
    proxy: createProxyHandler(envs.proxy, { writer: s3TaggedWriter(s3), log: log("proxy"), ...withScanner }),
  };
  const routes: Record<string, ApiHandler> = {};
  for (const fn of API_FUNCTIONS) {
    for (const routeKey of ROUTES[fn]) {
      routes[routeKey] = api[fn];
    }
  }
  return { routes, scan: createScanHandler(envs.scan, { store, log: log("scan"), ...withScanner }), store };
}
