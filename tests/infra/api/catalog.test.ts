import * as assert from "node:assert/strict";
import { PROXY_SCAN_TIMEOUT_MS } from "../../../functions/proxy/app";
import { SCAN_TIMEOUT_MS } from "../../../functions/scan/app";
import { DEFAULT_SCAN_MAX_BYTES } from "../../../functions/scan/core";
import { LIMIT_BOUNDS } from "../../../functions/shared/limits";
import { API_FUNCTIONS, SIZING } from "../../../infra/api/catalog";

/** API Gateway ends an HTTP API integration after 30 seconds, whatever the function's timeout. */
const API_GATEWAY_TIMEOUT_SECONDS = 30;
/** What `clamscan` holds with the public signature database loaded (functions/scan/README.md). */
const CLAMSCAN_MEMORY_MB = 1024;
const MIB = 1024 * 1024;

describe("infra/api/catalog SIZING", () => {
  it("ends every API function before API Gateway gives up on it", () => {
    for (const fn of API_FUNCTIONS) {
      assert.ok(SIZING[fn].timeout < API_GATEWAY_TIMEOUT_SECONDS, fn);
    }
  });

  it("proxy: outlasts its inline scan, and holds clamscan's database beside the body", () => {
    assert.ok(SIZING.proxy.timeout * 1000 > PROXY_SCAN_TIMEOUT_MS);
    // The body twice: as API Gateway's base64 and decoded.
    assert.ok(SIZING.proxy.memorySize > CLAMSCAN_MEMORY_MB + (2 * LIMIT_BOUNDS.proxyMaxBytes.max) / MIB);
  });

  it("scan: outlasts its clamscan timeout, and holds clamscan's database beside the largest object it scans", () => {
    assert.ok(SIZING.scan.timeout * 1000 > SCAN_TIMEOUT_MS);
    assert.ok(SIZING.scan.memorySize > CLAMSCAN_MEMORY_MB + DEFAULT_SCAN_MAX_BYTES / MIB);
  });
});
