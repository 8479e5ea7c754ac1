import { PROXY_ROUTES } from "@mobile-s3/contract";
import { createClamAvScanner } from "../scan/clamav";
import { type Scanner } from "../scan/scanner";
import { indexFrom, type IndexPorts } from "../shared/index-port";
import { defineHttpFunction } from "../shared/runtime";
import { loadProxyConfig } from "./config";
import { handleProxyRequest, type ProxyDeps, type TaggedObjectWriter } from "./core";
import { s3TaggedWriter } from "./s3-tagged-writer";

/** The inline scan must end well within the function's timeout (SIZING.proxy) and API Gateway's 30 s. */
export const PROXY_SCAN_TIMEOUT_MS = 15_000;

/** What a test or the sandbox may put in place of the defaults built from the environment. */
export interface ProxyPorts extends IndexPorts {
  writer: TaggedObjectWriter;
  scanner: Scanner;
}

/** The proxy function: small uploads inspected server-side (type, content, and with ClamAV malware) before they are written. */
export const proxyFunction = defineHttpFunction({
  name: "proxy",
  routes: PROXY_ROUTES,
  loadConfig: loadProxyConfig,
  deps: (parts, ports: Partial<ProxyPorts>): ProxyDeps => ({
    writer: ports.writer ?? s3TaggedWriter(parts.s3),
    index: indexFrom(parts, ports),
    // GuardDuty scans after the write; only ClamAV scans inline (Scan before read).
    ...(parts.config.scan.scanner !== "clamav"
      ? {}
      : { scanner: ports.scanner ?? createClamAvScanner(parts.env, { timeoutMs: PROXY_SCAN_TIMEOUT_MS, maxFileBytes: parts.config.proxyMaxBytes, log: parts.log }) }),
    log: parts.log,
  }),
  handle: handleProxyRequest,
});

/** The proxy function as Lambda runs it, built once per cold start from `env`. */
export const createProxyHandler = proxyFunction.createHandler;
