import * as assert from "node:assert/strict";
import { DeleteObjectCommand, ListObjectVersionsCommand, PutObjectCommand, PutObjectTaggingCommand } from "@aws-sdk/client-s3";
import { createIndexerHandler } from "../../../functions/indexer/app";
import { objectIndex, type HomeRef } from "../../../functions/shared/object-index";
import { type Plain } from "../../../functions/shared/dynamodb-values";
import { createIndexTable } from "../../harness/dynamodb";
import { type IndexWorld, silentLogger, startIndexWorld } from "../../harness/object-index";

const TENANT = "acme";
const SUB = "0a11ce00-0000-4000-8000-00000000000a";
const home: HomeRef = { tenant: TENANT, home: SUB };
const key = (path: string) => `tenants/${TENANT}/home/${SUB}/${path}`;

/** The seeded shuffle the tests reorder events with. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** An index's items with what only records how they were written (revisions, tokens, markers) left out. */
function normalised(items: Record<string, Plain>[]): Record<string, Plain>[] {
  return items
    .map((item) => Object.fromEntries(Object.entries(item).filter(([name]) => !["rev", "token", "applied", "lastSequencer", "pending"].includes(name))))
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
}

/**
 * The indexer keeps the object index true to the bucket (docs/OBJECT-INDEX.md): each S3 event makes
 * it re-read the key from S3 (the real engine here), so duplicated, reordered and late events change
 * nothing twice, and the reconciliation repairs what lost events left stale.
 */
