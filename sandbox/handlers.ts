import { API_FUNCTIONS, type ApiFunctionName, type Env, type FunctionName, type LogLevel, ROUTES } from "@mobile-s3/contract";
import { type S3Client } from "@aws-sdk/client-s3";
import { createCdnSessionHandler } from "../functions/cdn-session/app";
import { createObjectsHandler } from "../functions/objects/app";
import { createProxyHandler } from "../functions/proxy/app";
import { s3TaggedWriter } from "../functions/proxy/s3-tagged-writer";
import { createScanHandler } from "../functions/scan/app";
import { type ScanOutcome } from "../functions/scan/core";
import { type Scanner } from "../functions/scan/scanner";
import { s3Store } from "../functions/shared/s3-store";
import { type ObjectStore } from "../functions/shared/store";
import { createUploadsHandler } from "../functions/uploads/app";
import { functionLogger } from "./function-log";
import { type ApiHandler } from "./server";

export interface SandboxHandlers {
  /** Route key → the function serving it, as the deployed API's integrations (`infra/api/catalog.ts`). */
  routes: Record<string, ApiHandler>;
  /** The scan function, as EventBridge invokes it. */
  scan: (event: unknown) => Promise<ScanOutcome>;
  /** The engine owner's storage port, for the scan worker's listings and local GuardDuty (AWS services, not functions). */
  store: ObjectStore;
}

/**
 * The functions Lambda runs (`functions/<name>/app.ts`), each built from its environment, each
 * talking to S3 with its own role's credentials (`clients`, through the IAM gateway, which holds
 * it to that role's policy). The scanner is ClamAV from the environment unless the sandbox has
 * none (`scanner`). `owner` is the engine's own client, for what stands in for AWS services (the
 * scan worker's listings, local GuardDuty), never for a function.
 */
export function sandboxHandlers(
  envs: Record<FunctionName, Env>,
  clients: Record<FunctionName, S3Client>,
  owner: S3Client,
  logLevel: LogLevel,
  scanner?: Scanner,
): SandboxHandlers {
  const log = (fn: FunctionName) => functionLogger(fn, logLevel);
  const withScanner = scanner === undefined ? {} : { scanner };
  const api: Record<ApiFunctionName, ApiHandler> = {
    uploads: createUploadsHandler(envs.uploads, { store: s3Store(clients.uploads), log: log("uploads") }),
    objects: createObjectsHandler(envs.objects, { store: s3Store(clients.objects), log: log("objects") }),
    "cdn-session": createCdnSessionHandler(envs["cdn-session"], { log: log("cdn-session") }),
    proxy: createProxyHandler(envs.proxy, { writer: s3TaggedWriter(clients.proxy), log: log("proxy"), ...withScanner }),
  };
  const routes: Record<string, ApiHandler> = {};
  for (const fn of API_FUNCTIONS) {
    for (const routeKey of ROUTES[fn]) {
      routes[routeKey] = api[fn];
    }
  }
  return { routes, scan: createScanHandler(envs.scan, { store: s3Store(clients.scan), log: log("scan"), ...withScanner }), store: s3Store(owner) };
}
