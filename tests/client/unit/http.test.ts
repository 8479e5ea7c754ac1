import * as assert from "node:assert/strict";
import { StorageError } from "../../../client/src/errors";
import { fetchOnce, type HttpContext, retrying, s3ErrorCode, TransientNetworkError } from "../../../client/src/http";
import { safeLogger } from "../../../client/src/log";
import { type RetryOptions } from "../../../client/src/retry";
import { bodyCutOff, bodyStalls, type Planned, scriptedFetch } from "./fixtures/fake-fetch";
import { captureLog } from "./fixtures/log";
import { assertNoSecret, PRESIGNED_PART_URL } from "./fixtures/secrets";

const PUT: RequestInit = { method: "PUT", body: "part bytes" };

/** Backoff pauses are 0 (`random: () => 0`); `requestTimeoutMs` is tiny so a hang ends at once. */
function http(plan: readonly Planned[], retry: Partial<RetryOptions> = {}) {
  const fake = scriptedFetch(plan);
  const log = captureLog();
  const context: HttpContext = {
    fetch: fake.fetch,
    retry: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 1_000, requestTimeoutMs: 60_000, ...retry },
    log: safeLogger(log.logger),
    random: () => 0,
  };
  return { context, requests: fake.requests, lines: log.lines };
}

function s3(status: number, code?: string, headers: Record<string, string> = {}): Response {
  const body = code === undefined ? "" : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} happened</Message></Error>`;
  return new Response(body, { status, headers });
}

function networkErrorQuoting(url: string): TypeError {
  return new TypeError(`fetch failed: PUT ${url}`);
}

function put(context: HttpContext, signal?: AbortSignal) {
  return retrying(context, () => fetchOnce(context, PRESIGNED_PART_URL, PUT, signal), { operation: "PUT part 3 of photos/cat.jpg", signal, codeOf: s3ErrorCode });
}

describe("client/http", () => {
  describe("fetchOnce", () => {
    it("returns the status, headers and whole body, and passes its own signal to fetch", async () => {
      let seen: AbortSignal | null | undefined;
      const { context } = http([
        async (_url, init) => {
          seen = init.signal;
          return new Response("<ok/>", { status: 200, headers: { etag: '"abc"' } });
        },
      ]);
      const answer = await fetchOnce(context, PRESIGNED_PART_URL, PUT);
      assert.deepEqual({ status: answer.status, etag: answer.headers.get("etag"), text: answer.text }, { status: 200, etag: '"abc"', text: "<ok/>" });
      assert.ok(seen instanceof AbortSignal);
    });

    const failures: [string, Planned, RegExp, Partial<RetryOptions>?][] = [
      ["a dropped connection, named by its cause's code", new TypeError("fetch failed", { cause: { code: "ECONNRESET" } }), /^ECONNRESET$/],
      ["a fetch error quoting the URL", networkErrorQuoting(PRESIGNED_PART_URL), /^fetch failed: PUT \[url\]$/],
      ["a fetch error whose cause quotes the URL", new TypeError("fetch failed", { cause: new Error(`connect ECONNREFUSED ${PRESIGNED_PART_URL}`) }), /^connect ECONNREFUSED \[url\]$/],
      ["a body cut off", bodyCutOff(), /terminated/],
      ["no answer within requestTimeoutMs", "hang", /^no complete answer within 20 ms$/, { requestTimeoutMs: 20 }],
      ["a body that stalls after the headers", bodyStalls(), /^no complete answer within 20 ms$/, { requestTimeoutMs: 20 }],
    ];
    for (const [name, planned, detail, retry] of failures) {
      it(`${name}: a TransientNetworkError that holds no URL`, async () => {
        const { context } = http([planned], retry);
        const err = await fetchOnce(context, PRESIGNED_PART_URL, PUT).then(
          () => assert.fail("fetchOnce should reject"),
          (e: unknown) => e,
        );
        assert.ok(err instanceof TransientNetworkError, String(err));
        assert.match(err.detail, detail);
        assertNoSecret(`${err.message} ${err.stack}`);
      });
    }

    it("rejects with the signal's reason, without a request, when the signal is already aborted", async () => {
      const { context, requests } = http([new Response("")]);
      const reason = new Error("paused");
      await assert.rejects(fetchOnce(context, PRESIGNED_PART_URL, PUT, AbortSignal.abort(reason)), (err) => err === reason);
      assert.equal(requests.length, 0);
    });

    for (const [name, planned] of [
      ["before the answer", "hang"],
      ["while the body arrives", bodyStalls()],
    ] as [string, Planned][]) {
      it(`rejects with the signal's reason when it aborts ${name}`, async () => {
        const controller = new AbortController();
        const reason = Symbol("paused");
        const { context } = http([planned]);
        const pending = fetchOnce(context, PRESIGNED_PART_URL, PUT, controller.signal);
        setImmediate(() => controller.abort(reason));
        await assert.rejects(pending, (err) => err === reason);
      });
    }
  });

  describe("retrying", () => {
    const retried: [string, Planned, Partial<RetryOptions>?][] = [
      ["a dropped connection", new TypeError("fetch failed", { cause: { code: "ECONNRESET" } })],
      ["a body cut off", bodyCutOff()],
      ["a request that never answers", "hang", { requestTimeoutMs: 20 }],
      ["500 InternalError", s3(500, "InternalError")],
      ["502", s3(502)],
      ["503 SlowDown", s3(503, "SlowDown")],
      ["504", s3(504)],
      ["429", s3(429)],
      ["408", s3(408)],
      ["400 RequestTimeout", s3(400, "RequestTimeout")],
    ];
    for (const [name, planned, retry] of retried) {
      it(`retries after ${name}`, async () => {
        const { context, requests } = http([planned, s3(200)], retry);
        const answer = await put(context);
        assert.equal(answer.status, 200);
        assert.equal(requests.length, 2);
      });
    }

    const final: [string, Response][] = [
      ["400 InvalidArgument", s3(400, "InvalidArgument")],
      ["401", s3(401)],
      ["403 AccessDenied", s3(403, "AccessDenied")],
      ["404 NoSuchUpload", s3(404, "NoSuchUpload")],
      ["409", s3(409)],
      ["413 EntityTooLarge", s3(413, "EntityTooLarge")],
      ["415", s3(415)],
    ];
    for (const [name, answer] of final) {
      it(`hands ${name} back at once`, async () => {
        const { context, requests } = http([answer, s3(200)]);
        assert.equal((await put(context)).status, answer.status);
        assert.equal(requests.length, 1);
      });
    }

    it("gives up on network failures after maxAttempts with a NetworkError that counts them and holds no secret", async () => {
      const { context, requests, lines } = http([networkErrorQuoting(PRESIGNED_PART_URL), networkErrorQuoting(PRESIGNED_PART_URL), networkErrorQuoting(PRESIGNED_PART_URL), s3(200)]);
      const err = await put(context).then(
        () => assert.fail("should give up"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof StorageError);
      assert.deepEqual({ code: err.code, attempts: err.attempts, status: err.status }, { code: "NetworkError", attempts: 3, status: undefined });
      assert.match(err.message, /^PUT part 3 of photos\/cat\.jpg: .*gave up after 3 attempts$/);
      assertNoSecret(`${err.message} ${err.stack} ${JSON.stringify(lines)}`);
      assert.equal(requests.length, 3);
    });

    it("hands the last answer back when the server still fails after maxAttempts", async () => {
      const { context, requests } = http([s3(503, "SlowDown"), s3(503, "SlowDown"), s3(503, "SlowDown"), s3(200)]);
      assert.equal((await put(context)).status, 503);
      assert.equal(requests.length, 3);
    });

    it("logs each retry with the operation, attempt and pause, and no URL", async () => {
      const { context, lines } = http([networkErrorQuoting(PRESIGNED_PART_URL), s3(503, "SlowDown"), s3(200)]);
      await put(context);
      assert.deepEqual(
        lines.map((l) => [l.level, l.message, l.fields?.operation, l.fields?.attempt, l.fields?.pauseMs]),
        [
          ["warn", "retrying after a network failure", "PUT part 3 of photos/cat.jpg", 1, 0],
          ["warn", "retrying after a server answer", "PUT part 3 of photos/cat.jpg", 2, 0],
        ],
      );
      assertNoSecret(JSON.stringify(lines));
    });

    const pauses: [string, Record<string, string>, number][] = [
      ["jittered (random 0) without Retry-After", {}, 0],
      ["the server's Retry-After, capped at maxDelayMs", { "retry-after": "120" }, 5],
      ["an HTTP-date Retry-After in the past: at once", { "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" }, 0],
    ];
    for (const [name, headers, pauseMs] of pauses) {
      it(`pauses ${name}`, async () => {
        const { context, lines } = http([s3(503, "SlowDown", headers), s3(200)], { maxDelayMs: 5 });
        await put(context);
        assert.equal(lines[0].fields?.pauseMs, pauseMs);
      });
    }

    it("does not retry when the caller's signal aborts the request: it rejects with the signal's reason", async () => {
      const controller = new AbortController();
      const reason = Symbol("cancelled");
      const { context, requests } = http(["hang", s3(200)]);
      const pending = put(context, controller.signal);
      setImmediate(() => controller.abort(reason));
      await assert.rejects(pending, (err) => err === reason);
      assert.equal(requests.length, 1);
    });

    it("stops during the backoff pause when the caller's signal aborts", async () => {
      const controller = new AbortController();
      const reason = Symbol("paused");
      const { context, requests } = http([s3(503, "SlowDown", { "retry-after": "3600" }), s3(200)], { maxDelayMs: 3_600_000 });
      const pending = put(context, controller.signal);
      setImmediate(() => controller.abort(reason));
      await assert.rejects(pending, (err) => err === reason);
      assert.equal(requests.length, 1);
    });

    it("lets an error that is not a network failure through at once", async () => {
      const { context } = http([]);
      const bug = new RangeError("a bug in the caller");
      let calls = 0;
      await assert.rejects(
        retrying(context, async () => {
          calls++;
          throw bug;
        }, { operation: "x" }),
        (err) => err === bug,
      );
      assert.equal(calls, 1);
    });
  });
});
