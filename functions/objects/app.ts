import { type Env } from "@mobile-s3/contract";
import { type HttpApiEvent, type HttpApiResult, httpApiHandler } from "../shared/http-api";
import { createTokenVerifier } from "../shared/identity";
import { createLogger, type Logger, readLogLevel } from "../shared/log";
import { lazyS3Client } from "../shared/s3-sdk";
import { s3Store } from "../shared/s3-store";
import { type ObjectStore } from "../shared/store";
import { handleObjectsRequest, loadObjectsConfig } from "./core";

/** What a test or the sandbox may put in place of the defaults built from the environment. */
export interface ObjectsPorts {
  store?: ObjectStore;
  log?: Logger;
}

/**
 * The objects function as Lambda runs it, built once per cold start from `env`: a missing setting
 * fails here, not in every request. Tokens are verified here only when JWT_ISSUER is set; behind
 * API Gateway the JWT authorizer has done it.
 */
export function createObjectsHandler(env: Env, ports: ObjectsPorts = {}): (event: HttpApiEvent) => Promise<HttpApiResult> {
  const config = loadObjectsConfig(env);
  const log = ports.log ?? createLogger("objects", readLogLevel(env));
  const store =
    ports.store ?? s3Store(lazyS3Client(config.s3Endpoint === undefined ? {} : { endpoint: config.s3Endpoint, forcePathStyle: true }));
  const verifier = config.token === undefined ? undefined : createTokenVerifier(config.token);
  return httpApiHandler(log, (request) => handleObjectsRequest(request, config, store), verifier === undefined ? {} : { verifier });
}
