import { type Env } from "@mobile-s3/contract";
import { createClamAvScanner } from "../scan/clamav";
import { type HttpApiEvent, type HttpApiResult, httpApiHandler } from "../shared/http-api";
import { createTokenVerifier } from "../shared/identity";
import { createLogger, readLogLevel } from "../shared/log";
import { lazyS3Client } from "../shared/s3-sdk";
import { handleProxyRequest, loadProxyConfig, type ProxyPorts } from "./core";
import { s3TaggedWriter } from "./s3-tagged-writer";

/** The inline scan must end well within the function's timeout (SIZING.proxy) and API Gateway's 30 s. */
export const PROXY_SCAN_TIMEOUT_MS = 15_000;

/** HTTP API payload 2.0 lowercases header names; anything else calling the handler may not. */
function header(event: HttpApiEvent, name: string): string | undefined {
  const found = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return found?.[1];
}

/**
 * The proxy function as Lambda runs it, built once per cold start from `env`: a missing setting
 * fails here, not in every request. Tokens are verified here only when JWT_ISSUER is set; behind
 * API Gateway the JWT authorizer has done it.
 */
export function createProxyHandler(env: Env, ports: Partial<ProxyPorts> = {}): (event: HttpApiEvent) => Promise<HttpApiResult> {
  const config = loadProxyConfig(env);
  const log = ports.log ?? createLogger("proxy", readLogLevel(env));
  const writer =
    ports.writer ?? s3TaggedWriter(lazyS3Client(config.s3Endpoint === undefined ? {} : { endpoint: config.s3Endpoint, forcePathStyle: true }));
  // GuardDuty scans after the write; only ClamAV scans inline.
  const scanner =
    config.scan.scanner !== "clamav"
      ? undefined
      : (ports.scanner ?? createClamAvScanner(env, { timeoutMs: PROXY_SCAN_TIMEOUT_MS, maxFileBytes: config.proxyMaxBytes, log }));
  const verifier = config.token === undefined ? undefined : createTokenVerifier(config.token);
  const options = verifier === undefined ? {} : { verifier };
  return (event) =>
    httpApiHandler(log, (request) => handleProxyRequest({ ...request, contentType: header(event, "content-type") }, config, { writer, scanner, log }), options)(
      event,
    );
}
