import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { DeleteObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createObjectsHandler } from "../../../functions/objects/app";
import { createUploadsHandler } from "../../../functions/uploads/app";
import { type InvokeRequest, invoke, TestIssuer } from "../../harness/api";
import { type IndexWorld, silentLogger, startIndexWorld } from "../../harness/object-index";
import { markClean, storedBytes } from "../index-fixtures";

const SUB = "0a11ce00-0000-4000-8000-0000000000c1";
const QUOTA = 1000;
const home = `tenants/acme/home/${SUB}/`;

type Answer = { status: number; body: Record<string, unknown> & { error?: { code: string; message: string } } };

/**
 * The over-quota rule (docs/OBJECT-INDEX.md, "Over-quota writes from the direct path"): the direct
 * path writes with STS credentials and IAM does not see quotas, so a home can be taken past its
 * quota. Once the indexer has counted such a write, the API serves the home no download URL and no
 * copy (403 OverQuota) and refuses new uploads (403 QuotaExceeded), while listing, records, usage and
 * deletes keep working; once enough is gone (noncurrent versions included), it serves again.
 */
describe("functions/objects: a home over its quota (against the S3 engine and a local DynamoDB)", function () {
  this.timeout(120_000);
  const issuer = new TestIssuer();
  let world: IndexWorld;
  let objects: ReturnType<typeof createObjectsHandler>;
  let uploads: ReturnType<typeof createUploadsHandler>;

  const call = (req: Omit<InvokeRequest, "token">, handler = objects) =>
    invoke(handler, { ...req, token: issuer.token({ sub: SUB, tenant: "acme" }) }) as unknown as Promise<Answer>;
  const url = (path: string) => call({ routeKey: "GET /v1/objects/url", query: { path } });
  const codeOf = (res: Answer) => [res.status, res.body?.error?.code];

  before(async () => {
    world = await startIndexWorld({ scanner: "clamav" });
    const env = {
      ...world.env,
      PRESIGN_TTL_SECONDS: "300",
      MAX_OBJECT_BYTES: String(1024 ** 2),
      SINGLE_PUT_MAX_BYTES: String(1024 ** 2),
      ALLOWED_CONTENT_TYPES: '["image/jpeg"]',
      PART_URL_BATCH_MAX: "20",
      USER_QUOTA_BYTES: String(QUOTA),
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      JWT_JWKS: JSON.stringify(issuer.jwks),
    };
    objects = createObjectsHandler(env, { store: world.store, dynamodb: world.dynamodb, log: silentLogger });
    uploads = createUploadsHandler(env, { store: world.store, dynamodb: world.dynamodb, log: silentLogger });

    // A clean photo uploaded through the API, well within the quota.
    const signed = await call({ routeKey: "POST /v1/uploads", body: { path: "photo.jpg", contentType: "image/jpeg", size: 100 } }, uploads);
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    const { url: putUrl, headers } = signed.body as { url: string; headers: Record<string, string> };
    assert.equal((await fetch(putUrl, { method: "PUT", body: randomBytes(100), headers })).status, 200);
    await world.notify(`${home}photo.jpg`);
    await markClean(world, `${home}photo.jpg`);
  });
  after(() => world?.close());

  it("serves the home while it is within its quota", async () => {
    assert.equal((await url("photo.jpg")).status, 200);
  });

  it("after a direct write past the quota is indexed: 403 OverQuota for URLs and copies, 403 QuotaExceeded for uploads", async () => {
    // The engine owner's credentials stand in for the direct path's STS credentials: nothing reserved first.
    await world.s3.send(new PutObjectCommand({ Bucket: world.bucket, Key: `${home}direct/big.jpg`, Body: randomBytes(2000), ContentType: "image/jpeg" }));
    assert.equal((await url("photo.jpg")).status, 200, "not before the indexer has seen the write");
    await world.notify(`${home}direct/big.jpg`);

    const refused = await url("photo.jpg");
    assert.deepEqual(codeOf(refused), [403, "OverQuota"]);
    assert.match(refused.body.error!.message, /holds 2100 bytes, over your quota of 1000/);
    assert.deepEqual(codeOf(await call({ routeKey: "POST /v1/objects/copy", body: { from: "photo.jpg", to: "again.jpg" } })), [403, "OverQuota"]);
    assert.deepEqual(codeOf(await call({ routeKey: "POST /v1/uploads", body: { path: "more.jpg", contentType: "image/jpeg", size: 1 } }, uploads)), [403, "QuotaExceeded"]);
  });

  it("still lists, answers records and usage, and deletes, so the user can make room", async () => {
    const listed = await call({ routeKey: "GET /v1/objects" });
    assert.deepEqual((listed.body.objects as { path: string }[]).map((o) => o.path), ["direct/big.jpg", "photo.jpg"]);
    assert.equal((await call({ routeKey: "GET /v1/objects/meta", query: { path: "direct/big.jpg" } })).status, 200);
    const usage = await call({ routeKey: "GET /v1/usage" });
    assert.deepEqual(usage.body, { storedBytes: 2100, reservedBytes: 0, quotaBytes: QUOTA, objects: 2, openUploads: 0 });
    assert.equal((await call({ routeKey: "DELETE /v1/objects", query: { path: "direct/big.jpg" } })).status, 204);
    await world.notify(`${home}direct/big.jpg`, "deleted");
  });

  it("stays over quota while the deleted object's noncurrent version is stored", async () => {
    assert.equal((await call({ routeKey: "GET /v1/usage" })).body.storedBytes, await storedBytes(world, home));
    assert.deepEqual(codeOf(await url("photo.jpg")), [403, "OverQuota"]);
  });

  it("serves again once the old version is gone (as the lifecycle's noncurrent expiration removes it) and the indexer has seen it", async () => {
    const versions = await world.s3.send(new ListObjectVersionsCommand({ Bucket: world.bucket, Prefix: `${home}direct/` }));
    for (const v of [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]) {
      await world.s3.send(new DeleteObjectCommand({ Bucket: world.bucket, Key: v.Key, VersionId: v.VersionId }));
    }
    await world.notify(`${home}direct/big.jpg`, "deleted");
    const usage = await call({ routeKey: "GET /v1/usage" });
    assert.deepEqual([usage.body.storedBytes, usage.body.objects], [100, 1]);
    assert.equal((await url("photo.jpg")).status, 200);
    assert.equal((await call({ routeKey: "POST /v1/uploads", body: { path: "more.jpg", contentType: "image/jpeg", size: 900 } }, uploads)).status, 200);
  });
});
