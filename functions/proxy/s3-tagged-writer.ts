import { encodeTagging, type S3ClientSource, s3Connection } from "../shared/s3-sdk";
import { type TaggedObjectWriter } from "./core";

/**
 * `TaggedObjectWriter` over the AWS SDK: one PutObject carrying `x-amz-tagging` (S3 authorises it
 * as s3:PutObject plus s3:PutObjectTagging). Encryption is left to the bucket's default (SSE-KMS
 * with its key), which the bucket policy accepts when no SSE header is sent. A client built on
 * first use (`lazyS3Client`) is built by the first write.
 */
export function s3TaggedWriter(source: S3ClientSource): TaggedObjectWriter {
  const connect = s3Connection(source);
  return {
    async putTagged(p) {
      const { sdk, client } = await connect();
      const out = await client.send(
        new sdk.PutObjectCommand({
          Bucket: p.bucket,
          Key: p.key,
          Body: p.body,
          ContentType: p.contentType,
          ContentLength: p.body.byteLength,
          // No tags, no header: an empty `x-amz-tagging` would still be authorised as PutObjectTagging.
          ...(Object.keys(p.tags).length > 0 ? { Tagging: encodeTagging(p.tags) } : {}),
        }),
      );
      return { etag: out.ETag ?? "" };
    },
  };
}
