import * as assert from "node:assert/strict";
import { createStorageClient, type StorageClient } from "../../../client/src/client";
import { StorageArgumentError, StorageError } from "../../../client/src/errors";
import { type ListOptions } from "../../../client/src/objects";
import { type Copied, type IndexedObject, type ObjectListing, type ObjectRecord, type Usage } from "../../../client/src/wire";
import { json, type Planned, scriptedFetch } from "./fixtures/fake-fetch";

const API = "https://api.example.com/prod";
const PHOTO: IndexedObject = {
  path: "photos/2026/cat.jpg",
  size: 5,
  etag: "e1",
  lastModified: "2026-11-24T00:00:00.000Z",
  scanStatus: "clean",
  contentType: "image/jpeg",
  metadata: { album: "Summer" },
};

/** A client on a scripted fetch that gives up at once: every answer below is final. */
function clientOn(plan: readonly Planned[]): { client: StorageClient; requests: ReturnType<typeof scriptedFetch>["requests"] } {
  const { fetch, requests } = scriptedFetch(plan);
  return { client: createStorageClient({ apiUrl: API, getToken: () => "token", fetch, retry: { maxAttempts: 1 } }), requests };
}

const refusal = (status: number, code: string) => json(status, { error: { code, message: `refused with ${code}` } });

