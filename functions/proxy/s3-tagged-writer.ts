import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type TaggedObjectWriter } from "./core";

/**
 * `TaggedObjectWriter` over the AWS SDK: one PutObject carrying `x-amz-tagging` (S3 authorises it
 * as s3:PutObject plus s3:PutObjectTagging). Encryption is left to the bucket's default (SSE-KMS
 * with its key), which the bucket policy accepts when no SSE header is sent.
 */
export function s3TaggedWriter(client: S3Client): TaggedObjectWriter {
  return {
    async putTagged(p) {
      const out = await client.send(
        new PutObjectCommand({
          Bucket: p.bucket,
          Key: p.key,
          Body: p.body,
          ContentType: p.contentType,
          ContentLength: p.body.byteLength,
          Tagging: new URLSearchParams(p.tags).toString(),
        }),
      );
      return { etag: out.ETag ?? "" };
    },
  };
}
