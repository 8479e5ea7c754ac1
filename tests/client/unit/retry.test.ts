import * as assert from "node:assert/strict";
import { backoffMs, DEFAULT_RETRY, isRetryableStatus, retryAfterMs, type RetryOptions, sleep } from "../../../client/src/retry";

const OPTIONS: RetryOptions = { ...DEFAULT_RETRY, baseDelayMs: 250, maxDelayMs: 20_000 };
const LOWEST = () => 0;
const HIGHEST = () => 1 - Number.EPSILON;

describe("client/retry", () => {
  describe("backoffMs", () => {
    // The ceiling starts at baseDelayMs, doubles per attempt and stops at maxDelayMs.
    const ceilings: [number, number][] = [
      [1, 250],
      [2, 500],
      [3, 1_000],
      [4, 2_000],
      [7, 16_000],
      [8, 20_000],
      [40, 20_000],
    ];
    for (const [attempt, ceiling] of ceilings) {
      it(`attempt ${attempt}: from 0 to just under ${ceiling} ms`, () => {
        assert.equal(backoffMs(attempt, OPTIONS, LOWEST), 0);
        assert.equal(backoffMs(attempt, OPTIONS, HIGHEST), ceiling - 1);
        assert.equal(backoffMs(attempt, OPTIONS, () => 0.5), ceiling / 2);
      });
    }

    const retryAfter: [string, number, number][] = [
      ["a server's Retry-After wins over the jitter", 3_000, 3_000],
      ["Retry-After 0 means at once", 0, 0],
      ["a Retry-After beyond maxDelayMs is capped", 3_600_000, 20_000],
    ];
    for (const [name, given, expected] of retryAfter) {
      it(name, () => {
        assert.equal(backoffMs(1, OPTIONS, HIGHEST, given), expected);
        assert.equal(backoffMs(5, OPTIONS, LOWEST, given), expected);
      });
    }
  });

  describe("isRetryableStatus", () => {
    const table: [number, string | undefined, boolean][] = [
      [408, undefined, true],
      [429, undefined, true],
      [500, "InternalError", true],
      [502, undefined, true],
      [503, "SlowDown", true],
      [504, undefined, true],
      [400, "RequestTimeout", true],
      [400, "InvalidPath", false],
      [400, undefined, false],
      [401, undefined, false],
      [403, "AccessDenied", false],
      [403, "RequestTimeout", false],
      [404, "NoSuchUpload", false],
      [409, "NotScanned", false],
      [413, "EntityTooLarge", false],
      [415, undefined, false],
      [200, undefined, false],
    ];
    for (const [status, code, retryable] of table) {
      it(`${status} ${code ?? "(no code)"}: ${retryable ? "retried" : "final"}`, () => assert.equal(isRetryableStatus(status, code), retryable));
    }
  });

  describe("retryAfterMs", () => {
    const now = Date.parse("2026-11-24T12:00:00Z");
    const table: [string, string | null, number | undefined][] = [
      ["seconds", "3", 3_000],
      ["seconds with spaces", " 120 ", 120_000],
      ["zero seconds", "0", 0],
      ["an HTTP date a minute ahead", "Tue, 24 Nov 2026 12:01:00 GMT", 60_000],
      ["an HTTP date in the past", "Tue, 24 Nov 2026 11:00:00 GMT", 0],
      ["a word", "soon", undefined],
      ["fractional seconds", "1.5", undefined],
      ["negative seconds", "-1", undefined],
      ["seconds with a unit", "3 seconds", undefined],
      ["hexadecimal", "0x10", undefined],
      ["empty", "", undefined],
      ["blank", "   ", undefined],
      ["no header", null, undefined],
    ];
    for (const [name, value, expected] of table) {
      it(`${name}: ${JSON.stringify(value)} → ${expected}`, () => assert.equal(retryAfterMs(value, now), expected));
    }
  });

  describe("sleep", () => {
    it("resolves when not aborted", async () => {
      await sleep(0);
      await sleep(0, new AbortController().signal);
    });

    it("rejects with the signal's reason when aborted before", async () => {
      const controller = new AbortController();
      const reason = new Error("paused");
      controller.abort(reason);
      await assert.rejects(sleep(3_600_000, controller.signal), (err) => err === reason);
    });

    it("rejects with the signal's reason as soon as it aborts during the pause", async () => {
      const controller = new AbortController();
      const reason = Symbol("cancelled");
      const sleeping = sleep(3_600_000, controller.signal);
      setImmediate(() => controller.abort(reason));
      await assert.rejects(sleeping, (err) => err === reason);
    });

    it("rejects with an AbortError when aborted without a reason", async () => {
      const controller = new AbortController();
      const sleeping = sleep(3_600_000, controller.signal);
      controller.abort();
      await assert.rejects(sleeping, { name: "AbortError" });
    });
  });
});
