import { API_FUNCTIONS, FUNCTION_NAMES, LIMIT_BOUNDS, SCANNERS } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { PROXY_SCAN_TIMEOUT_MS } from "../../../functions/proxy/app";
import { SCAN_TIMEOUT_MS } from "../../../functions/scan/app";
import { DEFAULT_SCAN_MAX_BYTES } from "../../../functions/scan/core";
import { functionSizing, LAMBDA_MAX_TIMEOUT_SECONDS, NEW_ACCOUNT_MAX_MEMORY_MB } from "../../../infra/api/catalog";
import { MIN_RECONCILE_INTERVAL_MINUTES } from "../../../infra/object-index/event-pattern";

/** API Gateway ends an HTTP API integration after 30 seconds, whatever the function's timeout. */
const API_GATEWAY_TIMEOUT_SECONDS = 30;
/** What ClamAV holds with the public signature database loaded (functions/scan/README.md). */
const CLAMAV_MEMORY_MB = 1024;
const MIB = 1024 * 1024;

describe("infra/api/catalog functionSizing", () => {
  for (const scanner of SCANNERS) {
    it(`${scanner}: ends every API function before API Gateway gives up on it`, () => {
      for (const fn of API_FUNCTIONS) {
        assert.ok(functionSizing(fn, { scanner }).timeout < API_GATEWAY_TIMEOUT_SECONDS, fn);
      }
    });

    it(`${scanner}: asks no function for more memory than a new account may give one ("Lambda quotas": ${NEW_ACCOUNT_MAX_MEMORY_MB} MB)`, () => {
      for (const fn of FUNCTION_NAMES) {
        assert.ok(functionSizing(fn, { scanner }).memorySize <= NEW_ACCOUNT_MAX_MEMORY_MB, fn);
      }
    });
  }

  it("clamav proxy: outlasts its inline scan, and holds ClamAV's database beside the body", () => {
    const proxy = functionSizing("proxy", { scanner: "clamav" });
    assert.ok(proxy.timeout * 1000 > PROXY_SCAN_TIMEOUT_MS);
    // The body twice: as API Gateway's base64 and decoded.
    assert.ok(proxy.memorySize > CLAMAV_MEMORY_MB + (2 * LIMIT_BOUNDS.proxyMaxBytes.max) / MIB);
  });

  it("clamav scan: outlasts its scan timeout, holds ClamAV's database beside the largest object it scans, and takes scanMemoryMb", () => {
    const scan = functionSizing("scan", { scanner: "clamav" });
    assert.ok(scan.timeout * 1000 > SCAN_TIMEOUT_MS);
    assert.ok(scan.memorySize > CLAMAV_MEMORY_MB + DEFAULT_SCAN_MAX_BYTES / MIB);
    assert.equal(functionSizing("scan", { scanner: "clamav", scanMemoryMb: 4096 }).memorySize, 4096);
  });

  for (const scanner of SCANNERS) {
    it(`${scanner}: the indexer gets Lambda's longest run for the reconciliation, and no schedule may start the next one before it ends`, () => {
      const indexer = functionSizing("indexer", { scanner });
      assert.deepEqual(indexer, { memorySize: 512, timeout: 900 });
      assert.equal(indexer.timeout, LAMBDA_MAX_TIMEOUT_SECONDS);
      assert.equal(MIN_RECONCILE_INTERVAL_MINUTES * 60, indexer.timeout);
    });
  }

  it("guardduty: the scan function only moves infected objects, and the proxy scans nothing inline", () => {
    assert.deepEqual(functionSizing("scan", { scanner: "guardduty" }), { memorySize: 256, timeout: 60 });
    assert.deepEqual(functionSizing("proxy", { scanner: "guardduty" }), { memorySize: 256, timeout: 10 });
  });
});
