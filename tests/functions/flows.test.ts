import * as assert from "node:assert/strict";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { createObjectsHandler } from "../../functions/objects/app";
import { createProxyHandler } from "../../functions/proxy/app";
import { s3TaggedWriter } from "../../functions/proxy/s3-tagged-writer";
import { createScanHandler } from "../../functions/scan/app";
import { createUploadsHandler } from "../../functions/uploads/app";
import { invoke, TestIssuer } from "../harness/api";
import { type IndexWorld, silentLogger, startIndexWorld } from "../harness/object-index";
import { EICAR, PNG_1PX, writeEicarDatabase } from "./scan/clamav-fixture";

/**
 * The whole control plane end to end, against the real S3 engine, real ClamAV and the object index
 * in a local DynamoDB: a user uploads through a presigned URL, the object is unreadable until the
 * scanner (triggered as EventBridge would) tags it clean, then a presigned GET serves it; an EICAR
 * upload ends in quarantine and is never served; the proxy scans inline. Every handler is the one
 * Lambda runs, tokens included; the indexer gets each S3 event as EventBridge would deliver it.
 */
describe("control plane flows (uploads → scan → index → objects, proxy; real engine, real ClamAV)", function () {
  this.timeout(180_000);
  let world: IndexWorld;
  let bucket: string;
  const issuer = new TestIssuer();
  const ALICE = "a11ce000-0000-4000-8000-00000000f10a";
  const home = `tenants/acme/home/${ALICE}/`;
  const token = issuer.token({ sub: ALICE, tenant: "acme" });
  const db = writeEicarDatabase();
  let s3: S3Client;
  let handlers: {
    uploads: ReturnType<typeof createUploadsHandler>;
    objects: ReturnType<typeof createObjectsHandler>;
    proxy: ReturnType<typeof createProxyHandler>;
    scan: ReturnType<typeof createScanHandler>;
  };

  const objectCreated = (key: string) => ({
    version: "0",
    "detail-type": "Object Created",
    source: "aws.s3",
    detail: { version: "0", bucket: { name: bucket }, object: { key } },
  });

  before(async () => {
    world = await startIndexWorld({ scanner: "clamav" });
    ({ s3, bucket } = world);
    const { store, dynamodb } = world;
    const log = silentLogger;
    const env = {
      ...world.env,
      PRESIGN_TTL_SECONDS: "300",
      MAX_OBJECT_BYTES: String(64 * 1024 * 1024),
      SINGLE_PUT_MAX_BYTES: String(16 * 1024 * 1024),
      PROXY_MAX_BYTES: String(1024 * 1024),
      ALLOWED_CONTENT_TYPES: JSON.stringify(["image/png", "text/plain"]),
      PART_URL_BATCH_MAX: "20",
      SCAN_BUCKETS: JSON.stringify([bucket]),
      CLAMAV_DB: db.database,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      JWT_JWKS: JSON.stringify(issuer.jwks),
    };
    handlers = {
      uploads: createUploadsHandler(env, { store, dynamodb, log }),
      objects: createObjectsHandler(env, { store, dynamodb, log }),
      proxy: createProxyHandler(env, { writer: s3TaggedWriter(s3), dynamodb, log }),
      scan: createScanHandler(env, { store, log }),
    };
  });
  after(async () => {
    await world?.close();
    db.remove();
  });

  async function uploadThroughPresignedUrl(path: string, contentType: string, body: Uint8Array): Promise<void> {
    const created = await invoke(handlers.uploads, { routeKey: "POST /v1/uploads", token, body: { path, contentType, size: body.byteLength } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const { url, headers, mode } = created.body as { url: string; headers: Record<string, string>; mode: string };
    assert.equal(mode, "single");
    const put = await fetch(url, { method: "PUT", headers, body: Buffer.from(body) });
    assert.equal(put.status, 200, await put.text());
    await world.notify(`${home}${path}`);
  }

  /** The scanner, then the indexer for what the scan changed (its verdict tags, or the quarantine move). */
  async function scan(path: string): Promise<void> {
    await handlers.scan(objectCreated(`${home}${path}`));
    await world.notify(`${home}${path}`, "tagsAdded");
  }

  const downloadUrl = (path: string) => invoke(handlers.objects, { routeKey: "GET /v1/objects/url", token, query: { path } });
  const codeOf = (res: { body?: Record<string, unknown> }) => (res.body as { error?: { code?: string } }).error?.code;

  it("a clean upload is unreadable until scanned, then served byte for byte, listed clean, and deleted", async () => {
    await uploadThroughPresignedUrl("photos/dot.png", "image/png", PNG_1PX);
    const early = await downloadUrl("photos/dot.png");
    assert.equal(early.status, 409);
    assert.equal(codeOf(early), "NotScanned");

    const listedPending = await invoke(handlers.objects, { routeKey: "GET /v1/objects", token, query: { prefix: "photos/" } });
    assert.deepEqual(
      (listedPending.body as { objects: { path: string; scanStatus: string }[] }).objects.map((o) => [o.path, o.scanStatus]),
      [["photos/dot.png", "pending"]],
    );

    await scan("photos/dot.png");

    const ready = await downloadUrl("photos/dot.png");
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    const served = await fetch((ready.body as { url: string }).url);
    assert.equal(served.status, 200);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), PNG_1PX);

    const listed = await invoke(handlers.objects, { routeKey: "GET /v1/objects", token, query: { prefix: "photos/" } });
    assert.deepEqual(
      (listed.body as { objects: { path: string; scanStatus: string }[] }).objects.map((o) => [o.path, o.scanStatus]),
      [["photos/dot.png", "clean"]],
    );
    const deleted = await invoke(handlers.objects, { routeKey: "DELETE /v1/objects", token, query: { path: "photos/dot.png" } });
    assert.equal(deleted.status, 204);
    assert.equal((await downloadUrl("photos/dot.png")).status, 404);
    await world.notify(`${home}photos/dot.png`, "deleted");
    const after = await invoke(handlers.objects, { routeKey: "GET /v1/objects", token, query: { prefix: "photos/" } });
    assert.deepEqual((after.body as { objects: unknown[] }).objects, [], "gone from the listing once the indexer saw the delete");
  });

  it("an EICAR upload ends in quarantine, tagged infected, and is never served", async () => {
    await uploadThroughPresignedUrl("notes/eicar.txt", "text/plain", EICAR);
    assert.equal(codeOf(await downloadUrl("notes/eicar.txt")), "NotScanned");

    await scan("notes/eicar.txt");

    const refused = await downloadUrl("notes/eicar.txt");
    assert.ok(refused.status >= 400 && refused.status < 500, `status ${refused.status}`);
    const listed = await invoke(handlers.objects, { routeKey: "GET /v1/objects", token, query: { prefix: "notes/" } });
    assert.deepEqual((listed.body as { objects: unknown[] }).objects, [], "gone from the user's home");
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key);
    assert.ok(keys.includes(`quarantine/${home}notes/eicar.txt`), keys.join());
  });

  it("the proxy scans inline: a clean PNG is stored and served at once, EICAR is refused and never written", async () => {
    const stored = await invoke(handlers.proxy, {
      routeKey: "POST /v1/proxy/objects",
      token,
      query: { path: "proxied/dot.png" },
      headers: { "content-type": "image/png" },
      body: new Uint8Array(PNG_1PX),
    });
    assert.equal(stored.status, 200, JSON.stringify(stored.body));
    assert.equal((await downloadUrl("proxied/dot.png")).status, 200);
    await world.notify(`${home}proxied/dot.png`);
    const record = await invoke(handlers.objects, { routeKey: "GET /v1/objects/meta", token, query: { path: "proxied/dot.png" } });
    assert.equal((record.body as { scanStatus: string }).scanStatus, "clean", "indexed clean at once: the proxy wrote it with its verdict");

    const infected = await invoke(handlers.proxy, {
      routeKey: "POST /v1/proxy/objects",
      token,
      query: { path: "proxied/eicar.txt" },
      headers: { "content-type": "text/plain" },
      body: new Uint8Array(EICAR),
    });
    assert.equal(infected.status, 422);
    assert.equal(codeOf(infected), "Infected");
    assert.equal((await downloadUrl("proxied/eicar.txt")).status, 404);
  });

  it("leaves nothing in the engine outside the user's home and the quarantine", async () => {
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!);
    assert.ok(keys.length >= 2);
    for (const key of keys) {
      assert.ok(key.startsWith(home) || key.startsWith(`quarantine/${home}`), key);
    }
  });
});
