import { type ApiFunctionName, type Env, type FunctionName, type LogLevel } from "@mobile-s3/contract";
import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type S3Client } from "@aws-sdk/client-s3";
import { adminFunction } from "../functions/admin/app";
import { type UserSessions } from "../functions/admin/core";
import { cdnSessionFunction } from "../functions/cdn-session/app";
import { createIndexerHandler } from "../functions/indexer/app";
import { type IndexerOutcome } from "../functions/indexer/core";
import { objectsFunction } from "../functions/objects/app";
import { proxyFunction } from "../functions/proxy/app";
import { createScanHandler } from "../functions/scan/app";
import { type ScanOutcome } from "../functions/scan/core";
import { type Scanner } from "../functions/scan/scanner";
import { s3Store } from "../functions/shared/s3-store";
import { type ObjectStore } from "../functions/shared/store";
import { uploadsFunction } from "../functions/uploads/app";
import { functionLogger } from "./function-log";
import { type ApiHandler } from "./server";

export interface SandboxHandlers {
  /** Route key → the function serving it, as the deployed API's integrations (`infra/api/catalog.ts`). */
  routes: Record<string, ApiHandler>;
  /** The scan function, as EventBridge invokes it. */
  scan: (event: unknown) => Promise<ScanOutcome>;
  /** The indexer, as EventBridge invokes it (S3's object events). */
  indexer: (event: unknown) => Promise<IndexerOutcome>;
  /** The engine owner's storage port, for the scan worker's listings and local GuardDuty (AWS services, not functions). */
  store: ObjectStore;
}

/**
 * The functions Lambda runs (`functions/<name>/app.ts`), each built from its environment by the
 * same runtime as its Lambda handler (`functions/shared/runtime.ts`), each
 * talking to S3 with its own role's credentials (`clients`, through the IAM gateway, which holds
 * it to that role's policy). The scanner is ClamAV from the environment unless the sandbox has
 * none (`scanner`). `owner` is the engine's own client, for what stands in for AWS services (the
 * scan worker's listings, local GuardDuty), never for a function. Every function that keeps or
 * reads the object index does so through `dynamodb`, the local DynamoDB's client.
 */
/**
 * The sandbox has no user pool: its issuer signs whatever claims it is asked for, so no directory
 * says which tenant a user is in, and the admin function answers every revocation 404 UserNotFound.
 * The tests give it a directory of their own (tests/functions/admin).
 */
const NO_USER_POOL: UserSessions = {
  tenantOf: () => Promise.resolve(undefined),
  signOut: () => Promise.resolve(),
  disable: () => Promise.resolve(),
};

export function sandboxHandlers(
  envs: Record<FunctionName, Env>,
  clients: Record<FunctionName, S3Client>,
  owner: S3Client,
  dynamodb: DynamoDBClient,
  logLevel: LogLevel,
  scanner?: Scanner,
): SandboxHandlers {
  const log = (fn: FunctionName) => functionLogger(fn, logLevel);
  // Lambda gives each function its region and role credentials; here the DynamoDB client comes made.
  const ports = (fn: ApiFunctionName) => ({ s3: clients[fn], dynamodb, log: log(fn) });
  const withScanner = scanner === undefined ? {} : { scanner };
  const api: [readonly string[], ApiHandler][] = [
    [uploadsFunction.routes, uploadsFunction.createHandler(envs.uploads, ports("uploads"))],
    [objectsFunction.routes, objectsFunction.createHandler(envs.objects, ports("objects"))],
    [cdnSessionFunction.routes, cdnSessionFunction.createHandler(envs["cdn-session"], ports("cdn-session"))],
    [proxyFunction.routes, proxyFunction.createHandler(envs.proxy, { ...ports("proxy"), ...withScanner })],
    [adminFunction.routes, adminFunction.createHandler(envs.admin, { ...ports("admin"), sessions: NO_USER_POOL })],
  ];
  const routes: Record<string, ApiHandler> = {};
  for (const [keys, handler] of api) {
    for (const routeKey of keys) {
      routes[routeKey] = handler;
    }
  }
  return {
    routes,
    scan: createScanHandler(envs.scan, { store: s3Store(clients.scan), log: log("scan"), ...withScanner }),
    indexer: createIndexerHandler(envs.indexer, { store: s3Store(clients.indexer), dynamodb, log: log("indexer") }),
    store: s3Store(owner),
  };
}
