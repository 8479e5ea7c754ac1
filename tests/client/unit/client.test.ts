import * as assert from "node:assert/strict";
import { createStorageClient, type StorageClientOptions } from "../../../client/src/client";
import { StorageArgumentError, StorageError } from "../../../client/src/errors";
import { type UploadOptions } from "../../../client/src/upload";
import { json, networkError, scriptedFetch } from "./fixtures/fake-fetch";

const VALID: StorageClientOptions = { apiUrl: "https://api.example.com/prod", getToken: () => "token", fetch: scriptedFetch([]).fetch };

function refusal(option: string) {
  return (err: unknown) => err instanceof StorageArgumentError && err.message.includes(`[${option}]`);
}

describe("client/client", () => {
  describe("createStorageClient", () => {
    const refused: [string, Record<string, unknown>, string][] = [
      ["no apiUrl", { apiUrl: undefined }, "apiUrl"],
      ["an empty apiUrl", { apiUrl: "" }, "apiUrl"],
      ["an apiUrl without a scheme", { apiUrl: "api.example.com" }, "apiUrl"],
      ["an apiUrl without a host", { apiUrl: "https://" }, "apiUrl"],
      ["an ftp apiUrl", { apiUrl: "ftp://api.example.com" }, "apiUrl"],
      ["plain http to a remote host", { apiUrl: "http://api.example.com" }, "apiUrl"],
      ["plain http to a host that starts like loopback", { apiUrl: "http://127.0.0.1.nip.io:8080" }, "apiUrl"],
      ["plain http with loopback as user info", { apiUrl: "http://localhost@evil.example.com" }, "apiUrl"],
      ["plain http to a LAN address", { apiUrl: "http://192.168.1.20:3000" }, "apiUrl"],
      ["no getToken", { getToken: undefined }, "getToken"],
      ["a token instead of getToken", { getToken: "eyJhbGciOi" }, "getToken"],
      ["concurrency 0", { concurrency: 0 }, "concurrency"],
      ["concurrency 33", { concurrency: 33 }, "concurrency"],
      ["fractional concurrency", { concurrency: 1.5 }, "concurrency"],
      ["concurrency NaN", { concurrency: Number.NaN }, "concurrency"],
      ["partUrlBatch 0", { partUrlBatch: 0 }, "partUrlBatch"],
      ["partUrlBatch 101", { partUrlBatch: 101 }, "partUrlBatch"],
      ["fractional partUrlBatch", { partUrlBatch: 2.5 }, "partUrlBatch"],
      ["retry.maxAttempts 0", { retry: { maxAttempts: 0 } }, "retry.maxAttempts"],
      ["retry.maxAttempts Infinity", { retry: { maxAttempts: Infinity } }, "retry.maxAttempts"],
      ["retry.maxAttempts as a string", { retry: { maxAttempts: "5" } }, "retry.maxAttempts"],
      ["a negative retry.baseDelayMs", { retry: { baseDelayMs: -1 } }, "retry.baseDelayMs"],
      ["a negative retry.maxDelayMs", { retry: { maxDelayMs: -1 } }, "retry.maxDelayMs"],
      ["retry.requestTimeoutMs 0", { retry: { requestTimeoutMs: 0 } }, "retry.requestTimeoutMs"],
      ["retry.requestTimeoutMs NaN", { retry: { requestTimeoutMs: Number.NaN } }, "retry.requestTimeoutMs"],
    ];
    for (const [name, change, option] of refused) {
      it(`refuses ${name}, naming [${option}]`, () => {
        assert.throws(() => createStorageClient({ ...VALID, ...change } as StorageClientOptions), refusal(option));
      });
    }

    it("refuses no options at all, naming [apiUrl]", () => {
      assert.throws(() => createStorageClient(undefined as unknown as StorageClientOptions), refusal("apiUrl"));
    });

    const accepted: [string, Partial<StorageClientOptions>][] = [
      ["https with a stage path", { apiUrl: "https://abc123.execute-api.us-east-1.amazonaws.com/prod/" }],
      ["plain http to 127.0.0.1", { apiUrl: "http://127.0.0.1:8080" }],
      ["plain http to localhost", { apiUrl: "http://localhost:3000/" }],
      ["plain http to [::1]", { apiUrl: "http://[::1]:9000" }],
      ["the bounds of concurrency and partUrlBatch", { concurrency: 32, partUrlBatch: 100 }],
      ["the lowest retry settings", { retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, requestTimeoutMs: 1 } }],
      ["retry settings left undefined", { retry: { maxAttempts: undefined, requestTimeoutMs: undefined } }],
    ];
    for (const [name, change] of accepted) {
      it(`accepts ${name}`, () => assert.doesNotThrow(() => createStorageClient({ ...VALID, ...change })));
    }

    it("keeps the default retry budget for a retry setting passed as undefined", async () => {
      const stop = new AbortController();
      const beyondBudget = async (): Promise<Response> => {
        // Without a budget the client would retry forever: end it here, so the test fails rather than hangs.
        stop.abort(new Error("went past the default budget of 6 attempts"));
        throw networkError();
      };
      const { fetch, requests } = scriptedFetch([...Array.from({ length: 6 }, () => networkError()), beyondBudget]);
      const client = createStorageClient({ ...VALID, fetch, retry: { maxAttempts: undefined }, random: () => 0 });
      const err = await client.list({ signal: stop.signal }).then(
        () => assert.fail("should give up"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof StorageError, String(err));
      assert.deepEqual({ code: err.code, attempts: err.attempts }, { code: "NetworkError", attempts: 6 });
      assert.equal(requests.length, 6);
    });

    it("keeps the default request timeout for a requestTimeoutMs passed as undefined", async () => {
      // Answers after 20 ms unless its request is aborted first (a timeout of "undefined" ms fires at once).
      const slowButFine = (_url: string, init: RequestInit) =>
        new Promise<Response>((resolve, reject) => {
          const timer = setTimeout(() => resolve(json(200, { objects: [] })), 20);
          init.signal?.addEventListener("abort", () => (clearTimeout(timer), reject(init.signal?.reason)), { once: true });
        });
      const { fetch } = scriptedFetch([slowButFine]);
      const client = createStorageClient({ ...VALID, fetch, retry: { maxAttempts: 1, requestTimeoutMs: undefined } });
      assert.deepEqual(await client.list(), { objects: [] });
    });
  });

  describe("upload", () => {
    const client = createStorageClient(VALID);
    const OK: UploadOptions = { path: "photos/cat.jpg", contentType: "image/jpeg" };
    const refused: [string, unknown, Record<string, unknown>, RegExp][] = [
      ["neither path nor contentType", new Uint8Array(1), { path: undefined, contentType: undefined }, /\[path\]/],
      ["an empty path", new Uint8Array(1), { path: "" }, /\[path\]/],
      ["a path that is not a string", new Uint8Array(1), { path: ["photos", "cat.jpg"] }, /\[path\]/],
      ["no contentType", new Uint8Array(1), { contentType: undefined }, /\[contentType\]/],
      ["an empty contentType", new Uint8Array(1), { contentType: "" }, /\[contentType\]/],
      ["an empty source", new Uint8Array(0), {}, /the source must hold at least one byte, got 0/],
      ["an empty Blob", new Blob([]), {}, /the source must hold at least one byte, got 0/],
      ["a source of negative size", { size: -1, slice: () => new Uint8Array(0) }, {}, /the source must hold at least one byte, got -1/],
      ["a source that is a path string", "/photos/cat.jpg", {}, /the source must be/],
      ["concurrency 0", new Uint8Array(1), { concurrency: 0 }, /\[concurrency\]/],
      ["concurrency 33", new Uint8Array(1), { concurrency: 33 }, /\[concurrency\]/],
      ["fractional concurrency", new Uint8Array(1), { concurrency: 1.5 }, /\[concurrency\]/],
    ];
    for (const [name, source, change, message] of refused) {
      it(`throws a StorageArgumentError at once for ${name}`, () => {
        assert.throws(
          () => client.upload(source as Uint8Array, { ...OK, ...change } as UploadOptions),
          (err: unknown) => err instanceof StorageArgumentError && message.test(err.message),
        );
      });
    }
  });
});