describe("functions/indexer (against the S3 engine and a local DynamoDB)", function () {
  this.timeout(120_000);
  let world: IndexWorld;

  before(async () => {
    world = await startIndexWorld();
  });
  after(async () => world?.close());

  const put = (path: string, body: string, extra: { metadata?: Record<string, string>; tags?: string; contentType?: string } = {}) =>
    world.s3.send(
      new PutObjectCommand({
        Bucket: world.bucket,
        Key: key(path),
        Body: body,
        ContentType: extra.contentType ?? "image/jpeg",
        ...(extra.metadata ? { Metadata: extra.metadata } : {}),
        ...(extra.tags ? { Tagging: extra.tags } : {}),
      }),
    );

  it("indexes an object with its size, type, metadata, owner and scan status, and the folders above it", async () => {
    await put("trips/2024/beach.jpg", "sand", { metadata: { album: encodeURIComponent("Été 2024") }, tags: `owner=${SUB}` });
    await world.notify(key("trips/2024/beach.jpg"));
    const item = await world.index.getObject(home, "trips/2024/beach.jpg");
    assert.equal(item?.size, 4);
    assert.equal(item?.contentType, "image/jpeg");
    assert.deepEqual(item?.metadata, { album: "Été 2024" });
    assert.equal(item?.owner, SUB);
    assert.equal(item?.scanStatus, "pending");
    assert.deepEqual((await world.index.foldersOf(home)).sort(), ["trips/", "trips/2024/"]);
    const usage = await world.index.usage(home);
    assert.equal(usage.storedBytes, 4);
    assert.equal(usage.objects, 1);
  });

  it("takes a scan verdict from the object's tags (Object Tags Added), for the ETag it was given", async () => {
    const verdict = (etag: string) =>
      world.s3.send(
        new PutObjectTaggingCommand({
          Bucket: world.bucket,
          Key: key("trips/2024/beach.jpg"),
          Tagging: { TagSet: [{ Key: "owner", Value: SUB }, { Key: "scan-status", Value: "clean" }, { Key: "scan-etag", Value: etag }] },
        }),
      );
    await verdict("0123456789abcdef0123456789abcdef");
    await world.notify(key("trips/2024/beach.jpg"), "tagsAdded");
    assert.equal((await world.index.getObject(home, "trips/2024/beach.jpg"))?.scanStatus, "pending", "a verdict for other bytes is no verdict");
    await verdict((await world.index.getObject(home, "trips/2024/beach.jpg"))!.etag);
    await world.notify(key("trips/2024/beach.jpg"), "tagsAdded");
    assert.equal((await world.index.getObject(home, "trips/2024/beach.jpg"))?.scanStatus, "clean");
  });

  it("counts every version: an overwrite adds, a delete marker keeps the bytes, a permanent delete removes them", async () => {
    await put("notes/a.jpg", "12345");
    await world.notify(key("notes/a.jpg"));
    await put("notes/a.jpg", "1234567890");
    await world.notify(key("notes/a.jpg"));
    let usage = await world.index.usage(home);
    assert.equal(usage.storedBytes, 4 + 5 + 10);
    assert.equal(usage.objects, 2);
    assert.equal((await world.index.getObject(home, "notes/a.jpg"))?.size, 10);

    await world.s3.send(new DeleteObjectCommand({ Bucket: world.bucket, Key: key("notes/a.jpg") }));
    await world.notify(key("notes/a.jpg"), "deleted");
    usage = await world.index.usage(home);
    assert.equal(await world.index.getObject(home, "notes/a.jpg"), undefined);
    assert.equal(usage.objects, 1);
    assert.equal(usage.storedBytes, 19, "noncurrent versions still cost storage until the lifecycle expires them");
    assert.ok(!(await world.index.foldersOf(home)).includes("notes/"), "an empty folder leaves the folder view");

    const versions = await world.s3.send(new ListObjectVersionsCommand({ Bucket: world.bucket, Prefix: key("notes/a.jpg") }));
    for (const v of versions.Versions ?? []) {
      await world.s3.send(new DeleteObjectCommand({ Bucket: world.bucket, Key: v.Key, VersionId: v.VersionId }));
    }
    for (const m of versions.DeleteMarkers ?? []) {
      await world.s3.send(new DeleteObjectCommand({ Bucket: world.bucket, Key: m.Key, VersionId: m.VersionId }));
    }
    await world.notify(key("notes/a.jpg"), "deleted");
    usage = await world.index.usage(home);
    assert.equal(usage.storedBytes, 4);
    assert.equal(await world.index.getKey(home, "notes/a.jpg"), undefined, "a key with nothing stored leaves no item");
  });

  it("takes a change in once when many deliveries of the same key's events race (the pending change is claimed)", async () => {
    const sub = "0a11ce00-0000-4000-8000-0000000000dd";
    const k = `tenants/${TENANT}/home/${sub}/race.jpg`;
    for (const body of ["1", "22", "333"]) {
      await world.s3.send(new PutObjectCommand({ Bucket: world.bucket, Key: k, Body: body, ContentType: "image/jpeg" }));
      await Promise.all(Array.from({ length: 12 }, () => world.notify(k)));
    }
    const usage = await world.index.usage({ tenant: TENANT, home: sub });
    assert.equal(usage.storedBytes, 1 + 2 + 3);
    assert.equal(usage.objects, 1);
  });

  it("ignores keys outside a home and events from a bucket the tenant does not live in", async () => {
    assert.deepEqual(await world.notify("quarantine/x.jpg"), { ignored: "key is outside tenants/" });
    const other = await world.indexer({ source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: "elsewhere" }, object: { key: key("a.jpg") } } });
    assert.deepEqual(other, { ignored: "the event's bucket is not where this tenant's objects live" });
  });

  it("converges whatever the events' order, duplicates included, and reconciliation repairs what lost events left stale", async () => {
    const sub = "0a11ce00-0000-4000-8000-0000000000bb";
    const h: HomeRef = { tenant: TENANT, home: sub };
    const k = (path: string) => `tenants/${TENANT}/home/${sub}/${path}`;
    const paths = Array.from({ length: 30 }, (_, i) => `batch/${i % 3}/file-${i}.jpg`);
    const events: string[] = [];
    for (const [i, path] of paths.entries()) {
      await world.s3.send(new PutObjectCommand({ Bucket: world.bucket, Key: k(path), Body: "x".repeat(i + 1), ContentType: "image/jpeg" }));
      events.push(k(path));
      if (i % 4 === 0) {
        await world.s3.send(new PutObjectCommand({ Bucket: world.bucket, Key: k(path), Body: "y".repeat(2 * i + 1), ContentType: "image/jpeg" }));
        events.push(k(path));
      }
      if (i % 5 === 0) {
        await world.s3.send(new DeleteObjectCommand({ Bucket: world.bucket, Key: k(path) }));
        events.push(k(path));
      }
    }
    // 10% lost, 20% delivered twice, all reordered (a seeded shuffle).
    const delivered = shuffled(
      events.flatMap((e, i) => (i % 10 === 3 ? [] : i % 5 === 1 ? [e, e] : [e])),
      7,
    );
    await Promise.all(delivered.map((e) => world.notify(e)));
    const beforeRepair = normalised(await world.index.dump(h));

    const reindexed = await world.indexer({ reconcile: { tenant: TENANT, home: sub } });
    assert.ok("reconciled" in reindexed);
    const fixed = normalised(await world.index.dump(h));

    // The same bucket indexed from scratch into an empty table.
    const freshTable = await createIndexTable(world.dynamodb);
    const fresh = createIndexerHandler({ ...world.env, INDEX_TABLE: freshTable }, { store: world.store, dynamodb: world.dynamodb, log: silentLogger });
    const scratch = await fresh({ reconcile: { tenant: TENANT, home: sub } });
    assert.deepEqual(fixed, normalised(await objectIndex(world.dynamodb, freshTable).dump(h)));
    assert.notDeepEqual(beforeRepair, fixed, "the lost events left something stale for the reconciliation to repair");
    assert.ok("reconciled" in scratch && scratch.reconciled.objectsAdded > 0);
    const report = reindexed.reconciled;
    assert.ok(report.versionsAdded + report.objectsAdded + report.objectsUpdated > 0, `the report names the repairs: ${JSON.stringify(report)}`);

    // And it says so: a second reconciliation finds nothing to repair.
    const again = await world.indexer({ reconcile: { tenant: TENANT, home: sub } });
    assert.ok("reconciled" in again);
    assert.equal(again.reconciled.versionsAdded + again.reconciled.versionsRemoved + again.reconciled.objectsAdded + again.reconciled.objectsRemoved + again.reconciled.objectsUpdated, 0);
    assert.deepEqual(again.reconciled.usageCorrected, { storedBytes: 0, objects: 0, reservedBytes: 0 });

    const usage = await world.index.usage(h);
    const versions = await world.s3.send(new ListObjectVersionsCommand({ Bucket: world.bucket, Prefix: `tenants/${TENANT}/home/${sub}/` }));
    assert.equal(usage.storedBytes, (versions.Versions ?? []).reduce((sum, v) => sum + (v.Size ?? 0), 0), "usage equals the bytes stored, versions included");
    assert.equal(usage.objects, (versions.Versions ?? []).filter((v) => v.IsLatest).length);
  });
});
