import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ListObjectVersionsCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { MAX_OPEN_UPLOADS } from "../../../functions/shared/quota";
import { s3Store } from "../../../functions/shared/s3-store";
import { type ObjectStore } from "../../../functions/shared/store";
import { createUploadsHandler } from "../../../functions/uploads/app";
import { type InvokeRequest, invoke, TestIssuer } from "../../harness/api";
import { type IndexWorld, startIndexWorld } from "../../harness/object-index";
import { recordingLogger } from "../fixtures";

const MIB = 1024 ** 2;

type Body = Record<string, unknown> & {
  error?: { code: string; message: string };
  url: string;
  headers: Record<string, string>;
  uploadId: string;
  partCount: number;
  parts: { partNumber: number; url: string; size: number }[];
};
type Answer = { status: number; body: Body };

/**
 * The red-team pass's attacks on uploads (issue 13), each against the real engine with the API's
 * own URLs, the quota kept in the object index (a local DynamoDB). Before the fix every one of them
 * got through: part URLs bound no length and any part number up to 10,000, completion checked only
 * the parts' layout, and the quota counted only the current objects, so promised, replaced and
 * in-flight bytes were all free.
 */
describe("functions/uploads: attacks that must fail (against the S3 engine)", function () {
  this.timeout(180_000);
  const issuer = new TestIssuer();
  let world: IndexWorld;

  const env = (overrides: Record<string, string> = {}) => ({
    ...world.env,
    PRESIGN_TTL_SECONDS: "300",
    MAX_OBJECT_BYTES: String(64 * MIB),
    SINGLE_PUT_MAX_BYTES: String(MIB),
    ALLOWED_CONTENT_TYPES: '["image/jpeg","video/mp4"]',
    PART_URL_BATCH_MAX: "100",
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWT_JWKS: JSON.stringify(issuer.jwks),
    ...overrides,
  });
  const handlerWith = (overrides: Record<string, string> = {}, store: ObjectStore = world.store) =>
    createUploadsHandler(env(overrides), { store, dynamodb: world.dynamodb, log: recordingLogger() });
  const call = (sub: string, req: Omit<InvokeRequest, "token">, handler: ReturnType<typeof createUploadsHandler>) =>
    invoke(handler, { ...req, token: issuer.token({ sub, tenant: "acme" }) }) as unknown as Promise<Answer>;
  const start = (sub: string, path: string, size: number, handler: ReturnType<typeof createUploadsHandler>) =>
    call(sub, { routeKey: "POST /v1/uploads", body: { path, contentType: path.endsWith(".mp4") ? "video/mp4" : "image/jpeg", size } }, handler);
  const put = async (url: string, body: Uint8Array, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { method: "PUT", body, headers });
    return { status: res.status, etag: res.headers.get("etag") ?? "" };
  };
  const sub = (n: number) => `0a11ce00-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const home = (n: number) => `tenants/acme/home/${sub(n)}/`;

  // As the program's buckets, the world's is versioned: replaced objects stay (and are billed) as noncurrent versions.
  before(async () => {
    world = await startIndexWorld();
  });
  after(() => world?.close());

  describe("multipart size caps", () => {
    it("a part URL carries exactly its part's length: 30 MiB in part 1 of a 17 MiB upload is refused by S3", async () => {
      const handler = handlerWith();
      const started = await start(sub(1), "videos/big.mp4", 17 * MIB, handler);
      assert.equal(started.status, 200, JSON.stringify(started.body));
      const [first] = started.body.parts;
      assert.equal(first.size, 5 * MIB);
      assert.equal((await put(first.url, randomBytes(30 * MIB))).status, 403, "the signed Content-Length does not match");
      assert.equal((await put(first.url, randomBytes(1))).status, 403);
      assert.equal((await put(first.url, randomBytes(5 * MIB))).status, 200);
    });

    it("part numbers beyond the declared layout are never signed (part 1,024 of a 4-part upload)", async () => {
      const handler = handlerWith();
      const started = await start(sub(2), "videos/four.mp4", 17 * MIB, handler);
      assert.equal(started.body.partCount, 4);
      const res = await call(
        sub(2),
        { routeKey: "POST /v1/uploads/{uploadId}/parts", pathParameters: { uploadId: started.body.uploadId }, body: { path: "videos/four.mp4", partNumbers: [1024] } },
        handler,
      );
      assert.deepEqual([res.status, res.body.error?.code], [400, "InvalidPartNumber"]);
    });

    it("completion refuses parts that do not add up to the declaration (1 byte, or 30 MiB, for 17 MiB) and nothing becomes an object", async () => {
      const handler = handlerWith();
      for (const [label, sizes] of [
        ["1 byte", [1]],
        ["30 MiB", [5 * MIB, 5 * MIB, 5 * MIB, 15 * MIB]],
      ] as const) {
        const path = `videos/declared-17-${label.replace(" ", "")}.mp4`;
        const started = await start(sub(3), path, 17 * MIB, handler);
        const key = `${home(3)}${path}`;
        // Parts sent outside the API's URLs (with the direct path's or any other credentials): S3 takes them.
        const parts: { partNumber: number; etag: string }[] = [];
        for (const [i, size] of sizes.entries()) {
          const out = await world.s3.send(new UploadPartCommand({ Bucket: world.bucket, Key: key, UploadId: started.body.uploadId, PartNumber: i + 1, Body: randomBytes(size) }));
          parts.push({ partNumber: i + 1, etag: out.ETag! });
        }
        const res = await call(sub(3), { routeKey: "POST /v1/uploads/{uploadId}/complete", pathParameters: { uploadId: started.body.uploadId }, body: { path, parts } }, handler);
        assert.deepEqual([res.status, res.body.error?.code], [400, "SizeMismatch"], label);
        const versions = await world.s3.send(new ListObjectVersionsCommand({ Bucket: world.bucket, Prefix: key }));
        assert.deepEqual(versions.Versions ?? [], [], `${label}: no object`);
      }
    });

    it(`caps open multipart uploads per user at ${MAX_OPEN_UPLOADS} (409 TooManyOpenUploads)`, async () => {
      const handler = handlerWith();
      for (let i = 0; i < MAX_OPEN_UPLOADS; i++) {
        assert.equal((await start(sub(4), `videos/open-${i}.mp4`, 6 * MIB, handler)).status, 200);
      }
      const over = await start(sub(4), "videos/one-too-many.mp4", 6 * MIB, handler);
      assert.deepEqual([over.status, over.body.error?.code], [409, "TooManyOpenUploads"]);
    });

    it("answers S3's InvalidPart at completion (a part replaced after the check) with 400, not a bare 500", async () => {
      const path = "videos/raced.mp4";
      const key = `${home(5)}${path}`;
      let uploadId = "";
      // Between the function's ListParts and its CompleteMultipartUpload, the part is sent again: S3 then refuses the old ETag.
      const racing: ObjectStore = {
        ...s3Store(world.s3),
        async completeMultipartUpload(p) {
          await world.s3.send(new UploadPartCommand({ Bucket: world.bucket, Key: key, UploadId: uploadId, PartNumber: 1, Body: randomBytes(6 * MIB - 5 * MIB) }));
          return world.store.completeMultipartUpload(p);
        },
      };
      const handler = handlerWith({}, racing);
      const started = await start(sub(5), path, 1 * MIB + 1, handler);
      uploadId = started.body.uploadId;
      assert.equal(started.body.partCount, 1);
      const sent = await put(started.body.parts[0].url, randomBytes(MIB + 1));
      assert.equal(sent.status, 200);
      const res = await call(sub(5), { routeKey: "POST /v1/uploads/{uploadId}/complete", pathParameters: { uploadId }, body: { path, parts: [{ partNumber: 1, etag: sent.etag }] } }, handler);
      assert.deepEqual([res.status, res.body.error?.code], [400, "InvalidPart"], JSON.stringify(res.body));
    });
  });

  describe("quota counts what was promised", () => {
    const quota = { USER_QUOTA_BYTES: "1000" };

    it("five URLs of 900 bytes signed in a row under a 1,000-byte quota: only the first", async () => {
      const handler = handlerWith(quota);
      const answers = [];
      for (let i = 0; i < 5; i++) {
        answers.push((await start(sub(10), `photos/row-${i}.jpg`, 900, handler)).status);
      }
      assert.deepEqual(answers, [200, 403, 403, 403, 403]);
    });

    it("ten signed in parallel: exactly one (the check and the promise are one conditional write)", async () => {
      const handler = handlerWith(quota);
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => start(sub(11), `photos/par-${i}.jpg`, 900, handler)));
      const granted = answers.filter((a) => a.status === 200).length;
      assert.equal(granted, 1, `${granted} of 10 granted`);
      assert.ok(answers.every((a) => a.status === 200 || a.body.error?.code === "QuotaExceeded"));
      // Once the contention is over, the home has room for exactly what is left.
      const after = await start(sub(11), "photos/after.jpg", 1000 - 900 * granted, handler);
      assert.equal(after.status, 200, JSON.stringify(after.body));
    });

    it("overwrites count: the replaced version is still stored, so a second 900-byte upload of the same path is refused", async () => {
      const handler = handlerWith(quota);
      const first = await start(sub(12), "photos/same.jpg", 900, handler);
      assert.equal((await put(first.body.url, randomBytes(900), first.body.headers)).status, 200);
      // The indexer sees the object (EventBridge's event): the promise becomes 900 stored bytes.
      await world.notify(`${home(12)}photos/same.jpg`);
      assert.deepEqual((({ storedBytes, reservedBytes }) => [storedBytes, reservedBytes])(await world.index.usage({ tenant: "acme", home: sub(12) })), [900, 0]);
      const again = await start(sub(12), "photos/same.jpg", 900, handler);
      assert.deepEqual([again.status, again.body.error?.code], [403, "QuotaExceeded"]);
      assert.match(again.body.error!.message, /older versions of replaced and deleted files count/);
    });

    it("a multipart upload's declared size is promised until it completes or is aborted, then freed", async () => {
      const handler = handlerWith({ USER_QUOTA_BYTES: String(8 * MIB) });
      const started = await start(sub(13), "videos/held.mp4", 6 * MIB, handler);
      assert.equal(started.status, 200);
      const blocked = await start(sub(13), "photos/small.jpg", 3 * MIB, handler);
      assert.deepEqual([blocked.status, blocked.body.error?.code], [403, "QuotaExceeded"]);
      const aborted = await call(sub(13), { routeKey: "DELETE /v1/uploads/{uploadId}", pathParameters: { uploadId: started.body.uploadId }, query: { path: "videos/held.mp4" } }, handler);
      assert.equal(aborted.status, 204);
      assert.equal((await start(sub(13), "videos/small.mp4", 3 * MIB, handler)).status, 200);
    });
  });
});
