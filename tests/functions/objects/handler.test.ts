import * as assert from "node:assert/strict";
import { CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand, PutObjectTaggingCommand, type S3Client } from "@aws-sdk/client-s3";
import { createIndexerHandler } from "../../../functions/indexer/app";
import { createObjectsHandler } from "../../../functions/objects/app";
import { type HttpApiEvent, type HttpApiResult } from "../../../functions/shared/http-api";
import { invoke, type InvokeRequest, TestIssuer } from "../../harness/api";
import { type IndexWorld, silentLogger, startIndexWorld } from "../../harness/object-index";
import { emptyAndDeleteBucket } from "../../harness/s3-engine";
import { recordingLogger } from "../fixtures";
import { notifyIn } from "../index-fixtures";

const ALICE = "a11ce000-0000-4000-8000-000000000001";
// Alice's sub followed by one more character: a home whose prefix starts with hers, but for the "/".
const ALICE_SIBLING = `${ALICE}0`;
const BOB = "b0b00000-0000-4000-8000-000000000002";
const DAVE = "da7e0000-0000-4000-8000-000000000004";

type Result = Awaited<ReturnType<typeof invoke>>;
const codeOf = (res: Result) => (res.body as { error?: { code?: string } } | undefined)?.error?.code;

/**
 * The objects function through its Lambda handler (token verification included) against the real
 * S3 engine and the object index in a local DynamoDB. Fixtures are written straight to the engine
 * and their events handed to the indexer, as EventBridge would; the scanner is simulated by tagging.
 */
