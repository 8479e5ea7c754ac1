import * as assert from "node:assert/strict";
import { createStorageClient, type StorageClient } from "../../../client/src/client";
import { StorageError } from "../../../client/src/errors";
import { UploadJournal, type UploadRecord } from "../../../client/src/journal";
import { type ByteSource } from "../../../client/src/source";
import { MemoryStore } from "../../../client/src/stores/memory-store";
import { type MultipartPlan, type ObjectRecord, type SinglePlan } from "../../../client/src/wire";
import { json, networkError, type Planned, scriptedFetch, type SentRequest } from "./fixtures/fake-fetch";

const API = "https://api.example.com/prod";
const BUCKET = "https://bucket.s3.us-east-1.amazonaws.com/tenants/acme/home/u-1";
const LATER = () => new Date(Date.now() + 15 * 60_000).toISOString();

/** A client on a scripted fetch: one part at a time (the script is in order), backoff of a few ms. */
function clientOn(plan: readonly Planned[], store = new MemoryStore()): { client: StorageClient; requests: SentRequest[]; store: MemoryStore } {
  const { fetch, requests } = scriptedFetch(plan);
  const client = createStorageClient({ apiUrl: API, getToken: () => "token", fetch, store, concurrency: 1, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 4 }, random: () => 0 });
  return { client, requests, store };
}

/** Request lines as `METHOD /route?query` for the API, `METHOD s3:/key?query` for the bucket. */
const lines = (requests: SentRequest[]) => requests.map((r) => `${r.method} ${r.url.startsWith(API) ? r.url.slice(API.length) : `s3:${r.url.slice(BUCKET.length)}`}`);
const bodyOf = (request: SentRequest) => JSON.parse(request.body!) as Record<string, unknown>;
const s3Ok = (etag: string) => new Response(null, { status: 200, headers: { etag } });
const s3Refusal = (code: string) => new Response(`<Error><Code>${code}</Code><Message>refused</Message></Error>`, { status: 400, headers: { "content-type": "application/xml" } });

function singlePlan(headers: Record<string, string>, path = "photos/cat.jpg"): SinglePlan {
  return { mode: "single", path, url: `${BUCKET}/${path}?X-Amz-Signature=0f0f`, method: "PUT", headers, expiresAt: LATER() };
}

const PHOTO = { path: "photos/cat.jpg", contentType: "image/jpeg" };

