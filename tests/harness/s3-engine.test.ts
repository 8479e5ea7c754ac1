import * as assert from "node:assert/strict";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { engineClient, type S3Engine, useS3Engine } from "./s3-engine";

/**
 * The engine must verify SigV4 the way S3 does, or no security test built on it means anything.
 * (s3rver, for one, accepts any signature.)
 */
describe("tests/harness/s3-engine (Ceph RADOS Gateway on loopback)", function () {
  this.timeout(300_000);
  let engine: S3Engine;
  let s3: S3Client;
  const bucket = `harness-${Date.now()}`;

  before(async () => {
    engine = await useS3Engine();
    s3 = engineClient(engine);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => s3?.destroy());

  const presignPut = (key: string, expiresIn: number, signingDate?: Date) =>
    getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: "text/plain" }), { expiresIn, signingDate });

  const put = (url: string, body = "hello") =>
    fetch(url, { method: "PUT", body, headers: { "content-type": "text/plain" } });

  it("listens on loopback only", () => {
    assert.match(engine.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(engine.pid > 0);
  });

  it("accepts an untouched presigned PUT and stores the body", async () => {
    const res = await put(await presignPut("notes/ok.txt", 300), "stored by a presigned URL");
    assert.equal(res.status, 200, await res.text());
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "notes/ok.txt" }));
    assert.equal(await got.Body!.transformToString(), "stored by a presigned URL");
  });

  it("refuses a presigned PUT whose key was altered (403)", async () => {
    const url = (await presignPut("notes/mine.txt", 300)).replace("notes/mine.txt", "notes/theirs.txt");
    const res = await put(url);
    assert.equal(res.status, 403);
    assert.match(await res.text(), /SignatureDoesNotMatch|AccessDenied/);
  });

  it("refuses an expired presigned PUT (403)", async () => {
    const url = await presignPut("notes/late.txt", 60, new Date(Date.now() - 10 * 60_000));
    const res = await put(url);
    assert.equal(res.status, 403);
    assert.match(await res.text(), /AccessDenied|Request has expired/);
  });

  it("refuses a request signed with the wrong secret (403)", async () => {
    const forger = engineClient({ ...engine, users: [{ accessKeyId: engine.users[0].accessKeyId, secretAccessKey: "not-the-secret" }] });
    try {
      await assert.rejects(forger.send(new GetObjectCommand({ Bucket: bucket, Key: "notes/ok.txt" })), (err: { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode === 403);
    } finally {
      forger.destroy();
    }
  });
});
