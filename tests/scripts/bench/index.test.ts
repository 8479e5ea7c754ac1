import { encodeMetadataValue, homePrefix, OWNER_TAG, scanVocabulary } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { refreshKey } from "../../../functions/indexer/refresh";
import { type Logger } from "../../../functions/shared/log";
import { type HomeRef, objectIndex } from "../../../functions/shared/object-index";
import { type ObjectStore } from "../../../functions/shared/store";
import { indexBench } from "../../../scripts/bench/index";
import { homeObject, homePath, seedHome, topEntries } from "../../../scripts/bench/index-home";
import { type IndexRig, startIndexRig, TENANT } from "../../../scripts/bench/index-requests";
import { createIndexTable, dynamoDbClient } from "../../harness/dynamodb";

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const HOME: HomeRef = { tenant: TENANT, home: "5f2d1c3e-0000-4000-8000-00000000abcd" };
const BUCKET = "photos-bench-storage-0123abc";

/** S3 holding a seeded home's objects, as the indexer reads them (versions, headers, tags); nothing else. */
function storeHolding(home: HomeRef, objects: number): ObjectStore {
  const prefix = homePrefix(home.tenant, home.home);
  const vocabulary = scanVocabulary("guardduty");
  const byKey = new Map(Array.from({ length: objects }, (_, i) => homeObject(home, i, objects).object).map((o) => [`${prefix}${o.path}`, o]));
  const of = (key: string) => {
    const o = byKey.get(key);
    if (o === undefined) {
      throw Object.assign(new Error("NoSuchKey"), { $metadata: { httpStatusCode: 404 } });
    }
    return o;
  };
  return {
    listVersions: async (p: { prefix: string }) =>
      [...byKey].filter(([key]) => key.startsWith(p.prefix)).map(([key, o]) => ({ key, versionId: o.versionId!, size: o.size, isLatest: true, lastModified: o.lastModified })),
    head: async (p: { key: string }) => {
      const o = of(p.key);
      const metadata = Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [k, encodeMetadataValue(v)]));
      return { key: p.key, size: o.size, etag: `"${o.etag}"`, lastModified: o.lastModified, contentType: o.contentType, versionId: o.versionId, metadata };
    },
    getTags: async (p: { key: string }) => ({ [OWNER_TAG]: home.home, [vocabulary.tagKey]: vocabulary.clean, [vocabulary.verdictEtagTag!]: of(p.key).etag }),
  } as unknown as ObjectStore;
}

