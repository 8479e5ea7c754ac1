import { type Env } from "@mobile-s3/contract";
import { type S3ClientConfig } from "@aws-sdk/client-s3";
import { readS3Endpoint, readTokenSettings } from "../shared/settings";
import { type HttpApiEvent, type HttpApiResult, httpApiHandler } from "../shared/http-api";
import { createTokenVerifier } from "../shared/identity";
import { createLogger, type Logger, readLogLevel } from "../shared/log";
import { lazyS3Client } from "../shared/s3-sdk";
import { s3Store } from "../shared/s3-store";
import { type ObjectStore } from "../shared/store";
import { handleUploadsRequest, loadUploadsConfig } from "./core";

/** What a test or the sandbox may put in place of the defaults built from the environment. */
export interface UploadsPorts {
  store?: ObjectStore;
  log?: Logger;
}

/**
 * The S3 client's settings: the SDK's defaults in AWS (region and role credentials from the
 * runtime); an S3_ENDPOINT, addressed path-style, in the sandbox and the tests.
 */
export function s3ClientConfig(env: Env): S3ClientConfig {
  const endpoint = readS3Endpoint(env);
  return endpoint === undefined ? {} : { endpoint, forcePathStyle: true };
}

/**
 * The uploads function as Lambda runs it, built once per cold start from `env`: a missing setting
 * fails here, not in every request. Tokens are verified here only when JWT_ISSUER is set; behind
 * API Gateway the JWT authorizer has done it.
 */
export function createUploadsHandler(env: Env, ports: UploadsPorts = {}): (event: HttpApiEvent) => Promise<HttpApiResult> {
  const config = loadUploadsConfig(env);
  const token = readTokenSettings(env);
  const log = ports.log ?? createLogger("uploads", readLogLevel(env));
  const store = ports.store ?? s3Store(lazyS3Client(s3ClientConfig(env)));
  const verifier = token === undefined ? undefined : createTokenVerifier(token);
  return httpApiHandler(log, (request) => handleUploadsRequest(request, config, { store }), verifier === undefined ? {} : { verifier });
}