describe("functions/objects (handler, against the S3 engine)", function () {
  this.timeout(120_000);
  const stamp = Date.now().toString(36);
  const silo = `objects-silo-${stamp}`;
  const issuer = new TestIssuer();
  const log = recordingLogger();
  let world: IndexWorld;
  let pooled: string;
  let s3: S3Client;
  let handler: (event: HttpApiEvent) => Promise<HttpApiResult>;
  let indexer: ReturnType<typeof createIndexerHandler>;

  const home = (tenant: string, sub: string) => `tenants/${tenant}/home/${sub}/`;
  const aliceHome = home("acme", ALICE);
  const alicePhotos = Array.from({ length: 7 }, (_, i) => `photos/p${String(i + 1).padStart(2, "0")}.jpg`);
  const aliceVisible = [...alicePhotos, "docs/readme.txt"].sort();

  /** Every object the engine holds when the suite starts, as bucket → keys (the pooled bucket's name is the world's). */
  const fixtures = (): Record<string, string[]> => ({
    [pooled]: [
      ...aliceVisible.map((p) => `${aliceHome}${p}`),
      `${aliceHome}.mobile-s3/upload-binding.json`,
      `${home("acme", BOB)}photos/p01.jpg`,
      `${home("acme", BOB)}secret.txt`,
      `${home("acme", ALICE_SIBLING)}photos/p99.jpg`,
      `${home("globex", ALICE)}photos/p01.jpg`,
      `${home("globex", ALICE)}globex-only.txt`,
      // A bucket-tier tenant's key left in the pooled bucket: its users must never see it.
      `${home("silo", DAVE)}decoy.txt`,
      "quarantine/tenants/acme/home/a11ce000-0000-4000-8000-000000000001/photos/evil.jpg",
    ],
    [silo]: [`${home("silo", DAVE)}report.pdf`, `${home("silo", DAVE)}notes/a.txt`],
  });
  let deleted: string[] = [];

  const token = (sub: string, tenant = "acme", overrides: Record<string, unknown> = {}) => issuer.token({ sub, tenant }, overrides);
  const call = (req: Omit<InvokeRequest, "token"> & { token?: string }) => invoke(handler, { token: token(ALICE), ...req });
  const list = (query: Record<string, string>, as = token(ALICE)) => call({ routeKey: "GET /v1/objects", query, token: as });
  /** What EventBridge delivers to the indexer for a change in either bucket. */
  const notify = (key: string, kind: "created" | "deleted" | "tagsAdded" = "created", bucket = pooled) => notifyIn(indexer, world, bucket, key, kind);

  /** Every page of a listing, following nextCursor. */
  async function listAll(query: Record<string, string>, as = token(ALICE)): Promise<{ pages: string[][]; statuses: Record<string, string> }> {
    const pages: string[][] = [];
    const statuses: Record<string, string> = {};
    let cursor: string | undefined;
    do {
      const res = await list({ ...query, ...(cursor ? { cursor } : {}) }, as);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const body = res.body as { objects: { path: string; scanStatus: string }[]; nextCursor?: string };
      pages.push(body.objects.map((o) => o.path));
      body.objects.forEach((o) => (statuses[o.path] = o.scanStatus));
      cursor = body.nextCursor;
      assert.ok(pages.length <= 20, "the listing ends");
    } while (cursor);
    return { pages: pages.filter((p, i) => p.length > 0 || i < pages.length - 1), statuses };
  }

  const put = async (bucket: string, key: string, body: string | Uint8Array = `body of ${key}`) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    await notify(key, "created", bucket);
  };
  const tag = async (key: string, status: string) => {
    await s3.send(new PutObjectTaggingCommand({ Bucket: pooled, Key: key, Tagging: { TagSet: [{ Key: "scan-status", Value: status }] } }));
    await notify(key, "tagsAdded");
  };
  async function keysIn(bucket: string): Promise<string[]> {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (out.Contents ?? []).map((o) => o.Key!).sort();
  }
  async function exists(key: string): Promise<boolean> {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: pooled, Key: key }));
      return true;
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
        return false;
      }
      throw err;
    }
  }

  let env: Record<string, string>;
  before(async () => {
    world = await startIndexWorld({ scanner: "clamav" });
    ({ s3, bucket: pooled } = world);
    await s3.send(new CreateBucketCommand({ Bucket: silo }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: silo, VersioningConfiguration: { Status: "Enabled" } }));
    env = {
      ...world.env,
      TENANT_ROUTING: JSON.stringify({
        pooledBucket: pooled,
        accessPointArnPrefix: "arn:aws:s3:us-east-1:000000000000:accesspoint/unused-",
        accessPointTenants: [],
        dedicatedBuckets: { silo },
      }),
      PRESIGN_TTL_SECONDS: "300",
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      JWT_JWKS: JSON.stringify(issuer.jwks),
    };
    // The indexer with the same routing: it takes the silo tenant's events from the silo bucket only.
    indexer = createIndexerHandler(env, { store: world.store, dynamodb: world.dynamodb, log: silentLogger });
    for (const [bucket, keys] of Object.entries(fixtures())) {
      await Promise.all(keys.map((key) => put(bucket, key)));
    }
    handler = createObjectsHandler(env, { store: world.store, dynamodb: world.dynamodb, log });
  });

  after(async () => {
    await emptyAndDeleteBucket(s3, silo).catch(() => undefined);
    await world?.close();
  });

  describe("GET /v1/objects", () => {
    it("pages through the caller's home, 3 at a time, and shows exactly their objects", async () => {
      const { pages } = await listAll({ limit: "3" });
      // The home's .mobile-s3/ control entry is never indexed, and nothing of another home is in its partition.
      assert.deepEqual(
        pages.map((p) => p.length),
        [3, 3, 2],
      );
      assert.deepEqual(pages.flat(), aliceVisible, "each object once, in key order, nothing from another home");
    });

    it("answers one page with path, size, etag, lastModified, scanStatus, contentType and metadata, no folders without a delimiter, and a cursor while more remain", async () => {
      const res = await list({ prefix: "photos/", limit: "1" });
      const body = res.body as { objects: Record<string, unknown>[]; folders: string[]; nextCursor?: string };
      assert.equal(res.status, 200);
      assert.equal(body.objects.length, 1);
      assert.deepEqual(body.folders, []);
      const [first] = body.objects;
      assert.deepEqual(Object.keys(first).sort(), ["contentType", "etag", "lastModified", "metadata", "path", "scanStatus", "size"]);
      assert.deepEqual(first.metadata, {});
      assert.equal(typeof first.contentType, "string");
      assert.equal(first.path, "photos/p01.jpg");
      assert.equal(first.size, Buffer.byteLength(`body of ${aliceHome}photos/p01.jpg`));
      assert.match(String(first.etag), /^"?[0-9a-f]{32}"?$/);
      assert.ok(!Number.isNaN(Date.parse(String(first.lastModified))));
      assert.equal(first.scanStatus, "pending");
      assert.equal(typeof body.nextCursor, "string");
      assert.ok(!body.nextCursor!.includes(ALICE) && !body.nextCursor!.includes("photos"), "the cursor does not show the index key as it is");
    });

    it("lists under a prefix across pages", async () => {
      const { pages } = await listAll({ prefix: "photos/", limit: "2" });
      assert.deepEqual(
        pages.map((p) => p.length),
        [2, 2, 2, 1],
      );
      assert.deepEqual(pages.flat(), alicePhotos);
    });

    it("serves the default page when no limit is given", async () => {
      const { pages } = await listAll({});
      assert.deepEqual(pages, [aliceVisible]);
    });

    it("never shows another user's, a look-alike home's or another tenant's objects", async () => {
      assert.deepEqual((await listAll({ limit: "1" }, token(BOB))).pages.flat(), ["photos/p01.jpg", "secret.txt"]);
      assert.deepEqual((await listAll({}, token(ALICE_SIBLING))).pages.flat(), ["photos/p99.jpg"]);
      assert.deepEqual((await listAll({}, token(ALICE, "globex"))).pages.flat(), ["globex-only.txt", "photos/p01.jpg"]);
    });

    it("reads a bucket-tier tenant from its own bucket only", async () => {
      assert.deepEqual((await listAll({ limit: "1" }, token(DAVE, "silo"))).pages.flat(), ["notes/a.txt", "report.pdf"]);
    });

    it("ignores a tenant or home named in the query: only the token's claims count", async () => {
      const res = await list({ tenant: "globex", home: BOB, sub: BOB, prefix: "photos/", limit: "50" });
      assert.equal(res.status, 200);
      assert.deepEqual((res.body as { objects: { path: string }[] }).objects.map((o) => o.path), alicePhotos);
    });

    it("reports each object's scan status from its tag", async () => {
      await tag(`${aliceHome}photos/p01.jpg`, "clean");
      await tag(`${aliceHome}photos/p02.jpg`, "infected");
      const { statuses } = await listAll({ prefix: "photos/", limit: "3" });
      assert.equal(statuses["photos/p01.jpg"], "clean");
      assert.equal(statuses["photos/p02.jpg"], "infected");
      assert.equal(statuses["photos/p03.jpg"], "pending");
    });

    it("refuses a cursor from another prefix or another user, and one it never issued", async () => {
      const first = (await list({ limit: "2" })).body as { nextCursor: string };
      const cases: [string, Record<string, string>, string][] = [
        ["another prefix", { prefix: "photos/", cursor: first.nextCursor }, token(ALICE)],
        ["another user", { cursor: first.nextCursor }, token(BOB)],
        ["another tenant", { cursor: first.nextCursor }, token(ALICE, "globex")],
        ["a raw index key", { cursor: JSON.stringify({ pk: { S: `acme/${ALICE}` }, sk: { S: "o#photos/p01.jpg" } }) }, token(ALICE)],
        ["another sort", { sort: "size", cursor: first.nextCursor }, token(ALICE)],
        ["another order", { order: "desc", cursor: first.nextCursor }, token(ALICE)],
        ["a folder view", { delimiter: "/", cursor: first.nextCursor }, token(ALICE)],
      ];
      for (const [name, query, as] of cases) {
        const res = await list(query, as);
        assert.equal(res.status, 400, name);
        assert.equal(codeOf(res), "InvalidCursor", name);
      }
    });
  });

  describe("GET /v1/objects/url", () => {
    const path = "photos/fresh.png";
    const key = `${aliceHome}${path}`;
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256);

    it("refuses an upload the scanner has not seen (409 NotScanned), an infected one (403 Infected), then serves it once clean", async () => {
      await put(pooled, key, bytes);
      const pending = await call({ routeKey: "GET /v1/objects/url", query: { path } });
      assert.equal(pending.status, 409);
      assert.equal(codeOf(pending), "NotScanned");

      await tag(key, "pending");
      assert.equal(codeOf(await call({ routeKey: "GET /v1/objects/url", query: { path } })), "NotScanned");

      await tag(key, "infected");
      const infected = await call({ routeKey: "GET /v1/objects/url", query: { path } });
      assert.equal(infected.status, 403);
      assert.equal(codeOf(infected), "Infected");

      await tag(key, "clean");
      const before = Date.now();
      const clean = await call({ routeKey: "GET /v1/objects/url", query: { path } });
      assert.equal(clean.status, 200, JSON.stringify(clean.body));
      const { url, expiresAt } = clean.body as { url: string; expiresAt: string };
      assert.deepEqual(Object.keys(clean.body!).sort(), ["expiresAt", "url"]);
      const lifetime = Date.parse(expiresAt) - before;
      assert.ok(lifetime > 290_000 && lifetime <= 301_000, `expires in PRESIGN_TTL_SECONDS (${lifetime} ms)`);
      assert.match(url, /X-Amz-Expires=300/);

      const got = await fetch(url);
      assert.equal(got.status, 200);
      assert.deepEqual(new Uint8Array(await got.arrayBuffer()), bytes);
      assert.equal(clean.headers["cache-control"], "no-store");
    });

    it("takes a clean verdict recorded for another ETag as not scanned, in the listing and for a URL", async () => {
      const stale = "photos/stale.png";
      await put(pooled, `${aliceHome}${stale}`, bytes);
      await s3.send(
        new PutObjectTaggingCommand({
          Bucket: pooled,
          Key: `${aliceHome}${stale}`,
          Tagging: { TagSet: [{ Key: "scan-status", Value: "clean" }, { Key: "scan-etag", Value: "0123456789abcdef0123456789abcdef" }] },
        }),
      );
      await notify(`${aliceHome}${stale}`, "tagsAdded");
      assert.equal(codeOf(await call({ routeKey: "GET /v1/objects/url", query: { path: stale } })), "NotScanned");
      assert.equal((await listAll({ prefix: "photos/" })).statuses[stale], "pending");
    });

    it("pins what S3 answers with: an HTML page stored as text/html is served as an attachment of application/octet-stream (red-team: unsigned Content-Type/Disposition were served as stored)", async () => {
      const page = "photos/page.png";
      await s3.send(
        new PutObjectCommand({ Bucket: pooled, Key: `${aliceHome}${page}`, Body: "<script>alert(1)</script>", ContentType: "text/html", ContentDisposition: "inline" }),
      );
      await notify(`${aliceHome}${page}`);
      await tag(`${aliceHome}${page}`, "clean");
      const html = await call({ routeKey: "GET /v1/objects/url", query: { path: page } });
      assert.equal(html.status, 200, JSON.stringify(html.body));
      const served = await fetch((html.body as { url: string }).url);
      assert.equal(served.status, 200);
      assert.equal(served.headers.get("content-type"), "application/octet-stream");
      assert.equal(served.headers.get("content-disposition"), `attachment; filename="page.png"; filename*=UTF-8''page.png`);

      // A passive media type stays what it was stored as, still as an attachment.
      const photo = "photos/ça va.png";
      await s3.send(new PutObjectCommand({ Bucket: pooled, Key: `${aliceHome}${photo}`, Body: bytes, ContentType: "image/png" }));
      await notify(`${aliceHome}${photo}`);
      await tag(`${aliceHome}${photo}`, "clean");
      const png = await fetch(((await call({ routeKey: "GET /v1/objects/url", query: { path: photo } })).body as { url: string }).url);
      assert.equal(png.headers.get("content-type"), "image/png");
      assert.equal(png.headers.get("content-disposition"), `attachment; filename="_a va.png"; filename*=UTF-8''%C3%A7a%20va.png`);
    });

    it("with GuardDuty, never serves an object stored with a Content-Encoding (GuardDuty scanned the encoded bytes)", async () => {
      const guarded = createObjectsHandler({ ...env, SCANNER: "guardduty" }, { store: world.store, dynamodb: world.dynamodb, log });
      const encoded = "photos/encoded.png";
      await s3.send(new PutObjectCommand({ Bucket: pooled, Key: `${aliceHome}${encoded}`, Body: bytes, ContentEncoding: "br" }));
      await notify(`${aliceHome}${encoded}`);
      const gd = (value: string) =>
        s3.send(new PutObjectTaggingCommand({ Bucket: pooled, Key: `${aliceHome}${encoded}`, Tagging: { TagSet: [{ Key: "GuardDutyMalwareScanStatus", Value: value }] } }));
      await gd("NO_THREATS_FOUND");
      const refused = await invoke(guarded, { token: token(ALICE), routeKey: "GET /v1/objects/url", query: { path: encoded } });
      assert.deepEqual([refused.status, codeOf(refused)], [403, "Unscannable"]);
    });

    it("answers 404 ObjectNotFound for a missing object, and for another user's object at the same path", async () => {
      const missing = await call({ routeKey: "GET /v1/objects/url", query: { path: "photos/none.jpg" } });
      assert.equal(missing.status, 404);
      assert.equal(codeOf(missing), "ObjectNotFound");
      // Alice has docs/readme.txt; Bob asking for the same path reaches only his own home, where it is missing.
      const bobs = await call({ routeKey: "GET /v1/objects/url", query: { path: "docs/readme.txt" }, token: token(BOB) });
      assert.equal(bobs.status, 404);
    });
  });

  describe("DELETE /v1/objects", () => {
    it("deletes the caller's object (204), and again answers 204 when it is already gone", async () => {
      const key = `${aliceHome}photos/p07.jpg`;
      // Bob deleting the same relative path touches only his own home.
      assert.equal((await call({ routeKey: "DELETE /v1/objects", query: { path: "photos/p07.jpg" }, token: token(BOB) })).status, 204);
      assert.ok(await exists(key), "Alice's object survives Bob's delete");

      const res = await call({ routeKey: "DELETE /v1/objects", query: { path: "photos/p07.jpg" } });
      assert.equal(res.status, 204);
      assert.equal(res.body, undefined);
      assert.ok(!(await exists(key)), "the object is gone from the engine");
      await notify(key, "deleted");
      assert.ok(!(await listAll({ prefix: "photos/" })).pages.flat().includes("photos/p07.jpg"), "and from the listing once the indexer saw the delete");
      assert.equal((await call({ routeKey: "DELETE /v1/objects", query: { path: "photos/p07.jpg" } })).status, 204);
      deleted = [...deleted, key];
    });
  });

  describe("hostile requests", () => {
    const forger = new TestIssuer();
    const kid = (issuer.jwks.keys[0] as { kid: string }).kid;
    const now = () => Math.floor(Date.now() / 1000);
    const claims = (extra: Record<string, unknown> = {}) => issuer.claims({ sub: ALICE, tenant: "acme" }, extra);

    // [name, request, status, code]
    const table: [string, () => Omit<InvokeRequest, "token"> & { token?: string }, number, string][] = [
      ["prefix with a parent segment", () => ({ routeKey: "GET /v1/objects", query: { prefix: "../" } }), 400, "InvalidPath"],
      ["prefix climbing to another tenant", () => ({ routeKey: "GET /v1/objects", query: { prefix: `../../../globex/home/${ALICE}/` } }), 400, "InvalidPath"],
      ["absolute prefix", () => ({ routeKey: "GET /v1/objects", query: { prefix: "/tenants/globex/" } }), 400, "InvalidPath"],
      ["percent-encoded traversal in the prefix", () => ({ routeKey: "GET /v1/objects", query: { prefix: "..%2F..%2F" } }), 400, "InvalidPath"],
      ["backslash traversal in the prefix", () => ({ routeKey: "GET /v1/objects", query: { prefix: "photos\\..\\..\\" } }), 400, "InvalidPath"],
      ["fullwidth-solidus traversal in the prefix", () => ({ routeKey: "GET /v1/objects", query: { prefix: "..\uFF0F..\uFF0F" } }), 400, "InvalidPath"],
      ["fullwidth dots in the prefix", () => ({ routeKey: "GET /v1/objects", query: { prefix: "\uFF0E\uFF0E/" } }), 400, "InvalidPath"],
      ["NUL in the prefix", () => ({ routeKey: "GET /v1/objects", query: { prefix: "photos\u0000/" } }), 400, "InvalidPath"],
      ["reserved prefix", () => ({ routeKey: "GET /v1/objects", query: { prefix: ".mobile-s3/" } }), 400, "ReservedPath"],
      ["zero limit", () => ({ routeKey: "GET /v1/objects", query: { limit: "0" } }), 400, "InvalidLimit"],
      ["negative limit", () => ({ routeKey: "GET /v1/objects", query: { limit: "-3" } }), 400, "InvalidLimit"],
      ["non-numeric limit", () => ({ routeKey: "GET /v1/objects", query: { limit: "all" } }), 400, "InvalidLimit"],
      ["garbage cursor", () => ({ routeKey: "GET /v1/objects", query: { cursor: "!!not-a-cursor!!" } }), 400, "InvalidCursor"],
      ["URL without a path", () => ({ routeKey: "GET /v1/objects/url" }), 400, "InvalidPath"],
      ["URL for a parent path", () => ({ routeKey: "GET /v1/objects/url", query: { path: `../${BOB}/secret.txt` } }), 400, "InvalidPath"],
      ["URL for an encoded parent path", () => ({ routeKey: "GET /v1/objects/url", query: { path: `%2e%2e/${BOB}/secret.txt` } }), 400, "InvalidPath"],
      ["URL for a division-slash path", () => ({ routeKey: "GET /v1/objects/url", query: { path: `..\u2215${BOB}\u2215secret.txt` } }), 400, "InvalidPath"],
      ["URL for an absolute path", () => ({ routeKey: "GET /v1/objects/url", query: { path: `/${home("acme", BOB)}secret.txt` } }), 400, "InvalidPath"],
      ["URL for a directory", () => ({ routeKey: "GET /v1/objects/url", query: { path: "photos/" } }), 400, "InvalidPath"],
      ["URL for an overlong name", () => ({ routeKey: "GET /v1/objects/url", query: { path: `${"x".repeat(300)}.jpg` } }), 400, "PathTooLong"],
      ["URL for a control file", () => ({ routeKey: "GET /v1/objects/url", query: { path: ".mobile-s3/upload-binding.json" } }), 400, "ReservedPath"],
      ["delete without a path", () => ({ routeKey: "DELETE /v1/objects" }), 400, "InvalidPath"],
      ["delete of another tenant's object", () => ({ routeKey: "DELETE /v1/objects", query: { path: `../../../globex/home/${ALICE}/globex-only.txt` } }), 400, "InvalidPath"],
      ["delete with a newline", () => ({ routeKey: "DELETE /v1/objects", query: { path: "docs/readme.txt\n" } }), 400, "InvalidPath"],
      ["no token", () => ({ routeKey: "GET /v1/objects", token: "" }), 401, "MissingToken"],
      ["a non-bearer Authorization", () => ({ routeKey: "GET /v1/objects", token: "", headers: { authorization: "Basic YWxpY2U6cHc=" } }), 401, "MissingToken"],
      ["a forged token (another key)", () => ({ routeKey: "GET /v1/objects", token: forger.sign(claims(), { kid }) }), 401, "InvalidToken"],
      ["an expired token", () => ({ routeKey: "GET /v1/objects", token: issuer.sign(claims({ iat: now() - 7200, exp: now() - 3600 })) }), 401, "ExpiredToken"],
      ["a token for another app client", () => ({ routeKey: "GET /v1/objects", token: issuer.sign(claims({ aud: "another-app" })) }), 401, "WrongAudience"],
      ["a token from another issuer", () => ({ routeKey: "GET /v1/objects", token: issuer.sign(claims({ iss: "https://evil.test.invalid/pool" })) }), 401, "WrongIssuer"],
      ["an access token", () => ({ routeKey: "GET /v1/objects", token: issuer.sign(claims({ token_use: "access" })) }), 401, "WrongTokenUse"],
      ["an unsigned token (alg none)", () => ({ routeKey: "GET /v1/objects", token: issuer.sign(claims(), { alg: "none" }) }), 401, "InvalidToken"],
      ["a token with its claims swapped", () => ({ routeKey: "GET /v1/objects", token: swapPayload(token(ALICE), claims({ sub: BOB })) }), 401, "InvalidToken"],
      ["a token without a tenant", () => ({ routeKey: "GET /v1/objects", token: issuer.sign(claims({ "custom:tenant": undefined })) }), 403, "NoTenant"],
      ["a tenant claim that climbs", () => ({ routeKey: "GET /v1/objects", token: token(ALICE, "../globex") }), 403, "InvalidTenant"],
      ["a sub that climbs", () => ({ routeKey: "GET /v1/objects", token: token(`${ALICE}/../${BOB}`) }), 403, "InvalidSubject"],
      ["a route this function does not serve", () => ({ routeKey: "PUT /v1/objects", query: { path: "x.txt" } }), 404, "RouteNotFound"],
    ];

    for (const [name, request, status, code] of table) {
      it(`${name} → ${status} ${code}`, async () => {
        const req = request();
        const res = await invoke(handler, { ...req, token: req.token === undefined ? token(ALICE) : req.token || undefined });
        assert.equal(res.status, status, JSON.stringify(res.body));
        const body = res.body as { error: { code: string; message: string } };
        assert.deepEqual(Object.keys(body), ["error"]);
        assert.equal(body.error.code, code);
        assert.ok(body.error.message.length > 10, "the message says what to change");
      });
    }

    it("left the engine exactly as the fixtures put it, apart from the objects the flows above wrote", async () => {
      const written = ["fresh.png", "stale.png", "page.png", "ça va.png", "encoded.png"].map((name) => `${aliceHome}photos/${name}`);
      assert.deepEqual(await keysIn(pooled), [...fixtures()[pooled].filter((k) => !deleted.includes(k)), ...written].sort());
      assert.deepEqual(await keysIn(silo), [...fixtures()[silo]].sort());
    });
  });

  it("never logs a token, a presigned URL or a signature", () => {
    const logged = JSON.stringify(log.lines);
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}/.test(logged), "no JWT");
    assert.ok(!/X-Amz-(Signature|Credential)=/.test(logged), "no presigned URL");
  });
});

/** A token whose payload was replaced after signing: the signature no longer matches. */
function swapPayload(token: string, payload: object): string {
  const [head, , signature] = token.split(".");
  return `${head}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${signature}`;
}
