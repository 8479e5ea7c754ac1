import * as assert from "node:assert/strict";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { s3Store } from "../../../functions/shared/s3-store";
import { type ObjectStore } from "../../../functions/shared/store";
import { engineClient, type S3Engine, useS3Engine } from "../../harness/s3-engine";

/**
 * URLs from the fast presigner (presigner.ts, through the S3 adapter) against a real S3 engine
 * that verifies SigV4: what they sign is accepted, anything changed after signing is refused.
 */
describe("functions/shared/presigner against the S3 engine", function () {
  this.timeout(60_000);
  const bucket = `presigner-${Date.now().toString(36)}`;
  const key = "tenants/acme/home/a11ce/with space/ünï+=~*.bin";
  let engine: S3Engine;
  let s3: S3Client;
  let store: ObjectStore;

  before(async () => {
    engine = await useS3Engine();
    s3 = engineClient(engine);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    store = s3Store(s3);
  });
  after(() => s3?.destroy());

  const put = (url: string, body: Uint8Array, headers: Record<string, string> = {}) => fetch(url, { method: "PUT", body, headers });
  const withParam = (url: string, name: string, value: string) => {
    const u = new URL(url);
    u.searchParams.set(name, value);
    return u.toString();
  };

  describe("part URLs", () => {
    let uploadId: string;
    let partUrl: string;
    const body = new TextEncoder().encode("one part, the whole object");

    before(async () => {
      uploadId = await store.createMultipartUpload({ bucket, key, contentType: "application/octet-stream" });
      partUrl = (await store.presignUploadPart({ bucket, key, uploadId, partNumber: 1, contentLength: body.byteLength, expiresIn: 300 })).url;
    });

    it("refuses the URL with another part number", async () => {
      assert.equal((await put(withParam(partUrl, "partNumber", "2"), body)).status, 403);
    });

    it("refuses the URL for another key", async () => {
      const u = new URL(partUrl);
      u.pathname = u.pathname.replace(/\.bin$/, ".exe");
      assert.equal((await put(u.toString(), body)).status, 403);
    });

    it("refuses the URL with a body of another length (the part's length is signed)", async () => {
      assert.equal((await put(partUrl, new TextEncoder().encode("one part, the whole object, and then some"))).status, 403);
    });

    it("refuses a changed signature", async () => {
      const signature = new URL(partUrl).searchParams.get("X-Amz-Signature")!;
      const changed = `${signature.slice(0, -1)}${signature.endsWith("0") ? "1" : "0"}`;
      assert.equal((await put(withParam(partUrl, "X-Amz-Signature", changed), body)).status, 403);
    });

    it("refuses an expired URL", async () => {
      // Signed 10 s ago for 1 s: expired before it is sent, without waiting.
      const past = s3Store(s3, { now: () => Date.now() - 10_000 });
      const expired = await past.presignUploadPart({ bucket, key, uploadId, partNumber: 1, contentLength: body.byteLength, expiresIn: 1 });
      assert.equal((await put(expired.url, body)).status, 403);
    });

    it("accepts the part as signed, and the upload completes", async () => {
      const uploaded = await put(partUrl, body);
      assert.equal(uploaded.status, 200, await uploaded.text());
      const etag = uploaded.headers.get("etag")!;
      assert.deepEqual(
        (await store.listParts({ bucket, key, uploadId })).map((p) => p.partNumber),
        [1],
      );
      await store.completeMultipartUpload({ bucket, key, uploadId, parts: [{ partNumber: 1, etag }] });
      assert.deepEqual(await store.get({ bucket, key }), body);
    });
  });

  describe("single PUT and GET URLs", () => {
    const single = "tenants/acme/home/a11ce/photos/cat (1).png";
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

    it("refuses a PUT replayed with another content type, or another length", async () => {
      const signed = await store.presignPut({ bucket, key: single, contentType: "image/png", contentLength: png.byteLength, expiresIn: 300 });
      assert.equal((await put(signed.url, png, { ...signed.headers, "content-type": "text/html" })).status, 403);
      assert.equal((await put(signed.url, new Uint8Array([...png, 0]), { "content-type": "image/png" })).status, 403);
      assert.equal(await store.head({ bucket, key: single }), undefined, "nothing was stored");
    });

    it("accepts the PUT as signed, and a presigned GET reads it back", async () => {
      const signed = await store.presignPut({ bucket, key: single, contentType: "image/png", contentLength: png.byteLength, expiresIn: 300 });
      const stored = await put(signed.url, png, signed.headers);
      assert.equal(stored.status, 200, await stored.text());
      assert.equal((await store.head({ bucket, key: single }))?.contentType, "image/png");

      const read = await fetch((await store.presignGet({ bucket, key: single, expiresIn: 60 })).url);
      assert.equal(read.status, 200);
      assert.deepEqual(new Uint8Array(await read.arrayBuffer()), png);
    });

    it("refuses an expired GET, and accepts one signed as long ago that is still live", async () => {
      // Signed 10 s ago: for 1 s it has expired, for 300 s it has not; the clock is the only difference.
      const past = s3Store(s3, { now: () => Date.now() - 10_000 });
      assert.equal((await fetch((await past.presignGet({ bucket, key: single, expiresIn: 1 })).url)).status, 403);
      assert.equal((await fetch((await past.presignGet({ bucket, key: single, expiresIn: 300 })).url)).status, 200);
    });

    it("refuses a GET URL changed to another key", async () => {
      const u = new URL((await store.presignGet({ bucket, key: single, expiresIn: 60 })).url);
      u.pathname = u.pathname.replace("cat", "dog");
      assert.equal((await fetch(u)).status, 403);
    });
  });
});