async function storageError(promise: Promise<unknown>): Promise<StorageError> {
  const err = await promise.then(
    () => assert.fail("the call should fail"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StorageError, String(err));
  return err;
}

/** Request lines as `METHOD /route?query`, relative to the API. */
const lines = (requests: { method: string; url: string }[]) => requests.map((r) => `${r.method} ${r.url.slice(API.length)}`);

describe("client/objects", () => {
  describe("list", () => {
    const queries: [string, ListOptions, string][] = [
      ["no options", {}, "/v1/objects"],
      ["a prefix", { prefix: "photos/" }, "/v1/objects?prefix=photos%2F"],
      ["one folder", { prefix: "photos/", delimiter: "/" }, "/v1/objects?prefix=photos%2F&delimiter=%2F"],
      ["by modification time, newest first", { sort: "modified", order: "desc" }, "/v1/objects?sort=modified&order=desc"],
      ["by size", { sort: "size" }, "/v1/objects?sort=size"],
      ["a cursor and a limit", { cursor: "eyJ2IjoxfQ", limit: 50 }, "/v1/objects?cursor=eyJ2IjoxfQ&limit=50"],
      [
        "everything at once",
        { prefix: "a b/", delimiter: "/", sort: "name", order: "asc", cursor: "c", limit: 1 },
        "/v1/objects?prefix=a%20b%2F&delimiter=%2F&sort=name&order=asc&cursor=c&limit=1",
      ],
    ];
    for (const [name, options, route] of queries) {
      it(`sends ${name} as GET ${route}`, async () => {
        const { client, requests } = clientOn([json(200, { objects: [], folders: [] })]);
        await client.list(options);
        assert.deepEqual(lines(requests), [`GET ${route}`]);
        assert.equal(requests[0].body, undefined);
      });
    }

    it("answers the listing as the server sent it: objects with type and metadata, folders, the cursor", async () => {
      const listing: ObjectListing = { objects: [PHOTO], folders: ["photos/2026/raw/"], nextCursor: "next" };
      const { client } = clientOn([json(200, listing)]);
      assert.deepEqual(await client.list({ prefix: "photos/2026/", delimiter: "/" }), listing);
    });

    it("still reads as the page older callers expect: objects and nextCursor", async () => {
      const { client } = clientOn([json(200, { objects: [PHOTO], folders: [], nextCursor: "next" })]);
      const { objects, nextCursor } = await client.list();
      assert.deepEqual({ paths: objects.map((o) => [o.path, o.size, o.etag, o.lastModified, o.scanStatus]), nextCursor }, {
        paths: [[PHOTO.path, 5, "e1", PHOTO.lastModified, "clean"]],
        nextCursor: "next",
      });
    });

    for (const code of ["InvalidDelimiter", "InvalidSort", "InvalidOrder", "InvalidLimit", "InvalidCursor"]) {
      it(`surfaces 400 ${code} as a StorageError with that code`, async () => {
        const { client } = clientOn([refusal(400, code)]);
        const err = await storageError(client.list({ prefix: "photos/" }));
        assert.deepEqual({ status: err.status, code: err.code, message: err.message }, { status: 400, code, message: `list photos/: refused with ${code}` });
      });
    }
  });

  describe("listAll", () => {
    const page = (n: number, nextCursor?: string): ObjectListing => ({
      objects: [{ ...PHOTO, path: `photos/${n}.jpg` }],
      folders: [`photos/f${n}/`],
      ...(nextCursor === undefined ? {} : { nextCursor }),
    });

    async function collect(client: StorageClient, options?: ListOptions): Promise<ObjectListing[]> {
      const pages: ObjectListing[] = [];
      for await (const listing of client.listAll(options)) {
        pages.push(listing);
      }
      return pages;
    }

    it("follows nextCursor until the server sends none, keeping the other options", async () => {
      const { client, requests } = clientOn([json(200, page(1, "c1")), json(200, page(2, "c2")), json(200, page(3))]);
      const pages = await collect(client, { prefix: "photos/", delimiter: "/", sort: "size", order: "desc", limit: 1 });
      assert.deepEqual(pages, [page(1, "c1"), page(2, "c2"), page(3)]);
      const query = "prefix=photos%2F&delimiter=%2F&sort=size&order=desc";
      assert.deepEqual(lines(requests), [`GET /v1/objects?${query}&limit=1`, `GET /v1/objects?${query}&cursor=c1&limit=1`, `GET /v1/objects?${query}&cursor=c2&limit=1`]);
    });

    it("starts from the cursor it is given", async () => {
      const { client, requests } = clientOn([json(200, page(2))]);
      assert.deepEqual(await collect(client, { cursor: "c1" }), [page(2)]);
      assert.deepEqual(lines(requests), ["GET /v1/objects?cursor=c1"]);
    });

    it("asks for nothing until iterated, and nothing more once the loop stops", async () => {
      const { client, requests } = clientOn([json(200, page(1, "c1")), json(200, page(2))]);
      const pages = client.listAll();
      assert.equal(requests.length, 0);
      for await (const listing of pages) {
        assert.deepEqual(listing, page(1, "c1"));
        break;
      }
      assert.equal(requests.length, 1);
    });

    it("fails with RepeatedCursor rather than loop on a server that answers the cursor it was sent", async () => {
      const { client, requests } = clientOn([json(200, page(1, "c1")), json(200, page(2, "c1"))]);
      const err = await storageError(collect(client));
      assert.equal(err.code, "RepeatedCursor");
      assert.equal(requests.length, 2);
    });

    it("surfaces a refusal mid-way as a StorageError", async () => {
      const { client } = clientOn([json(200, page(1, "c1")), refusal(400, "InvalidCursor")]);
      assert.equal((await storageError(collect(client))).code, "InvalidCursor");
    });
  });

  describe("meta", () => {
    it("reads GET /v1/objects/meta?path= and answers the record", async () => {
      const record: ObjectRecord = { ...PHOTO, versionId: "v1", created: "2026-11-01T00:00:00.000Z" };
      const { client, requests } = clientOn([json(200, record)]);
      assert.deepEqual(await client.meta("photos/2026/cat.jpg"), record);
      assert.deepEqual(lines(requests), ["GET /v1/objects/meta?path=photos%2F2026%2Fcat.jpg"]);
    });

    it("surfaces 404 ObjectNotFound", async () => {
      const { client } = clientOn([refusal(404, "ObjectNotFound")]);
      const err = await storageError(client.meta("gone.jpg"));
      assert.deepEqual({ status: err.status, code: err.code }, { status: 404, code: "ObjectNotFound" });
      assert.match(err.message, /^read the record of gone\.jpg: /);
    });
  });

  describe("copy and move", () => {
    const COPIED: Copied = { path: "albums/cat.jpg", etag: "e2", size: 5 };
    const calls: [string, (c: StorageClient) => Promise<Copied>, string, Record<string, unknown>][] = [
      ["copy", (c) => c.copy("photos/cat.jpg", "albums/cat.jpg"), "POST /v1/objects/copy", { from: "photos/cat.jpg", to: "albums/cat.jpg" }],
      ["move", (c) => c.move("photos/cat.jpg", "albums/cat.jpg"), "POST /v1/objects/move", { from: "photos/cat.jpg", to: "albums/cat.jpg" }],
      ["copy with overwrite", (c) => c.copy("photos/cat.jpg", "albums/cat.jpg", { overwrite: true }), "POST /v1/objects/copy", { from: "photos/cat.jpg", to: "albums/cat.jpg", overwrite: true }],
      ["move without overwrite", (c) => c.move("photos/cat.jpg", "albums/cat.jpg", { overwrite: false }), "POST /v1/objects/move", { from: "photos/cat.jpg", to: "albums/cat.jpg", overwrite: false }],
    ];
    for (const [name, call, line, body] of calls) {
      it(`${name}: sends ${line} with ${JSON.stringify(body)} and answers what was written`, async () => {
        const { client, requests } = clientOn([json(200, COPIED)]);
        assert.deepEqual(await call(client), COPIED);
        assert.deepEqual(lines(requests), [line]);
        assert.equal(requests[0].headers["content-type"], "application/json");
        assert.deepEqual(JSON.parse(requests[0].body!), body);
      });
    }

    const refusals: [number, string][] = [
      [404, "ObjectNotFound"],
      [409, "ObjectExists"],
      [409, "NotScanned"],
      [403, "Infected"],
      [403, "Unscannable"],
      [400, "SamePath"],
      [403, "QuotaExceeded"],
    ];
    for (const [status, code] of refusals) {
      it(`surfaces ${status} ${code} as a StorageError naming both paths`, async () => {
        const { client } = clientOn([refusal(status, code)]);
        const err = await storageError(client.move("photos/cat.jpg", "albums/cat.jpg"));
        assert.deepEqual({ status: err.status, code: err.code, message: err.message }, { status, code, message: `move photos/cat.jpg to albums/cat.jpg: refused with ${code}` });
      });
    }

    const bad: [string, unknown, unknown, string][] = [
      ["an empty from", "", "b.jpg", "from"],
      ["an empty to", "a.jpg", "", "to"],
      ["a from that is not a string", ["a.jpg"], "b.jpg", "from"],
    ];
    for (const [name, from, to, argument] of bad) {
      it(`refuses ${name} before any request, naming [${argument}]`, async () => {
        const { client, requests } = clientOn([]);
        await assert.rejects(client.copy(from as string, to as string), (err: unknown) => err instanceof StorageArgumentError && err.message.includes(`[${argument}]`));
        assert.equal(requests.length, 0);
      });
    }
  });

  describe("removeFolder", () => {
    it("calls DELETE /v1/objects?prefix= again with each cursor until none, and answers the total", async () => {
      const { client, requests } = clientOn([json(200, { deleted: 100, nextCursor: "c1" }), json(200, { deleted: 100, nextCursor: "c2" }), json(200, { deleted: 7 })]);
      const progress: number[] = [];
      const result = await client.removeFolder("photos/2026/", { onProgress: ({ deleted }) => progress.push(deleted) });
      assert.deepEqual(result, { deleted: 207 });
      assert.deepEqual(progress, [100, 200, 207]);
      assert.deepEqual(lines(requests), [
        "DELETE /v1/objects?prefix=photos%2F2026%2F",
        "DELETE /v1/objects?prefix=photos%2F2026%2F&cursor=c1",
        "DELETE /v1/objects?prefix=photos%2F2026%2F&cursor=c2",
      ]);
    });

    it("answers 0 for an empty folder in one call", async () => {
      const { client, requests } = clientOn([json(200, { deleted: 0 })]);
      assert.deepEqual(await client.removeFolder("empty/"), { deleted: 0 });
      assert.equal(requests.length, 1);
    });

    for (const prefix of ["", "/", "photos", undefined]) {
      it(`refuses the prefix ${JSON.stringify(prefix)} before any request (a folder ends in /; never the whole home)`, async () => {
        const { client, requests } = clientOn([]);
        await assert.rejects(client.removeFolder(prefix as string), (err: unknown) => err instanceof StorageArgumentError && err.message.includes("[prefix]"));
        assert.equal(requests.length, 0);
      });
    }

    it("stops at a refusal mid-way, as a StorageError", async () => {
      const { client, requests } = clientOn([json(200, { deleted: 100, nextCursor: "c1" }), refusal(400, "InvalidCursor")]);
      const err = await storageError(client.removeFolder("photos/"));
      assert.deepEqual({ status: err.status, code: err.code }, { status: 400, code: "InvalidCursor" });
      assert.match(err.message, /^delete the folder photos\/: /);
      assert.equal(requests.length, 2);
    });

    it("stops when its signal is aborted between batches", async () => {
      const { client, requests } = clientOn([json(200, { deleted: 100, nextCursor: "c1" }), json(200, { deleted: 1 })]);
      const stop = new AbortController();
      const reason = new Error("the user left the screen");
      await assert.rejects(client.removeFolder("photos/", { signal: stop.signal, onProgress: () => stop.abort(reason) }), (err: unknown) => err === reason);
      assert.equal(requests.length, 1);
    });

    it("fails with RepeatedCursor rather than loop on a server that answers the cursor it was sent", async () => {
      const { client } = clientOn([json(200, { deleted: 1, nextCursor: "c1" }), json(200, { deleted: 0, nextCursor: "c1" })]);
      assert.equal((await storageError(client.removeFolder("photos/"))).code, "RepeatedCursor");
    });
  });

  describe("usage", () => {
    const usages: [string, Usage][] = [
      ["with a quota", { storedBytes: 1_000, reservedBytes: 200, quotaBytes: 10_000, objects: 3, openUploads: 1 }],
      ["without one (null)", { storedBytes: 0, reservedBytes: 0, quotaBytes: null, objects: 0, openUploads: 0 }],
    ];
    for (const [name, usage] of usages) {
      it(`reads GET /v1/usage ${name}`, async () => {
        const { client, requests } = clientOn([json(200, usage)]);
        assert.deepEqual(await client.usage(), usage);
        assert.deepEqual(lines(requests), ["GET /v1/usage"]);
      });
    }
  });

  describe("getUrl and remove", () => {
    it("getUrl reads GET /v1/objects/url?path=", async () => {
      const { client, requests } = clientOn([json(200, { url: "https://bucket.example.com/k", expiresAt: "2026-11-24T00:15:00.000Z" })]);
      assert.equal((await client.getUrl("a b.jpg")).expiresAt, "2026-11-24T00:15:00.000Z");
      assert.deepEqual(lines(requests), ["GET /v1/objects/url?path=a%20b.jpg"]);
    });

    it("remove sends DELETE /v1/objects?path= and reads the 204", async () => {
      const { client, requests } = clientOn([new Response(null, { status: 204 })]);
      assert.equal(await client.remove("photos/cat.jpg"), undefined);
      assert.deepEqual(lines(requests), ["DELETE /v1/objects?path=photos%2Fcat.jpg"]);
    });
  });
});
