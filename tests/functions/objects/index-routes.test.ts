import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { createObjectsHandler } from "../../../functions/objects/app";
import { FOLDER_DELETE_BATCH } from "../../../functions/objects/core";
import { createUploadsHandler } from "../../../functions/uploads/app";
import { type InvokeRequest, invoke, TestIssuer } from "../../harness/api";
import { type IndexWorld, silentLogger, startIndexWorld } from "../../harness/object-index";
import { markClean, tagsOf } from "../index-fixtures";

const ALICE = "a11ce000-0000-4000-8000-0000000000a1";
const BOB = "b0b00000-0000-4000-8000-0000000000b2";

interface Entry {
  path: string;
  size: number;
  etag: string;
  lastModified: string;
  scanStatus: string;
  contentType: string;
  metadata: Record<string, string>;
}
type Body = Record<string, unknown> & {
  error?: { code: string; message: string };
  objects: Entry[];
  folders: string[];
  nextCursor?: string;
  deleted: number;
};
type Answer = { status: number; body: Body };

/**
 * The routes the object index serves (docs/API.md: GET /v1/objects, /meta, /copy, /move, DELETE
 * ?prefix=), through the objects function's handler against the real engine (a versioned bucket)
 * and the index in a local DynamoDB. Listings come from the index, so after each change in S3 the
 * test hands the indexer its event (`world.notify`), as EventBridge would.
 */
