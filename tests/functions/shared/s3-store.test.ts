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

  it("signs SSE-KMS with its key (and a checksum) as headers the client must send, when asked", async () => {
    const kmsKeyId = "arn:aws:kms:eu-west-1:123456789012:key/x";
    const p = await store.presignPut({
      bucket: "b",
      key: "k",
      contentType: "image/png",
      contentLength: 42,
      checksumSha256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
      encryption: { kmsKeyId },
      expiresIn: 300,
    });
    assert.equal(p.headers["x-amz-server-side-encryption"], "aws:kms");
    // Never aws:kms alone: S3 would use the AWS managed key aws/s3, which the buckets refuse.
    assert.equal(p.headers["x-amz-server-side-encryption-aws-kms-key-id"], kmsKeyId);
    for (const h of ["x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-checksum-sha256"]) {
      assert.ok(signedHeaders(p.url).includes(h), `${h} is signed`);
      assert.equal(new URL(p.url).searchParams.has(h), false, `${h} stays a header, not a query parameter`);
    }
  });
});
