import * as assert from "node:assert/strict";
import { type ApiCall, ControlPlane, type GetToken } from "../../../client/src/api";
import { StorageError } from "../../../client/src/errors";
import { safeLogger } from "../../../client/src/log";
import { type RetryOptions } from "../../../client/src/retry";
import { bodyCutOff, bodyStalls, json, networkError, type Planned, scriptedFetch } from "./fixtures/fake-fetch";
import { captureLog } from "./fixtures/log";
import { assertNoSecret, JWT, PRESIGNED_PART_URL } from "./fixtures/secrets";

const API = "https://api.example.com/prod";
const LIST: ApiCall = { operation: "list the home", method: "GET", route: "/v1/objects" };
const PAGE = { objects: [{ path: "a.jpg", size: 1, etag: '"e"', lastModified: "2026-11-24T00:00:00Z", scanStatus: "clean" }] };

/** A ControlPlane on a scripted fetch; backoff pauses are 0 and a hang ends after 20 ms. */
function controlPlane(plan: readonly Planned[], options: { getToken?: GetToken; retry?: Partial<RetryOptions>; apiUrl?: string } = {}) {
  const fake = scriptedFetch(plan);
  const log = captureLog();
  const tokens: boolean[] = [];
  const getToken: GetToken = options.getToken ?? (({ forceRefresh }) => (tokens.push(forceRefresh), forceRefresh ? "fresh-token" : "cached-token"));
  const api = new ControlPlane(options.apiUrl ?? API, getToken, {
    fetch: fake.fetch,
    retry: { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 1_000, requestTimeoutMs: 20, ...options.retry },
    log: safeLogger(log.logger),
    random: () => 0,
  });
  return { api, requests: fake.requests, tokens, lines: log.lines };
}

function failure(promise: Promise<unknown>): Promise<StorageError> {
  return promise.then(
    () => assert.fail("the call should fail"),
    (err: unknown) => {
      assert.ok(err instanceof StorageError, String(err));
      return err;
    },
  );
}

const GATEWAY_PAGE = () => new Response("<html><body><h1>502 Bad Gateway</h1></body></html>", { status: 502, headers: { "content-type": "text/html" } });

