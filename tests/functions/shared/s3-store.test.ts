import * as assert from "node:assert/strict";
import { s3Client } from "../../../functions/shared/s3-client";
import { s3Store } from "../../../functions/shared/s3-store";

/** Presigning is local: these URLs are inspected, not sent anywhere. */
describe("functions/shared/s3-store (presigned uploads)", () => {
  const client = s3Client({
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret-for-signing-only" },
  });
  const store = s3Store(client);
  after(() => client.destroy());

  const signedHeaders = (url: string) => new URL(url).searchParams.get("X-Amz-SignedHeaders")!.split(";");

  it("signs the content type and length, so S3 refuses another type or size", async () => {
    const p = await store.presignPut({ bucket: "b", key: "k", contentType: "image/png", contentLength: 42, expiresIn: 300 });
    assert.deepEqual(p.headers, { "content-type": "image/png", "content-length": "42" });
    for (const h of ["content-type", "content-length", "host"]) {
      assert.ok(signedHeaders(p.url).includes(h), h);
    }
  });

  it("signs SSE-KMS (and a checksum) as headers the client must send, when asked", async () => {
    const p = await store.presignPut({
      bucket: "b",
      key: "k",
      contentType: "image/png",
      contentLength: 42,
      checksumSha256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
      encryption: {},
      expiresIn: 300,
    });
    assert.equal(p.headers["x-amz-server-side-encryption"], "aws:kms");
    assert.equal(p.headers["x-amz-server-side-encryption-aws-kms-key-id"], undefined, "the bucket's own key applies");
    for (const h of ["x-amz-server-side-encryption", "x-amz-checksum-sha256"]) {
      assert.ok(signedHeaders(p.url).includes(h), `${h} is signed`);
      assert.equal(new URL(p.url).searchParams.has(h), false, `${h} stays a header, not a query parameter`);
    }
    const named = await store.presignPut({ bucket: "b", key: "k", contentType: "image/png", contentLength: 42, encryption: { kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/x" }, expiresIn: 300 });
    assert.ok(signedHeaders(named.url).includes("x-amz-server-side-encryption-aws-kms-key-id"));
  });
});