describe("functions/objects: routes served from the object index (against the S3 engine and a local DynamoDB)", function () {
  this.timeout(180_000);
  const issuer = new TestIssuer();
  let world: IndexWorld;
  let objects: ReturnType<typeof createObjectsHandler>;
  let uploads: ReturnType<typeof createUploadsHandler>;

  const key = (path: string, sub = ALICE) => `tenants/acme/home/${sub}/${path}`;
  const call = (req: Omit<InvokeRequest, "token">, as = ALICE, handler = objects) =>
    invoke(handler, { ...req, token: issuer.token({ sub: as, tenant: "acme" }) }) as unknown as Promise<Answer>;
  const list = (query: Record<string, string>, as = ALICE) => call({ routeKey: "GET /v1/objects", query }, as);
  const meta = (path: string, as = ALICE) => call({ routeKey: "GET /v1/objects/meta", query: { path } }, as);
  const exists = (path: string) =>
    world.s3.send(new HeadObjectCommand({ Bucket: world.bucket, Key: key(path) })).then(
      () => true,
      () => false,
    );

  /** An object written straight to the engine (what the listing shows does not depend on the write path), then indexed. */
  async function write(path: string, size: number, sub = ALICE): Promise<void> {
    await world.s3.send(new PutObjectCommand({ Bucket: world.bucket, Key: key(path, sub), Body: randomBytes(size), ContentType: "image/jpeg" }));
    await world.notify(key(path, sub));
  }

  /** Through the API: POST /v1/uploads, the PUT with exactly the signed headers, the event. */
  async function upload(path: string, size: number, extra: { metadata?: Record<string, string>; contentType?: string } = {}): Promise<void> {
    const signed = await call({ routeKey: "POST /v1/uploads", body: { path, contentType: extra.contentType ?? "image/jpeg", size, ...(extra.metadata ? { metadata: extra.metadata } : {}) } }, ALICE, uploads);
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    const { url, headers } = signed.body as unknown as { url: string; headers: Record<string, string> };
    const res = await fetch(url, { method: "PUT", body: randomBytes(size), headers });
    assert.equal(res.status, 200, await res.text());
    await world.notify(key(path));
  }

  /** Every page of a listing, following nextCursor. */
  async function listAll(query: Record<string, string>, as = ALICE): Promise<{ objects: string[]; folders: string[]; pages: number }> {
    const all = { objects: [] as string[], folders: [] as string[], pages: 0 };
    let cursor: string | undefined;
    do {
      const res = await list({ ...query, ...(cursor === undefined ? {} : { cursor }) }, as);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      all.objects.push(...res.body.objects.map((o) => o.path));
      all.folders.push(...res.body.folders);
      all.pages += 1;
      cursor = res.body.nextCursor;
      assert.ok(all.pages <= 200, "the listing ends");
    } while (cursor !== undefined);
    return all;
  }

  before(async () => {
    world = await startIndexWorld({ scanner: "clamav" });
    const env = {
      ...world.env,
      PRESIGN_TTL_SECONDS: "300",
      MAX_OBJECT_BYTES: String(64 * 1024 ** 2),
      SINGLE_PUT_MAX_BYTES: String(1024 ** 2),
      ALLOWED_CONTENT_TYPES: '["image/jpeg","image/png","text/plain"]',
      PART_URL_BATCH_MAX: "20",
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      JWT_JWKS: JSON.stringify(issuer.jwks),
    };
    objects = createObjectsHandler(env, { store: world.store, dynamodb: world.dynamodb, log: silentLogger });
    uploads = createUploadsHandler(env, { store: world.store, dynamodb: world.dynamodb, log: silentLogger });
  });
  after(() => world?.close());

  describe("GET /v1/objects", () => {
    before(async () => {
      for (const path of ["top.jpg", "trips/x.jpg", "trips/2024/y.jpg", "trips/2024/z.jpg", "trips/2025/w.jpg", "notes/n.jpg"]) {
        await write(path, 10);
      }
    });

    it("with delimiter=/, answers one folder's objects and its subfolders, nothing deeper", async () => {
      const cases: [string, string[], string[]][] = [
        ["", ["notes/", "trips/"], ["top.jpg"]],
        ["trips/", ["trips/2024/", "trips/2025/"], ["trips/x.jpg"]],
        ["trips/2024/", [], ["trips/2024/y.jpg", "trips/2024/z.jpg"]],
        // A prefix not ending in / narrows the folder's entries by name.
        ["trips/20", ["trips/2024/", "trips/2025/"], []],
      ];
      for (const [prefix, folders, paths] of cases) {
        const res = await list({ ...(prefix ? { prefix } : {}), delimiter: "/" });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual([res.body.folders, res.body.objects.map((o) => o.path)], [folders, paths], `prefix ${JSON.stringify(prefix)}`);
      }
    });

    it("without a delimiter, answers every object under the prefix and no folders", async () => {
      const res = await list({ prefix: "trips/" });
      assert.deepEqual(res.body.folders, []);
      assert.deepEqual(res.body.objects.map((o) => o.path), ["trips/2024/y.jpg", "trips/2024/z.jpg", "trips/2025/w.jpg", "trips/x.jpg"]);
    });

    it("refuses another delimiter, sort or order (400)", async () => {
      for (const [query, code] of [
        [{ delimiter: "," }, "InvalidDelimiter"],
        [{ sort: "owner" }, "InvalidSort"],
        [{ order: "up" }, "InvalidOrder"],
      ] as const) {
        const res = await list(query);
        assert.deepEqual([res.status, res.body.error?.code], [400, code], JSON.stringify(query));
      }
    });

    describe("sorted", () => {
      // Sizes chosen against the order of names and of writing; S3's LastModified has one-second precision.
      const sorted = [
        ["sorted/a.jpg", 30],
        ["sorted/b.jpg", 10],
        ["sorted/c.jpg", 20],
      ] as const;
      before(async () => {
        for (const [i, [path, size]] of sorted.entries()) {
          if (i > 0) {
            await sleep(1100);
          }
          await write(path, size);
        }
      });

      const cases: [Record<string, string>, string[]][] = [
        [{}, ["sorted/a.jpg", "sorted/b.jpg", "sorted/c.jpg"]],
        [{ order: "desc" }, ["sorted/c.jpg", "sorted/b.jpg", "sorted/a.jpg"]],
        [{ sort: "size" }, ["sorted/b.jpg", "sorted/c.jpg", "sorted/a.jpg"]],
        [{ sort: "size", order: "desc" }, ["sorted/a.jpg", "sorted/c.jpg", "sorted/b.jpg"]],
        [{ sort: "modified" }, ["sorted/a.jpg", "sorted/b.jpg", "sorted/c.jpg"]],
        [{ sort: "modified", order: "desc" }, ["sorted/c.jpg", "sorted/b.jpg", "sorted/a.jpg"]],
      ];
      for (const [query, expected] of cases) {
        for (const delimiter of [undefined, "/"]) {
          it(`sort=${query.sort ?? "name"} order=${query.order ?? "asc"}${delimiter ? " in the folder view" : ""}: ${expected.map((p) => p.slice(7)).join(", ")}`, async () => {
            const { objects } = await listAll({ prefix: "sorted/", ...query, ...(delimiter ? { delimiter } : {}) });
            assert.deepEqual(objects, expected);
          });
        }
      }
    });

    describe("pages", () => {
      const paths = Array.from({ length: 25 }, (_, i) => `paged/${String(i).padStart(2, "0")}.jpg`);
      before(async () => {
        // Sizes in another order than the names, so each sort pages through a different order.
        await Promise.all(paths.map((path, i) => write(path, ((i * 7) % 25) + 1)));
        await write("paged/sub/inner.jpg", 1);
      });

      for (const sort of ["name", "modified", "size"]) {
        for (const order of ["asc", "desc"]) {
          it(`limit=4 with cursors returns every object exactly once (sort=${sort}, order=${order})`, async () => {
            const all = await listAll({ prefix: "paged/", sort, order, limit: "4" });
            assert.ok(all.pages >= 7, `${all.pages} pages`);
            assert.equal(new Set(all.objects).size, all.objects.length, "no object twice");
            assert.deepEqual([...all.objects].sort(), [...paths, "paged/sub/inner.jpg"].sort());
          });
        }
      }

      it("in the folder view, limit=3 with cursors returns every object and subfolder exactly once", async () => {
        const all = await listAll({ prefix: "paged/", delimiter: "/", limit: "3" });
        assert.deepEqual(all.folders, ["paged/sub/"]);
        assert.equal(new Set(all.objects).size, all.objects.length);
        assert.deepEqual([...all.objects].sort(), paths);
      });

      it("refuses a cursor from another user, another prefix or another listing (400 InvalidCursor)", async () => {
        const { nextCursor } = (await list({ prefix: "paged/", limit: "4" })).body;
        assert.equal(typeof nextCursor, "string");
        const cases: [string, () => Promise<Answer>][] = [
          ["another user", () => list({ prefix: "paged/", limit: "4", cursor: nextCursor! }, BOB)],
          ["another prefix", () => list({ prefix: "trips/", limit: "4", cursor: nextCursor! })],
          ["no prefix", () => list({ limit: "4", cursor: nextCursor! })],
          ["another sort", () => list({ prefix: "paged/", sort: "size", limit: "4", cursor: nextCursor! })],
          ["a folder delete", () => call({ routeKey: "DELETE /v1/objects", query: { prefix: "paged/", cursor: nextCursor! } })],
        ];
        for (const [name, send] of cases) {
          const res = await send();
          assert.deepEqual([res.status, res.body.error?.code], [400, "InvalidCursor"], name);
        }
        assert.equal((await list({ prefix: "paged/", limit: "4", cursor: nextCursor! })).status, 200, "and is still good where it came from");
      });
    });
  });

  describe("GET /v1/objects/meta", () => {
    it("answers the contentType and metadata given at upload (POST /v1/uploads, then the PUT with the signed headers), as indexed", async () => {
      await upload("meta/beach.png", 64, { contentType: "image/png", metadata: { Album: "Été 2024", "taken-at": "2024-07-14T10:00:00Z" } });
      const res = await meta("meta/beach.png");
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const { ETag, VersionId, LastModified } = await world.s3.send(new HeadObjectCommand({ Bucket: world.bucket, Key: key("meta/beach.png") }));
      assert.deepEqual(res.body, {
        path: "meta/beach.png",
        size: 64,
        etag: ETag!.replace(/"/g, ""),
        lastModified: LastModified!.toISOString(),
        scanStatus: "pending",
        contentType: "image/png",
        metadata: { album: "Été 2024", "taken-at": "2024-07-14T10:00:00Z" },
        versionId: VersionId,
        created: LastModified!.toISOString(),
      });
      const listed = (await list({ prefix: "meta/" })).body.objects;
      assert.deepEqual(listed.map((o) => [o.contentType, o.metadata]), [["image/png", { album: "Été 2024", "taken-at": "2024-07-14T10:00:00Z" }]], "the listing carries them too");
    });

    it("answers 404 ObjectNotFound for a path the index holds no object at", async () => {
      const res = await meta("meta/none.png");
      assert.deepEqual([res.status, res.body.error?.code], [404, "ObjectNotFound"]);
    });
  });

  describe("POST /v1/objects/copy and /move", () => {
    const copy = (body: Record<string, unknown>, as = ALICE, route = "POST /v1/objects/copy") => call({ routeKey: route, body }, as);

    before(async () => {
      await upload("copies/clean.jpg", 100, { metadata: { album: "Summer" } });
      await markClean(world, key("copies/clean.jpg"));
      await upload("copies/unscanned.jpg", 50);
      await upload("copies/taken.jpg", 10);
    });

    /*
     * Ceph RGW 16 ignores the REPLACE tagging directive and copies the source's tags, verdict
     * included (docs/ARCHITECTURE.md, "Where the sandbox differs from AWS"): on this engine the copy
     * request is what can be checked. That the copy then holds the owner tag alone, pending and
     * unreadable until its own scan, is proven through the IAM gateway, which applies the directive
     * as S3 does (tests/sandbox/iam-gateway/function-tags.test.ts).
     */
    it("copies a clean object to a new object with its own pending scan: CopyObject replaces the tags with the owner's (REPLACE), type and metadata kept", async () => {
      const sent: Record<string, string>[] = [];
      world.s3.middlewareStack.add(
        (next) => async (args) => {
          sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
          return next(args);
        },
        { step: "deserialize", name: "recordCopyRequests" },
      );
      let res: Answer;
      try {
        res = await copy({ from: "copies/clean.jpg", to: "copies/copy.jpg" });
      } finally {
        world.s3.middlewareStack.remove("recordCopyRequests");
      }
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const copyRequests = sent.filter((h) => h["x-amz-copy-source"] !== undefined);
      assert.equal(copyRequests.length, 1, JSON.stringify(sent));
      assert.equal(copyRequests[0]["x-amz-tagging-directive"], "REPLACE", "the source's tags (its verdict) are not copied");
      assert.equal(copyRequests[0]["x-amz-tagging"], `owner=${ALICE}`);
      assert.equal((await tagsOf(world, key("copies/clean.jpg")))["scan-status"], "clean", "the source keeps its own");
      await world.notify(key("copies/copy.jpg"));
      const record = (await meta("copies/copy.jpg")).body as unknown as Entry;
      assert.deepEqual([record.size, record.contentType, record.metadata], [100, "image/jpeg", { album: "Summer" }]);
      assert.equal(res.body.etag, record.etag);
    });

    it("refuses to copy an object not scanned yet (409 NotScanned)", async () => {
      const res = await copy({ from: "copies/unscanned.jpg", to: "copies/unscanned-copy.jpg" });
      assert.deepEqual([res.status, res.body.error?.code], [409, "NotScanned"]);
      assert.equal(await exists("copies/unscanned-copy.jpg"), false);
    });

    it("refuses to copy over an existing object (409 ObjectExists) unless overwrite is true", async () => {
      const refused = await copy({ from: "copies/clean.jpg", to: "copies/taken.jpg" });
      assert.deepEqual([refused.status, refused.body.error?.code], [409, "ObjectExists"]);
      const replaced = await copy({ from: "copies/clean.jpg", to: "copies/taken.jpg", overwrite: true });
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      await world.notify(key("copies/taken.jpg"));
      assert.equal((await meta("copies/taken.jpg")).body.size, 100);
    });

    const refusals: [string, Record<string, unknown>, number, string][] = [
      ["the same path", { from: "copies/clean.jpg", to: "copies/clean.jpg" }, 400, "SamePath"],
      ["an overwrite that is not a boolean", { from: "copies/clean.jpg", to: "copies/x.jpg", overwrite: "yes" }, 400, "InvalidOverwrite"],
      ["a field it does not take", { from: "copies/clean.jpg", to: "copies/x.jpg", tenant: "globex" }, 400, "UnknownField"],
      ["a destination of another type", { from: "copies/clean.jpg", to: "copies/x.png" }, 400, "ExtensionMismatch"],
      ["a destination out of the home", { from: "copies/clean.jpg", to: `../${BOB}/x.jpg` }, 400, "InvalidPath"],
      ["a missing source", { from: "copies/none.jpg", to: "copies/x.jpg" }, 404, "ObjectNotFound"],
      ["a source that is not a path", { from: 5, to: "copies/x.jpg" }, 400, "InvalidPath"],
      ["no destination", { from: "copies/clean.jpg" }, 400, "InvalidPath"],
    ];
    for (const [name, body, status, code] of refusals) {
      it(`refuses ${name} (${status} ${code})`, async () => {
        const res = await copy(body);
        assert.deepEqual([res.status, res.body.error?.code], [status, code], JSON.stringify(res.body));
      });
    }

    it("moves: the new path holds the object, the source is gone (a delete marker) and leaves the index", async () => {
      await upload("copies/moving.jpg", 70);
      await markClean(world, key("copies/moving.jpg"));
      const res = await copy({ from: "copies/moving.jpg", to: "copies/moved.jpg" }, ALICE, "POST /v1/objects/move");
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual([res.body.path, res.body.size], ["copies/moved.jpg", 70]);
      assert.equal(await exists("copies/moving.jpg"), false);
      assert.equal(await exists("copies/moved.jpg"), true);
      await world.notify(key("copies/moving.jpg"), "deleted");
      await world.notify(key("copies/moved.jpg"));
      assert.equal((await meta("copies/moving.jpg")).status, 404);
      // Its scan status (pending: the verdict is not copied) is proven through the gateway, as a copy's.
      assert.equal((await meta("copies/moved.jpg")).status, 200);
    });
  });

  describe("DELETE /v1/objects?prefix=", () => {
    const count = FOLDER_DELETE_BATCH + 20;
    const paths = Array.from({ length: count }, (_, i) => `bulk/${i % 2 === 0 ? "even/" : ""}${String(i).padStart(3, "0")}.jpg`);
    before(async () => {
      await Promise.all(paths.map((path) => write(path, 1)));
      await write("bulky.jpg", 1);
    });

    it(`deletes a folder of ${count} objects in batches of ${FOLDER_DELETE_BATCH}, with nextCursor while more remain, and then it is gone from the listing`, async () => {
      assert.deepEqual((await list({ delimiter: "/" })).body.folders.includes("bulk/"), true);
      const first = await call({ routeKey: "DELETE /v1/objects", query: { prefix: "bulk/" } });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.deleted, FOLDER_DELETE_BATCH);
      assert.equal(typeof first.body.nextCursor, "string");
      const second = await call({ routeKey: "DELETE /v1/objects", query: { prefix: "bulk/", cursor: first.body.nextCursor! } });
      assert.equal(second.status, 200, JSON.stringify(second.body));
      assert.equal(second.body.deleted, count - FOLDER_DELETE_BATCH);
      assert.equal(second.body.nextCursor, undefined);

      const left = await world.s3.send(new ListObjectsV2Command({ Bucket: world.bucket, Prefix: key("bulk/") }));
      assert.equal(left.KeyCount ?? 0, 0, "S3 holds no current object under the folder");
      assert.equal(await exists("bulky.jpg"), true, "a sibling whose name starts like the folder is not in it");

      await Promise.all(paths.map((path) => world.notify(key(path), "deleted")));
      assert.deepEqual(await listAll({ prefix: "bulk/" }), { objects: [], folders: [], pages: 1 });
      const top = (await list({ delimiter: "/" })).body;
      assert.ok(!top.folders.includes("bulk/"), `the folder left the folder view: ${top.folders.join(", ")}`);
      assert.ok(top.objects.some((o) => o.path === "bulky.jpg"));
    });

    it("refuses a prefix that is not a folder, or one sent with a path (400 InvalidPath)", async () => {
      for (const query of [{ prefix: "bulk" }, { prefix: "bulk/", path: "bulky.jpg" }] as Record<string, string>[]) {
        const res = await call({ routeKey: "DELETE /v1/objects", query });
        assert.deepEqual([res.status, res.body.error?.code], [400, "InvalidPath"], JSON.stringify(query));
      }
    });
  });

  describe("another user's items", () => {
    before(async () => {
      await upload("private/diary.jpg", 20);
      await markClean(world, key("private/diary.jpg"));
      await write("mine.jpg", 5, BOB);
    });

    it("are never listed: Bob sees his own home only, whatever the query", async () => {
      assert.deepEqual(await listAll({}, BOB), { objects: ["mine.jpg"], folders: [], pages: 1 });
      assert.deepEqual(await listAll({ delimiter: "/" }, BOB), { objects: ["mine.jpg"], folders: [], pages: 1 });
      assert.deepEqual((await listAll({ prefix: "private/" }, BOB)).objects, []);
      assert.deepEqual((await list({ tenant: "acme", home: ALICE, sub: ALICE, prefix: "private/" }, BOB)).body.objects, []);
    });

    it("are not found by path: meta, URL, copy and move from Alice's path reach Bob's own home (404)", async () => {
      const cases: [string, Omit<InvokeRequest, "token">][] = [
        ["meta", { routeKey: "GET /v1/objects/meta", query: { path: "private/diary.jpg" } }],
        ["url", { routeKey: "GET /v1/objects/url", query: { path: "private/diary.jpg" } }],
        ["copy", { routeKey: "POST /v1/objects/copy", body: { from: "private/diary.jpg", to: "stolen.jpg" } }],
        ["move", { routeKey: "POST /v1/objects/move", body: { from: "private/diary.jpg", to: "stolen.jpg" } }],
      ];
      for (const [name, req] of cases) {
        const res = await call(req, BOB);
        assert.deepEqual([res.status, res.body.error?.code], [404, "ObjectNotFound"], name);
      }
      assert.equal(await exists("private/diary.jpg"), true, "Alice's object is untouched");
      const stolen = await world.s3.send(new ListObjectsV2Command({ Bucket: world.bucket, Prefix: key("stolen", BOB) }));
      assert.equal(stolen.KeyCount ?? 0, 0);
    });

    it("cannot be named with a path out of the home (400 InvalidPath)", async () => {
      const requests: Omit<InvokeRequest, "token">[] = [
        { routeKey: "GET /v1/objects/meta", query: { path: `../${ALICE}/private/diary.jpg` } },
        { routeKey: "POST /v1/objects/copy", body: { from: `../${ALICE}/private/diary.jpg`, to: "stolen.jpg" } },
        { routeKey: "DELETE /v1/objects", query: { prefix: `../${ALICE}/` } },
      ];
      for (const req of requests) {
        const res = await call(req, BOB);
        assert.deepEqual([res.status, res.body.error?.code], [400, "InvalidPath"], req.routeKey);
      }
    });

    it("are not deleted by a folder delete of the same path", async () => {
      const res = await call({ routeKey: "DELETE /v1/objects", query: { prefix: "private/" } }, BOB);
      assert.deepEqual([res.status, res.body.deleted], [200, 0]);
      assert.equal(await exists("private/diary.jpg"), true);
    });
  });
});