describe("scripts/bench/index", function () {
  this.timeout(120_000);

  describe("the seeded home", () => {
    it("lays a home out with its first ten objects at the top, then one in ten, the rest in albums", () => {
      assert.deepEqual(
        Array.from({ length: 12 }, (_, i) => homePath(i, 30)),
        [...Array.from({ length: 10 }, (_, i) => `IMG_00000${i}.jpg`), "IMG_000010.jpg", "album-000/IMG_000011.jpg"],
      );
      assert.equal(topEntries(10), 10);
      // 10 + 999 files at the top, and 50 albums.
      assert.equal(topEntries(10_000), 1_059);
    });

    it("holds exactly the items the indexer leaves after taking in the same objects from S3", async () => {
      const client = await dynamoDbClient();
      try {
        const seeded = objectIndex(client, await createIndexTable(client));
        const indexed = objectIndex(client, await createIndexTable(client));
        const objects = 12;
        await seedHome(seeded, HOME, objects);
        const store = storeHolding(HOME, objects);
        const prefix = homePrefix(HOME.tenant, HOME.home);
        for (let i = 0; i < objects; i++) {
          const path = homePath(i, objects);
          await refreshKey({ home: HOME, bucket: BUCKET, key: `${prefix}${path}`, path }, { store, index: indexed, scan: scanVocabulary("guardduty"), log: silent });
        }
        // A folder entry's token is random on every write (it lets a prune see it was touched).
        const items = async (index: typeof seeded) => (await index.dump(HOME)).map(({ token, ...item }) => (token === undefined ? item : { ...item, token: "…" }));
        assert.deepEqual(await items(seeded), await items(indexed));
        assert.equal((await seeded.usage(HOME)).objects, objects);
      } finally {
        client.destroy();
      }
    });
  });

  describe("the functions over the index", () => {
    let rig: IndexRig;
    before(async () => {
      rig = await startIndexRig();
      await seedHome(rig.index, HOME, 30);
    });
    after(() => rig.close());

    it("answers the quota check with one signed PUT from one UpdateItem, and withdraws its promise after", async () => {
      const served = await rig.quotaCheck(HOME);
      assert.equal(served.status, 200, JSON.stringify(served.body));
      assert.equal(served.body.mode, "single");
      assert.deepEqual([served.dynamodb, served.s3, served.signed], [["UpdateItem"], [], 1]);
      assert.equal((await rig.index.usage(HOME)).reservations.length, 1);
      await rig.releaseReservations(HOME);
      assert.deepEqual((await rig.index.usage(HOME)).reservations, []);
    });

    it("counts and refuses an S3 request, so a route that needs S3 cannot pass for one that does not", async () => {
      // A multipart upload asks S3 for its upload id: refused, so the promise is withdrawn and the answer is a 500.
      const served = await rig.quotaCheck(HOME, { path: "videos/long.mp4", contentType: "video/mp4", size: 64 * 1024 ** 2 });
      assert.equal(served.status, 500);
      assert.deepEqual(served.s3, ["createMultipartUpload"]);
      assert.deepEqual(served.dynamodb, ["UpdateItem", "UpdateItem"]);
      assert.deepEqual((await rig.index.usage(HOME)).reservations, []);
    });

    it("lists a page with one Query and no S3 call, with and without the delimiter", async () => {
      const flat = await rig.listPage(HOME, { limit: 10 });
      assert.deepEqual([flat.status, flat.dynamodb, flat.s3], [200, ["Query"], []]);
      assert.deepEqual(
        (flat.body.objects as { path: string }[]).map((o) => o.path),
        Array.from({ length: 10 }, (_, i) => `IMG_00000${i}.jpg`),
      );
      assert.equal(typeof flat.body.nextCursor, "string");
      const next = await rig.listPage(HOME, { limit: 10, cursor: flat.body.nextCursor as string });
      assert.deepEqual([next.status, next.dynamodb, next.s3], [200, ["Query"], []]);
      const top = await rig.listPage(HOME, { limit: 100, delimiter: "/" });
      assert.deepEqual([top.status, top.dynamodb, top.s3], [200, ["Query"], []]);
      assert.equal((top.body.objects as unknown[]).length + (top.body.folders as unknown[]).length, topEntries(30));
      assert.deepEqual(top.body.folders, ["album-000/", "album-001/"]);
    });
  });

  // The section itself, on homes of 3 and 30 and one run: its call counts, never its times.
  it("reports one Query and no S3 call per page, and at most two DynamoDB calls and no S3 call per quota check", async () => {
    const { json, rows } = await indexBench({ small: 3, large: 30, runs: 1 })({ quick: true, note: () => undefined });
    assert.equal(json.queriesPerPage, 1);
    assert.equal(json.s3CallsPerPage, 0);
    assert.deepEqual(json.callsPerPage, ["Query / S3 none"]);
    const quota = json.quotaCheck as { maxDynamoDbCalls: number; maxS3Calls: number };
    assert.ok(quota.maxDynamoDbCalls >= 1 && quota.maxDynamoDbCalls <= 2, String(quota.maxDynamoDbCalls));
    assert.equal(quota.maxS3Calls, 0);
    assert.deepEqual(
      rows.map((r) => r.measure.replace(/ \(.*$/, "")),
      [
        "index: quota check, 30-object home vs 3",
        "index: first list page, 30-object home vs 3",
        "index: first list page, 30-object home vs 3",
        "index: the same first page of the 3-object home, timed twice in each run",
        "index: first list page, 30-object home vs 3",
        "index: first list page, 30-object home vs 3",
        "index: calls per listed page",
        "index: calls per quota check",
      ],
    );
    assert.deepEqual(
      rows.slice(-2).map((r) => r.met),
      [true, true],
    );
  });
});
