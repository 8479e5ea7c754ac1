import * as assert from "node:assert/strict";
import { safeLogger, type StorageLogger } from "../../../client/src/log";
import { captureLog } from "./fixtures/log";
import { assertNoSecret, CLOUDFRONT_POLICY, JWT, PRESIGNED_PART_URL } from "./fixtures/secrets";

const LEVELS = ["debug", "info", "warn", "error"] as const;

describe("client/log safeLogger", () => {
  for (const level of LEVELS) {
    it(`${level}: redacts the message and every field before the app's logger sees them`, () => {
      const { lines, logger } = captureLog();
      safeLogger(logger)[level](`PUT ${PRESIGNED_PART_URL} with Bearer ${JWT}`, {
        url: PRESIGNED_PART_URL,
        detail: `fetch failed: ${PRESIGNED_PART_URL}`,
        headers: { authorization: `Bearer ${JWT}`, cookie: `CloudFront-Policy=${CLOUDFRONT_POLICY}` },
        error: new Error(`refused ${JWT}`),
        attempts: [1, 2],
      });
      assert.equal(lines.length, 1);
      assert.equal(lines[0].level, level);
      assertNoSecret(`${lines[0].message} ${JSON.stringify(lines[0].fields)}`);
      assert.match(String(lines[0].fields?.detail), /^fetch failed: https:\/\/media-bucket\.s3\.us-east-1\.amazonaws\.com\/tenants\/acme\/home\/u1\/photos\/cat\.jpg\?/);
      assert.match(lines[0].message, /^PUT https:\/\/media-bucket\.s3\.us-east-1\.amazonaws\.com\/tenants\/acme\/home\/u1\/photos\/cat\.jpg\?/);
      assert.deepEqual(lines[0].fields, {
        url: "[redacted]",
        detail: lines[0].fields?.detail,
        headers: { authorization: "[redacted]", cookie: "[redacted]" },
        error: { name: "Error", message: "refused [redacted-jwt]" },
        attempts: [1, 2],
      });
    });
  }

  it("passes no fields when none were given", () => {
    const { lines, logger } = captureLog();
    safeLogger(logger).info("upload paused");
    assert.deepEqual(lines, [{ level: "info", message: "upload paused", fields: undefined }]);
  });

  it("calls the app's logger as a method, so a class-based logger keeps its `this`", () => {
    class AppLogger {
      readonly seen: string[] = [];
      warn(message: string) {
        this.seen.push(message);
      }
    }
    const app = new AppLogger();
    safeLogger(app).warn("retrying");
    assert.deepEqual(app.seen, ["retrying"]);
  });

  it("skips the levels the app's logger does not have and serves the others", () => {
    const seen: string[] = [];
    const log = safeLogger({ warn: (message) => seen.push(message) });
    for (const level of LEVELS) {
      log[level](level);
    }
    assert.deepEqual(seen, ["warn"]);
  });

  const quiet: [string, StorageLogger | undefined][] = [
    ["no logger", undefined],
    ["a logger without any level", {}],
    ["a logger whose every level throws", { debug: boom, info: boom, warn: boom, error: boom }],
    ["a logger whose levels are not functions", { debug: "yes", info: 1 } as unknown as StorageLogger],
  ];
  for (const [name, logger] of quiet) {
    it(`never throws with ${name}`, () => {
      const log = safeLogger(logger);
      for (const level of LEVELS) {
        assert.doesNotThrow(() => log[level]("message", { token: JWT }));
      }
    });
  }
});

function boom(): never {
  throw new Error("the app's logger is broken");
}
