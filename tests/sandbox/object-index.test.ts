import * as assert from "node:assert/strict";
import { ListObjectsV2Command, ListObjectVersionsCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type ObjectListing, type ObjectRecord, type Usage } from "@mobile-s3/contract";
import { directS3, engineAdmin, tokenFor } from "../../scripts/demo/sandbox-access";
import { type RunningSandbox } from "../../scripts/demo/sandbox-process";
import { cleanUp, startTestSandbox, type TestSandbox } from "./sandbox-fixture";

interface User {
  name: string;
  sub: string;
  tenant: string;
  token: string;
}

const JPEG = (n: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(n, n % 251)]);

/**
 * The object index end to end in a running sandbox (`npm start`): the gateway sends S3's events as
 * EventBridge would, the indexer keeps the index, and the objects function answers from it. Three
 * users in two tenants upload (through the API and through the direct path), copy, move and delete;
 * afterwards every listing, record and usage answer matches what the bucket holds, and no user sees
 * another's items.
 */
describe("sandbox: the object index against the bucket's truth", function () {
  this.timeout(480_000);
  let test: TestSandbox;
  let sandbox: RunningSandbox;
  let admin: S3Client;
  let users: User[];
  let bucketFor: (tenant: string) => string;

  before(async () => {
    test = await startTestSandbox("index");
    sandbox = test.sandbox;
    admin = engineAdmin(sandbox);
    const people: [string, string, string][] = [
      ["ana", "0a11ce00-0000-4000-8000-0000000a0001", "acme"],
      ["ben", "0a11ce00-0000-4000-8000-0000000a0002", "acme"],
      ["cai", "0a11ce00-0000-4000-8000-0000000a0003", "initech"],
    ];
    users = await Promise.all(people.map(async ([name, sub, tenant]) => ({ name, sub, tenant, token: await tokenFor(sandbox, sub, tenant) })));
    // Every tenant of the dev stack is pooled.
    bucketFor = () => sandbox.ready.s3.buckets.find((b) => b.includes("storage")) ?? sandbox.ready.s3.buckets[0];
  });
  after(async () => {
    admin?.destroy();
    await cleanUp(test === undefined ? [] : [test]);
  });

  async function api<T>(user: User, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${sandbox.ready.api}${route}`, {
      method,
      headers: { authorization: `Bearer ${user.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text === "" ? undefined : JSON.parse(text)) as T };
  }

  async function upload(user: User, path: string, bytes: Buffer, metadata?: Record<string, string>): Promise<void> {
    const plan = await api<{ url: string; headers: Record<string, string> }>(user, "POST", "/v1/uploads", { path, contentType: "image/jpeg", size: bytes.byteLength, ...(metadata ? { metadata } : {}) });
    assert.equal(plan.status, 200, JSON.stringify(plan.body));
    const put = await fetch(plan.body.url, { method: "PUT", headers: plan.body.headers, body: bytes });
    assert.equal(put.status, 200, await put.text());
  }

  async function listAll(user: User, query = ""): Promise<ObjectListing> {
    const all: ObjectListing = { objects: [], folders: [] };
    let cursor: string | undefined;
    do {
      const page = await api<ObjectListing>(user, "GET", `/v1/objects?limit=3${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      all.objects.push(...page.body.objects);
      all.folders.push(...page.body.folders);
      cursor = page.body.nextCursor;
    } while (cursor);
    return all;
  }

  /** What the bucket holds for the user: current objects and every version's bytes. */
  async function truth(user: User): Promise<{ paths: string[]; storedBytes: number; sizes: Record<string, number> }> {
    const prefix = `tenants/${user.tenant}/home/${user.sub}/`;
    const current = await admin.send(new ListObjectsV2Command({ Bucket: bucketFor(user.tenant), Prefix: prefix }));
    const versions = await admin.send(new ListObjectVersionsCommand({ Bucket: bucketFor(user.tenant), Prefix: prefix }));
    return {
      paths: (current.Contents ?? []).map((o) => o.Key!.slice(prefix.length)).sort(),
      storedBytes: (versions.Versions ?? []).reduce((sum, v) => sum + (v.Size ?? 0), 0),
      sizes: Object.fromEntries((current.Contents ?? []).map((o) => [o.Key!.slice(prefix.length), o.Size ?? 0])),
    };
  }

  /** Until the index agrees with the bucket (events are delivered asynchronously, as EventBridge's are). */
  async function settled(user: User, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [listed, expected, usage] = await Promise.all([listAll(user), truth(user), api<Usage>(user, "GET", "/v1/usage")]);
      if (JSON.stringify(listed.objects.map((o) => o.path).sort()) === JSON.stringify(expected.paths) && usage.body.storedBytes === expected.storedBytes) {
        return;
      }
      if (Date.now() > deadline) {
        assert.fail(`${user.name}'s index never matched the bucket: listed ${JSON.stringify(listed.objects.map((o) => o.path))}, bucket ${JSON.stringify(expected.paths)}, usage ${usage.body.storedBytes} vs ${expected.storedBytes}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function clean(user: User, path: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const meta = await api<ObjectRecord>(user, "GET", `/v1/objects/meta?path=${encodeURIComponent(path)}`);
      if (meta.status === 200 && meta.body.scanStatus === "clean") {
        return;
      }
      assert.ok(Date.now() < deadline, `${path} was never scanned clean (${JSON.stringify(meta.body)})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it("uploads, copies, moves and deletes of 3 users in 2 tenants leave every listing, record and usage equal to the bucket", async () => {
    for (const [i, user] of users.entries()) {
      await upload(user, "photos/2024/a.jpg", JPEG(100 + i), { album: "Été", by: user.name });
      await upload(user, "photos/2024/b.jpg", JPEG(200 + i));
      await upload(user, "photos/c.jpg", JPEG(300 + i));
      await upload(user, "docs/old/d.jpg", JPEG(400 + i));
      await upload(user, "photos/c.jpg", JPEG(350 + i)); // an overwrite: two versions of c
    }
    // Access pattern 1: the direct path writes without the API; the index sees it all the same.
    const direct = directS3(sandbox, users[0].token);
    await direct.send(new PutObjectCommand({ Bucket: bucketFor(users[0].tenant), Key: `tenants/${users[0].tenant}/home/${users[0].sub}/direct/e.jpg`, Body: JPEG(500), ContentType: "image/jpeg", Tagging: `owner=${users[0].sub}` }));
    direct.destroy();
    for (const user of users) {
      await settled(user);
    }

    for (const user of users) {
      await clean(user, "photos/2024/a.jpg");
      const copied = await api<{ path: string; size: number }>(user, "POST", "/v1/objects/copy", { from: "photos/2024/a.jpg", to: "shared/a-copy.jpg" });
      assert.equal(copied.status, 200, JSON.stringify(copied.body));
      await settled(user);
      const retried = await api<{ path: string }>(user, "POST", "/v1/objects/copy", { from: "photos/2024/a.jpg", to: "shared/a-copy.jpg" });
      assert.equal(retried.status, 200, "a retried copy whose bytes are already there is the same answer");
      await clean(user, "photos/2024/b.jpg");
      const exists = await api<{ error: { code: string } }>(user, "POST", "/v1/objects/copy", { from: "photos/2024/b.jpg", to: "shared/a-copy.jpg" });
      assert.equal(exists.body.error.code, "ObjectExists");
      const moved = await api(user, "POST", "/v1/objects/move", { from: "photos/2024/b.jpg", to: "archive/b.jpg" });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.equal((await api(user, "DELETE", "/v1/objects?path=photos%2Fc.jpg")).status, 204);
      const folder = await api<{ deleted: number; nextCursor?: string }>(user, "DELETE", "/v1/objects?prefix=docs%2F");
      assert.deepEqual(folder.body, { deleted: 1 });
    }
    for (const user of users) {
      await settled(user);
    }

    for (const user of users) {
      const expected = await truth(user);
      const listed = await listAll(user);
      assert.deepEqual(listed.objects.map((o) => o.path).sort(), expected.paths, `${user.name}: the flat listing is the bucket's`);
      for (const o of listed.objects) {
        assert.equal(o.size, expected.sizes[o.path], `${user.name}: ${o.path}'s size`);
      }
      const top = await api<ObjectListing>(user, "GET", "/v1/objects?delimiter=/");
      assert.deepEqual(top.body.folders.sort(), [...new Set(expected.paths.filter((p) => p.includes("/")).map((p) => `${p.split("/")[0]}/`))].sort(), `${user.name}: the top folders`);
      assert.ok(!top.body.folders.includes("docs/"), "a deleted folder leaves the folder view");
      const meta = await api<ObjectRecord>(user, "GET", "/v1/objects/meta?path=photos%2F2024%2Fa.jpg");
      assert.deepEqual(meta.body.metadata, { album: "Été", by: user.name });
      const copy = await api<ObjectRecord>(user, "GET", "/v1/objects/meta?path=shared%2Fa-copy.jpg");
      assert.deepEqual(copy.body.metadata, { album: "Été", by: user.name }, "a copy keeps the metadata");
      const usage = await api<Usage>(user, "GET", "/v1/usage");
      assert.equal(usage.body.storedBytes, expected.storedBytes, `${user.name}: usage counts every version`);
      assert.equal(usage.body.objects, expected.paths.length);
      assert.equal(usage.body.reservedBytes, 0, "every promise was kept or released");
    }

    // Nobody sees anyone else's items: the same paths name each caller's own objects only.
    const [ana, ben, cai] = users;
    const anaDirect = await api<ObjectRecord>(ben, "GET", "/v1/objects/meta?path=direct%2Fe.jpg");
    assert.equal(anaDirect.status, 404, "ben has no direct/e.jpg; ana's is not his");
    assert.equal((await api<ObjectRecord>(ana, "GET", "/v1/objects/meta?path=direct%2Fe.jpg")).status, 200);
    for (const user of [ben, cai]) {
      const listed = await listAll(user);
      assert.ok(!listed.objects.some((o) => o.path.startsWith("direct/")), `${user.name} never lists ana's objects`);
    }
  });
});
