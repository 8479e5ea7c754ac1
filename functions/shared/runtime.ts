import { type ApiFunctionName, DEFAULT_TENANT_CLAIM, type Env, type ErrorBody, REVOCATION_CACHE_SECONDS } from "@mobile-s3/contract";
import { type ApiRequest, type ApiResponse, type AuthenticatedRequest, errorResponse, type HttpContext, serveRoutes } from "./api";
import { ApiError } from "./errors";
import { type DynamoDbClientSource, lazyDynamoDbClient } from "./dynamodb-sdk";
import { type HttpApiEvent, type HttpApiResult, httpApiHandler } from "./http-api";
import { createTokenVerifier } from "./identity";
import { createLogger, type Logger } from "./log";
import { cachedRevocations, checkNotRevoked, type RevocationPolicy, type RevocationRecords, revocationRecords } from "./revocation";
import { lazyS3Client, type S3ClientSource } from "./s3-sdk";
import { s3Store } from "./s3-store";
import { readAdapterSettings, type AdapterSettings } from "./settings";
import { type ObjectStore } from "./store";

/*
 * One runtime for the HTTP functions, in the spirit of Powertools for AWS Lambda: a function
 * declares its routes, its configuration loader and its core; the runtime owns everything else
 * (the adapter-only settings, the logger, S3, the token verifier, the event's parsing, the route
 * and caller checks, the answer's shape and the bare 500).
 */


/** A Lambda handler for the HTTP API (payload format 2.0); the sandbox serves the same one. */
export type HttpHandler = (event: HttpApiEvent) => Promise<HttpApiResult>;

/** What the runtime builds once per cold start and hands to a function's `deps`. */
export interface RuntimeParts<C> {
  env: Env;
  config: C;
  settings: AdapterSettings;
  log: Logger;
  /** The S3 client, built with the first S3 call unless a port gave one. */
  s3: S3ClientSource;
  /** The ObjectStore over `s3`, unless a port gave one. */
  store: ObjectStore;
}

/** What a test, a benchmark or the sandbox may put in place of what the runtime builds. */
export interface RuntimePorts {
  log?: Logger;
  /** A DynamoDB client already built (the sandbox's and the tests' local engine). */
  dynamodb?: DynamoDbClientSource;
  /** Users' revocation items, in place of the REVOCATION_TABLE's (kept per container all the same). */
  revocations?: RevocationRecords;
  /** The clock of the revocation cache. @default Date.now */
  now?: () => number;
  /** An S3 client already built (the sandbox gives each function its own role's). */
  s3?: S3ClientSource;
  store?: ObjectStore;
}

/** The deps of a core that needs only the store: what the runtime gives when a function names no `deps`. */
export interface StoreDeps {
  store: ObjectStore;
}

export type HttpFunctionSpec<C, D, P extends object, B> = {
  /** The log lines' `service`. */
  name: ApiFunctionName;
  /** Route keys served (from @mobile-s3/contract); any other is a 404. */
  routes: readonly string[];
  /** Reads the function's own settings; refuses to start, naming the variable, on a bad one. */
  loadConfig(env: Env): C;
  /** The core: a verified caller on one of `routes`; throws `ApiError` for what the caller can fix. */
  handle(request: AuthenticatedRequest, context: HttpContext<C, D>): Promise<ApiResponse<B>>;
} & (
  | {
      /** The core's dependencies, from what the runtime built and the function's own ports. */
      deps(parts: RuntimeParts<C>, ports: Partial<P>): D;
    }
  | ([D] extends [StoreDeps] ? { deps?: undefined } : never)
);

export interface HttpFunction<C, D, P extends object, B> {
  name: ApiFunctionName;
  routes: readonly string[];
  loadConfig(env: Env): C;
  /** Reads everything the handler reads at cold start, so a bad setting fails here. */
  load(env: Env): { config: C; settings: AdapterSettings };
  /** The core behind the route and caller checks: 404 for another route, 401 without a caller, 4xx for an `ApiError`. */
  serve(request: ApiRequest, context: HttpContext<C, D>): Promise<ApiResponse<B | ErrorBody>>;
  /** The Lambda handler, built once per cold start from `env` (a missing setting fails here, not in every request). */
  createHandler(env: Env, ports?: RuntimePorts & Partial<P>): HttpHandler;
}

/**
 * Declares an HTTP function. Tokens are verified by the runtime only when JWT_ISSUER is set
 * (sandbox, tests); behind API Gateway the JWT authorizer has done it. Headers reach the core in
 * `request.headers` and are never logged (No secrets in logs).
 */
export function defineHttpFunction<C, D, P extends object = object, B = unknown>(spec: HttpFunctionSpec<C, D, P, B>): HttpFunction<C, D, P, B> {
  const serve = (request: ApiRequest, context: HttpContext<C, D>) => serveRoutes(spec.routes, request, (r) => spec.handle(r, context));
  const load = (env: Env) => ({ config: spec.loadConfig(env), settings: readAdapterSettings(env) });
  return {
    name: spec.name,
    routes: spec.routes,
    loadConfig: spec.loadConfig,
    load,
    serve,
    createHandler(env, ports = {}) {
      const { config, settings } = load(env);
      const log = ports.log ?? createLogger(spec.name, settings.logLevel);
      const s3 = ports.s3 ?? lazyS3Client(settings.s3);
      const store = ports.store ?? s3Store(s3);
      const parts = { env, config, settings, log, s3, store };
      const context = { config, deps: spec.deps === undefined ? ({ store } as StoreDeps as D) : spec.deps(parts, ports) };
      const verifier = settings.token === undefined ? undefined : createTokenVerifier(settings.token);
      const revocation = revocationPolicy(settings, ports);
      return httpApiHandler(log, (request) => serveUnrevoked(revocation, request, () => serve(request, context)), verifier === undefined ? {} : { verifier });
    },
  };
}

/** The stack's emergency instant, and users' revocation items when the function is told their table. */
function revocationPolicy(settings: AdapterSettings, ports: RuntimePorts): RevocationPolicy {
  const { revocation } = settings;
  const records = ports.revocations ?? (revocation === undefined ? undefined : revocationRecords(ports.dynamodb ?? lazyDynamoDbClient(settings.dynamodb), revocation.table));
  return {
    ...(settings.sessionsRevokedBefore === undefined ? {} : { sessionsRevokedBefore: settings.sessionsRevokedBefore }),
    ...(records === undefined
      ? {}
      : { users: { records: cachedRevocations(records, REVOCATION_CACHE_SECONDS * 1000, ports.now), tenantClaim: revocation?.tenantClaim ?? DEFAULT_TENANT_CLAIM } }),
  };
}

/** Refuses a caller whose token a revocation ended (README "Revocation plan") before anything else runs for it. */
async function serveUnrevoked<B>(policy: RevocationPolicy, request: ApiRequest, serve: () => Promise<ApiResponse<B | ErrorBody>>): Promise<ApiResponse<B | ErrorBody>> {
  if (request.caller !== undefined) {
    try {
      await checkNotRevoked(request.caller, policy);
    } catch (err) {
      if (err instanceof ApiError) {
        return errorResponse(err.status, err.code, err.message);
      }
      throw err;
    }
  }
  return serve();
}