describe("client/upload", () => {
  describe("metadata", () => {
    it("sends the map as the server stores it in POST /v1/uploads, and the single PUT's headers exactly as given", async () => {
      const headers = {
        "content-type": "image/jpeg",
        "x-amz-tagging": "owner=u-1",
        "x-amz-meta-album": "Summer%202026",
        "x-amz-meta-taken-by": "Zo%C3%AB",
        "x-amz-checksum-sha256": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
      };
      const { client, requests } = clientOn([json(200, singlePlan(headers)), s3Ok('"e1"')]);
      const result = await client.upload(new Uint8Array([1, 2, 3]), { ...PHOTO, metadata: { Album: "Summer 2026", "Taken-By": "Zoe\u0308" } });
      assert.deepEqual(lines(requests), ["POST /v1/uploads", "PUT s3:/photos/cat.jpg?X-Amz-Signature=0f0f"]);
      assert.deepEqual(bodyOf(requests[0]), { ...PHOTO, size: 3, metadata: { album: "Summer 2026", "taken-by": "Zo\u00eb" } });
      assert.deepEqual(requests[1].headers, headers);
      assert.equal(result.etag, '"e1"');
    });

    for (const [name, metadata] of [["no metadata", undefined], ["an empty map", {}]] as const) {
      it(`leaves metadata out of POST /v1/uploads for ${name}`, async () => {
        const { client, requests } = clientOn([json(200, singlePlan({ "content-type": "image/jpeg" })), s3Ok('"e1"')]);
        await client.upload(new Uint8Array([1]), { ...PHOTO, ...(metadata === undefined ? {} : { metadata }) });
        assert.deepEqual(bodyOf(requests[0]), { ...PHOTO, size: 1 });
      });
    }

    it("signs again with the same metadata when S3 refuses the PUT's URL (403)", async () => {
      const first = singlePlan({ "x-amz-meta-album": "Summer", "x-amz-tagging": "owner=u-1" });
      const second = { ...singlePlan({ "x-amz-meta-album": "Summer", "x-amz-tagging": "owner=u-1", "x-amz-date": "20261124T000000Z" }), url: `${BUCKET}/photos/cat.jpg?X-Amz-Signature=1e1e` };
      const { client, requests } = clientOn([json(200, first), new Response("<Error><Code>AccessDenied</Code></Error>", { status: 403 }), json(200, second), s3Ok('"e1"')]);
      await client.upload(new Uint8Array([1]), { ...PHOTO, metadata: { album: "Summer" } });
      assert.deepEqual(lines(requests), ["POST /v1/uploads", "PUT s3:/photos/cat.jpg?X-Amz-Signature=0f0f", "POST /v1/uploads", "PUT s3:/photos/cat.jpg?X-Amz-Signature=1e1e"]);
      assert.deepEqual([bodyOf(requests[0]).metadata, bodyOf(requests[2]).metadata], [{ album: "Summer" }, { album: "Summer" }]);
      assert.deepEqual([requests[1].headers, requests[3].headers], [first.headers, second.headers]);
    });

    const refused: [string, unknown][] = [
      ["eleven keys", Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"]))],
      ["a key with an underscore", { taken_by: "Zoë" }],
      ["a key starting with a hyphen", { "-album": "Summer" }],
      ["an empty key", { "": "Summer" }],
      ["a key of 65 characters", { ["k".repeat(65)]: "v" }],
      ["the key the control plane keeps", { owner: "someone-else" }],
      ["one key given twice in two cases", { Album: "Summer", album: "Winter" }],
      ["a number value", { rating: 5 }],
      ["a value with a line break", { album: "Summer\r\nx-amz-acl: public-read" }],
      ["more than 2 KB as S3 stores it", { album: "é".repeat(400) }],
      ["a list", ["album", "Summer"]],
      ["null", null],
      ["a string", "album=Summer"],
    ];
    for (const [name, metadata] of refused) {
      it(`rejects ${name} as StorageError InvalidMetadata before any request`, async () => {
        const { client, requests, store } = clientOn([]);
        const task = client.upload(new Uint8Array([1]), { ...PHOTO, metadata: metadata as Record<string, string> });
        await assert.rejects(task.done, (err: unknown) => err instanceof StorageError && err.code === "InvalidMetadata" && /^start the upload of photos\/cat\.jpg: metadata /.test(err.message));
        assert.equal(task.status, "failed");
        assert.equal(requests.length, 0);
        assert.deepEqual(await store.getAllKeys(), []);
      });
    }

    it("surfaces the server's own 400 InvalidMetadata", async () => {
      const { client, requests } = clientOn([json(400, { error: { code: "InvalidMetadata", message: "metadata is refused." } })]);
      await assert.rejects(client.upload(new Uint8Array([1]), { ...PHOTO, metadata: { album: "Summer" } }).done, (err: unknown) => err instanceof StorageError && err.code === "InvalidMetadata" && err.status === 400);
      assert.equal(requests.length, 1);
    });
  });

  describe("multipart uploads with metadata", () => {
    const VIDEO = { path: "videos/trip.mp4", contentType: "video/mp4" };
    const bytes = new Uint8Array(10).map((_, i) => i);
    const file = (fingerprint = "file:trip:v1"): ByteSource => ({ size: bytes.byteLength, fingerprint, slice: (start, end) => bytes.subarray(start, end) });
    const part = (partNumber: number) => ({ partNumber, url: `${BUCKET}/videos/trip.mp4?partNumber=${partNumber}&uploadId=u1`, size: 5, expiresAt: LATER() });
    const plan = (): MultipartPlan => ({ mode: "multipart", path: VIDEO.path, uploadId: "u1", partSize: 5, partCount: 2, expiresAt: LATER(), parts: [part(1), part(2)] });

    /** A saved upload of `file()` with part 1 confirmed, as a killed app leaves it. */
    async function saved(store: MemoryStore, metadata: Record<string, string> | undefined): Promise<void> {
      const journal = new UploadJournal(store, `default@${API}`);
      const key = journal.keyOf(VIDEO.path, 10, VIDEO.contentType);
      const record: UploadRecord = {
        version: 1,
        key,
        requestedPath: VIDEO.path,
        path: VIDEO.path,
        size: 10,
        contentType: VIDEO.contentType,
        ...(metadata === undefined ? {} : { metadata }),
        fingerprint: "file:trip:v1",
        uploadId: "u1",
        partSize: 5,
        partCount: 2,
        parts: [[1, '"e1"', 5]],
        createdAt: new Date().toISOString(),
      };
      await journal.save(key, () => record);
    }

    it("keeps the metadata in the saved state, and pendingUploads shows it", async () => {
      const { client } = clientOn([json(200, plan()), s3Ok('"e1"'), s3Refusal("BadDigest")]);
      await assert.rejects(client.upload(file(), { ...VIDEO, metadata: { Album: "Summer" } }).done, (err: unknown) => err instanceof StorageError && err.code === "BadDigest");
      const pending = await client.pendingUploads();
      assert.deepEqual(
        pending.map(({ createdAt: _, ...rest }) => rest),
        [{ path: VIDEO.path, size: 10, contentType: VIDEO.contentType, metadata: { album: "Summer" }, partsDone: 1, partCount: 2 }],
      );
    });

    const continued: [string, Record<string, string> | undefined, Record<string, string> | undefined][] = [
      ["the same metadata (keys in any case)", { album: "Summer" }, { Album: "Summer" }],
      ["no metadata, saved before metadata existed", undefined, undefined],
      ["no metadata, saved with an empty map", {}, undefined],
    ];
    for (const [name, before, given] of continued) {
      it(`continues a saved upload given ${name}`, async () => {
        const store = new MemoryStore();
        await saved(store, before);
        const { client, requests } = clientOn(
          [json(200, { parts: [{ partNumber: 1, etag: '"e1"', size: 5 }] }), json(200, { parts: [part(2)] }), s3Ok('"e2"'), json(200, { path: VIDEO.path, etag: "m-2", size: 10 })],
          store,
        );
        const result = await client.upload(file(), { ...VIDEO, ...(given === undefined ? {} : { metadata: given }) });
        assert.deepEqual(lines(requests), [
          "GET /v1/uploads/u1/parts?path=videos%2Ftrip.mp4",
          "POST /v1/uploads/u1/parts",
          "PUT s3:/videos/trip.mp4?partNumber=2&uploadId=u1",
          "POST /v1/uploads/u1/complete",
        ]);
        assert.deepEqual({ etag: result.etag, resumedParts: result.resumedParts }, { etag: "m-2", resumedParts: 1 });
      });
    }

    const restarted: [string, Record<string, string> | undefined, Record<string, string> | undefined][] = [
      ["other metadata", { album: "Summer" }, { album: "Winter" }],
      ["metadata left out", { album: "Summer" }, undefined],
      ["metadata added", undefined, { album: "Winter" }],
    ];
    for (const [name, before, given] of restarted) {
      it(`aborts a saved upload and starts afresh given ${name} (S3 fixed the old map at creation)`, async () => {
        const store = new MemoryStore();
        await saved(store, before);
        const { client, requests } = clientOn([new Response(null, { status: 204 }), json(200, singlePlan({ "content-type": "video/mp4" }, VIDEO.path)), s3Ok('"e"')], store);
        const result = await client.upload(file(), { ...VIDEO, ...(given === undefined ? {} : { metadata: given }) });
        assert.deepEqual(lines(requests), ["DELETE /v1/uploads/u1?path=videos%2Ftrip.mp4", "POST /v1/uploads", "PUT s3:/videos/trip.mp4?X-Amz-Signature=0f0f"]);
        assert.deepEqual(bodyOf(requests[1]).metadata, given);
        assert.equal(result.resumedParts, 0);
        assert.deepEqual(await client.pendingUploads(), []);
      });
    }
  });

  describe("a completion whose answer was lost", () => {
    const VIDEO = { path: "videos/trip.mp4", contentType: "video/mp4" };
    const bytes = new Uint8Array(10);
    const part = (partNumber: number) => ({ partNumber, url: `${BUCKET}/videos/trip.mp4?partNumber=${partNumber}&uploadId=u1`, size: 5, expiresAt: LATER() });
    const plan: () => MultipartPlan = () => ({ mode: "multipart", path: VIDEO.path, uploadId: "u1", partSize: 5, partCount: 2, expiresAt: LATER(), parts: [part(1), part(2)] });
    const record = (lastModified: string): ObjectRecord => ({
      path: VIDEO.path,
      size: 10,
      etag: "m-2",
      lastModified,
      scanStatus: "pending",
      contentType: VIDEO.contentType,
      metadata: {},
      created: lastModified,
    });
    /** Sent, parts confirmed; the completion's answer dropped, and its retry finds S3 no longer knows the upload. */
    const lost = (): Planned[] => [json(200, plan()), s3Ok('"e1"'), s3Ok('"e2"'), networkError(), json(404, { error: { code: "NoSuchUpload", message: "no upload" } })];
    const notIndexed = () => json(404, { error: { code: "ObjectNotFound", message: "no object" } });

    const found: [string, Planned[]][] = [
      ["at once", []],
      ["once the index caught up", [notIndexed(), notIndexed()]],
      ["once the index replaced an older object at the path", [json(200, { ...record("2020-01-01T00:00:00.000Z"), size: 10 })]],
    ];
    for (const [name, before] of found) {
      it(`is recognised from the object's record ${name}`, async () => {
        const { client, requests } = clientOn([...lost(), ...before, json(200, record(new Date().toISOString()))]);
        const result = await client.upload(bytes, VIDEO);
        assert.deepEqual({ etag: result.etag, size: result.size, mode: result.mode }, { etag: "m-2", size: 10, mode: "multipart" });
        assert.deepEqual(lines(requests).slice(5), Array.from({ length: before.length + 1 }, () => "GET /v1/objects/meta?path=videos%2Ftrip.mp4"));
      });
    }

    it("fails with the completion's 404 when the object never shows in the index", async () => {
      const { client, requests } = clientOn([...lost(), ...Array.from({ length: 6 }, notIndexed)]);
      await assert.rejects(client.upload(bytes, VIDEO).done, (err: unknown) => err instanceof StorageError && err.code === "NoSuchUpload" && err.status === 404);
      assert.equal(requests.length, 5 + 6);
    });
  });
});
