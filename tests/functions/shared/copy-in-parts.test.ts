import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { copyInParts } from "../../../functions/shared/s3-objects";
import { loadS3 } from "../../../functions/shared/s3-sdk";
import { emptyAndDeleteBucket, engineClient, useS3Engine } from "../../harness/s3-engine";

const MIB = 1024 ** 2;

/**
 * A copy above CopyObject's 5 GiB limit goes through UploadPartCopy ("Copy an object using multipart
 * upload"). Here with 5 MiB parts (S3's smallest but the last) over a 12 MiB object, against the real
 * engine: the same code path as 512 MiB parts over a 6 GiB one.
 */
describe("functions/shared/s3-objects: copy in parts (against the S3 engine)", function () {
  this.timeout(120_000);
  let s3: S3Client;
  const bucket = `copy-parts-${Date.now()}`;

  before(async () => {
    s3 = engineClient(await useS3Engine());
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => {
    await emptyAndDeleteBucket(s3, bucket).catch(() => undefined);
    s3?.destroy();
  });

  it("copies every byte in ranged parts, keeps the type and metadata, and leaves no upload open", async () => {
    const bytes = randomBytes(12 * MIB + 17);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "src/big.mp4", Body: bytes, ContentType: "video/mp4", Metadata: { album: "trip" } }));
    const sdk = await loadS3();
    await copyInParts(sdk, s3, { bucket, fromKey: "src/big.mp4", toKey: "dst/big.mp4", size: bytes.byteLength, CopySource: `${bucket}/src/big.mp4`, tagging: "owner=u1" }, 5 * MIB);
    const copied = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dst/big.mp4" }));
    assert.ok(Buffer.from(await copied.Body!.transformToByteArray()).equals(bytes));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "dst/big.mp4" }));
    assert.equal(head.ContentType, "video/mp4");
    assert.deepEqual(head.Metadata, { album: "trip" });
    assert.match(head.ETag ?? "", /-3"?$/, "three parts");
    assert.deepEqual((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [], []);
  });
});