describe("client/api ControlPlane", () => {
  describe("requests", () => {
    it("sends the token as a bearer header and asks for JSON", async () => {
      const { api, requests } = controlPlane([json(200, PAGE)]);
      const answer = await api.call(LIST);
      assert.deepEqual(answer, { status: 200, body: PAGE });
      assert.equal(requests[0].url, `${API}/v1/objects`);
      assert.deepEqual(requests[0].headers, { accept: "application/json", authorization: "Bearer cached-token" });
      assert.equal(requests[0].body, undefined);
    });

    it("sends a body as JSON with its content type", async () => {
      const { api, requests } = controlPlane([json(200, { mode: "single" })]);
      await api.call({ operation: "start", method: "POST", route: "/v1/uploads", body: { path: "a.jpg", size: 3 } });
      assert.equal(requests[0].method, "POST");
      assert.equal(requests[0].headers["content-type"], "application/json");
      assert.deepEqual(JSON.parse(requests[0].body!), { path: "a.jpg", size: 3 });
    });

    const urls: [string, string, Partial<ApiCall>, string][] = [
      ["no query", API, {}, `${API}/v1/objects`],
      ["a base URL with a trailing slash", `${API}/`, {}, `${API}/v1/objects`],
      ["undefined query values left out", API, { query: { prefix: undefined, limit: 5 } }, `${API}/v1/objects?limit=5`],
      ["only undefined query values", API, { query: { cursor: undefined } }, `${API}/v1/objects`],
      [
        "query values encoded",
        API,
        { query: { path: "photos/a b&c=d?#%+ü.jpg", cursor: "eyJrIjoxfQ==" } },
        `${API}/v1/objects?path=photos%2Fa%20b%26c%3Dd%3F%23%25%2B%C3%BC.jpg&cursor=eyJrIjoxfQ%3D%3D`,
      ],
    ];
    for (const [name, apiUrl, call, url] of urls) {
      it(`builds the URL: ${name}`, async () => {
        const { api, requests } = controlPlane([json(200, PAGE)], { apiUrl });
        await api.call({ ...LIST, ...call });
        assert.equal(requests[0].url, url);
      });
    }

    it("reads an empty 2xx answer as no body", async () => {
      const { api } = controlPlane([new Response(null, { status: 204 })]);
      assert.deepEqual(await api.call({ operation: "delete a.jpg", method: "DELETE", route: "/v1/objects", query: { path: "a.jpg" } }), { status: 204, body: undefined });
    });

    it("accepts a getToken that answers synchronously or asynchronously", async () => {
      for (const getToken of [() => "sync-token", async () => "async-token"]) {
        const { api, requests } = controlPlane([json(200, PAGE)], { getToken });
        await api.call(LIST);
        assert.match(requests[0].headers.authorization, /^Bearer (sync|async)-token$/);
      }
    });
  });

  describe("401", () => {
    it("refreshes the token once and sends the request again with the new one", async () => {
      const { api, requests, tokens } = controlPlane([json(401, { error: { code: "Unauthorized", message: "token expired" } }), json(200, PAGE)]);
      assert.deepEqual((await api.call(LIST)).body, PAGE);
      assert.deepEqual(tokens, [false, true]);
      assert.deepEqual(requests.map((r) => r.headers.authorization), ["Bearer cached-token", "Bearer fresh-token"]);
    });

    it("fails with a 401 StorageError when the refreshed token is refused too", async () => {
      const { api, requests, tokens } = controlPlane([
        json(401, { error: { code: "Unauthorized", message: "token expired" } }),
        json(401, { error: { code: "Unauthorized", message: "token expired" } }),
        json(200, PAGE),
      ]);
      const err = await failure(api.call(LIST));
      assert.deepEqual({ status: err.status, code: err.code, message: err.message }, { status: 401, code: "Unauthorized", message: "list the home: token expired" });
      assert.deepEqual(tokens, [false, true]);
      assert.equal(requests.length, 2);
    });
  });

  describe("error answers", () => {
    const refusals: [number, string, string][] = [
      [400, "InvalidPath", "path must not contain '..'"],
      [403, "QuotaExceeded", "the home is full"],
      [404, "ObjectNotFound", "no such object"],
      [409, "NotScanned", "photos/a.jpg has not been scanned yet"],
      [413, "ObjectTooLarge", "the file is larger than 5 GiB"],
      [415, "ContentMismatch", "a .jpg must be image/jpeg"],
      [422, "Infected", "the object is infected"],
    ];
    for (const [status, code, message] of refusals) {
      it(`${status} ${code}: a StorageError with the API's code, status and message, not retried`, async () => {
        const { api, requests } = controlPlane([json(status, { error: { code, message } }), json(200, PAGE)]);
        const err = await failure(api.call(LIST));
        assert.deepEqual({ status: err.status, code: err.code, message: err.message, name: err.name }, { status, code, message: `list the home: ${message}`, name: "StorageError" });
        assert.equal(requests.length, 1);
      });
    }

    const pages: [string, () => Response, number, string][] = [
      ["a gateway's HTML page", GATEWAY_PAGE, 502, "list the home: the API answered 502"],
      ["an empty 503", () => new Response("", { status: 503 }), 503, "list the home: the API answered 503"],
      ["API Gateway's own JSON", () => json(500, { message: "Internal Server Error" }), 500, "list the home: 500 Internal Server Error"],
    ];
    for (const [name, page, status, message] of pages) {
      it(`${name}, after every attempt: a StorageError that says what came back`, async () => {
        const { api, requests } = controlPlane([page(), page(), page(), json(200, PAGE)]);
        const err = await failure(api.call(LIST));
        assert.deepEqual({ status: err.status, code: err.code, message: err.message }, { status, code: undefined, message });
        assert.equal(requests.length, 3);
      });
    }
  });

  describe("retries", () => {
    const transient: [string, () => Planned][] = [
      ["a dropped connection", () => networkError("ECONNRESET")],
      ["a refused connection", () => networkError("ECONNREFUSED")],
      ["a 500", () => json(500, { error: { code: "InternalError", message: "oops" } })],
      ["a gateway's 502 page", GATEWAY_PAGE],
      ["a 503 with Retry-After 0", () => json(503, { message: "Service Unavailable" }, { "retry-after": "0" })],
      ["a 429", () => json(429, { message: "Too Many Requests" })],
      ["a body cut off", () => bodyCutOff()],
      ["a 200 whose JSON was cut short", () => new Response('{"objects":[{"path":"a.j', { status: 200 })],
      ["a request that never answers (requestTimeoutMs)", () => "hang"],
      ["a body that stalls (requestTimeoutMs)", () => bodyStalls()],
    ];
    for (const [name, planned] of transient) {
      it(`retries after ${name}, with the same token`, async () => {
        const { api, requests, tokens } = controlPlane([planned(), json(200, PAGE)]);
        assert.deepEqual((await api.call(LIST)).body, PAGE);
        assert.equal(requests.length, 2);
        assert.deepEqual(tokens, [false]);
      });
    }

    const exhausted: [string, () => Planned, RegExp][] = [
      ["dropped connections", () => networkError("ECONNRESET"), /^list the home: ECONNRESET; gave up after 3 attempts$/],
      ["JSON cut short", () => new Response('{"objects":[', { status: 200 }), /^list the home: the answer was cut short \(12 bytes of unreadable JSON\); gave up after 3 attempts$/],
      ["requests that never answer", () => "hang", /^list the home: no complete answer within 20 ms; gave up after 3 attempts$/],
    ];
    for (const [name, planned, message] of exhausted) {
      it(`gives up after maxAttempts of ${name} with a NetworkError`, async () => {
        const { api, requests } = controlPlane([planned(), planned(), planned(), json(200, PAGE)]);
        const err = await failure(api.call(LIST));
        assert.deepEqual({ code: err.code, attempts: err.attempts, status: err.status }, { code: "NetworkError", attempts: 3, status: undefined });
        assert.match(err.message, message);
        assert.equal(requests.length, 3);
      });
    }
  });

  describe("secrets", () => {
    const getUrl: ApiCall = { operation: "get a URL for photos/cat.jpg", method: "GET", route: "/v1/objects/url", query: { path: "photos/cat.jpg" } };

    it("keeps the token and any URL out of a give-up error and the log, even when fetch quotes them", async () => {
      const quoting = () => new TypeError(`fetch failed: GET ${API}/v1/objects/url?path=photos%2Fcat.jpg&X-Amz-Signature=sig, redirected to ${PRESIGNED_PART_URL}`);
      const { api, lines } = controlPlane([quoting(), quoting(), quoting()], { getToken: () => JWT });
      const err = await failure(api.call(getUrl));
      const seen = `${err.message} ${err.stack} ${JSON.stringify(lines)}`;
      assertNoSecret(seen);
      assert.doesNotMatch(seen, /\?path=|X-Amz-Signature=sig/);
      assert.match(err.message, /^get a URL for photos\/cat\.jpg: fetch failed: GET \[url\]/);
    });

    it("masks a token or a presigned URL the API echoed in its error message", async () => {
      const echo = json(400, { error: { code: "BadRequest", message: `cannot use ${JWT} for ${PRESIGNED_PART_URL}` } });
      const { api } = controlPlane([echo], { getToken: () => JWT });
      const err = await failure(api.call(getUrl));
      assertNoSecret(`${err.message} ${err.stack}`);
      assert.match(err.message, /^get a URL for photos\/cat\.jpg: cannot use \[redacted-jwt\] for https:\/\/media-bucket\./);
    });

    it("never logs the token while refreshing it", async () => {
      const { api, lines } = controlPlane([json(401, { error: { code: "Unauthorized", message: "expired" } }), json(200, PAGE)], { getToken: () => JWT });
      await api.call(LIST);
      assert.deepEqual(lines.map((l) => l.message), ["token refused; refreshing it once"]);
      assertNoSecret(JSON.stringify(lines));
    });
  });

  describe("the caller's signal", () => {
    it("aborting it mid-request rejects with its reason, and nothing is retried", async () => {
      const controller = new AbortController();
      const reason = new Error("cancelled by the app");
      const { api, requests, tokens } = controlPlane(["hang", json(200, PAGE)], { retry: { requestTimeoutMs: 60_000 } });
      const pending = api.call({ ...LIST, signal: controller.signal });
      setImmediate(() => controller.abort(reason));
      await assert.rejects(pending, (err) => err === reason);
      assert.equal(requests.length, 1);
      assert.deepEqual(tokens, [false]);
    });

    it("an aborted signal rejects with its reason before any request", async () => {
      const reason = new Error("cancelled by the app");
      const { api, requests } = controlPlane([json(200, PAGE)]);
      await assert.rejects(api.call({ ...LIST, signal: AbortSignal.abort(reason) }), (err) => err === reason);
      assert.equal(requests.length, 0);
    });
  });
});
