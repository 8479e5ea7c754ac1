import { type S3Client } from "@aws-sdk/client-s3";
import { encodeTagging, type S3ClientSource, s3Connection, type S3Module } from "./s3-sdk";
import { type Encryption, type ObjectStore } from "./store";

/** The object half of the ObjectStore port: reads, writes, listings, tags. */
export type ObjectOperations = Omit<ObjectStore, "presignPut" | "presignUploadPart" | "presignGet" | "createMultipartUpload" | "listParts" | "completeMultipartUpload" | "abortMultipartUpload" | "listMultipartUploads">;

/** The SDK's parameters for SSE-KMS under `encryption`'s key (Customer-managed encryption); none: the bucket's default. */
export function sse(encryption: Encryption | undefined) {
  return encryption ? { ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: encryption.kmsKeyId } : {};
}

export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || e?.$metadata?.httpStatusCode === 404;
}

/** Every item of a paged listing: `page` is asked for the next page until it names no marker. */
export async function allPages<T, M>(page: (marker: M | undefined) => Promise<{ items: T[]; next?: M }>): Promise<T[]> {
  const items: T[] = [];
  let marker: M | undefined;
  do {
    const out = await page(marker);
    items.push(...out.items);
    marker = out.next;
  } while (marker !== undefined);
  return items;
}

const iso = (date: Date | undefined) => (date ?? new Date(0)).toISOString();

/** CopyObject copies at most 5 GiB in one request ("CopyObject"); above it, UploadPartCopy ("Copy an object using multipart upload"). */
export const MAX_COPY_OBJECT_BYTES = 5 * 1024 ** 3;
/** Part size of a copy in parts: S3 allows 5 MiB to 5 GiB per part and 10,000 parts; 512 MiB parts reach S3's 5 TiB in 10,000. */
const COPY_PART_BYTES = 512 * 1024 ** 2;

/**
 * A copy above 5 GiB: one multipart upload of byte ranges of the source, the source's type and
 * metadata kept, the tags given (or none). Exported with its part size for the tests, which copy
 * megabytes, not gigabytes.
 */
export async function copyInParts(
  sdk: S3Module,
  client: S3Client,
  p: { bucket: string; fromKey: string; toKey: string; size?: number; CopySource: string; tagging?: string; encryption?: Encryption },
  partBytes = COPY_PART_BYTES,
): Promise<{ etag: string; versionId?: string }> {
  const head = await client.send(new sdk.HeadObjectCommand({ Bucket: p.bucket, Key: p.fromKey }));
  const size = head.ContentLength ?? p.size ?? 0;
  const created = await client.send(
    new sdk.CreateMultipartUploadCommand({
      Bucket: p.bucket,
      Key: p.toKey,
      ContentType: head.ContentType,
      Metadata: head.Metadata,
      ...(p.tagging === undefined ? {} : { Tagging: p.tagging }),
      ...sse(p.encryption),
    }),
  );
  const UploadId = created.UploadId!;
  try {
    const parts: { PartNumber: number; ETag: string }[] = [];
    for (let start = 0, n = 1; start < size; start += partBytes, n++) {
      const end = Math.min(start + partBytes, size) - 1;
      const out = await client.send(
        new sdk.UploadPartCopyCommand({ Bucket: p.bucket, Key: p.toKey, UploadId, PartNumber: n, CopySource: p.CopySource, CopySourceRange: `bytes=${start}-${end}` }),
      );
      parts.push({ PartNumber: n, ETag: out.CopyPartResult?.ETag ?? "" });
    }
    const done = await client.send(new sdk.CompleteMultipartUploadCommand({ Bucket: p.bucket, Key: p.toKey, UploadId, MultipartUpload: { Parts: parts } }));
    return { etag: done.ETag ?? "", ...(done.VersionId === undefined ? {} : { versionId: done.VersionId }) };
  } catch (err) {
    await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: p.bucket, Key: p.toKey, UploadId })).catch(() => undefined);
    throw err;
  }
}

/** Object operations over the AWS SDK v3; the client is built with the first call when `source` builds it. */
export function s3Objects(source: S3ClientSource): ObjectOperations {
  const connect = s3Connection(source);
  return {
    async head(p) {
      const { sdk, client } = await connect();
      try {
        const out = await client.send(new sdk.HeadObjectCommand({ Bucket: p.bucket, Key: p.key }));
        return {
          key: p.key,
          size: out.ContentLength ?? 0,
          etag: out.ETag ?? "",
          lastModified: iso(out.LastModified),
          contentType: out.ContentType,
          ...(out.ContentEncoding === undefined ? {} : { contentEncoding: out.ContentEncoding }),
          ...(out.VersionId === undefined ? {} : { versionId: out.VersionId }),
          metadata: out.Metadata ?? {},
        };
      } catch (err) {
        if (isNotFound(err)) {
          return undefined;
        }
        throw err;
      }
    },

    async list(p) {
      const { sdk, client } = await connect();
      const out = await client.send(new sdk.ListObjectsV2Command({ Bucket: p.bucket, Prefix: p.prefix, ContinuationToken: p.cursor, MaxKeys: p.limit }));
      return {
        objects: (out.Contents ?? []).map((o) => ({ key: o.Key!, size: o.Size ?? 0, etag: o.ETag ?? "", lastModified: iso(o.LastModified) })),
        nextCursor: out.IsTruncated ? out.NextContinuationToken : undefined,
      };
    },

    async listVersions(p) {
      const { sdk, client } = await connect();
      return allPages(async (marker: { key?: string; versionId?: string } | undefined) => {
        const out = await client.send(
          new sdk.ListObjectVersionsCommand({ Bucket: p.bucket, Prefix: p.prefix, KeyMarker: marker?.key, VersionIdMarker: marker?.versionId }),
        );
        return {
          items: (out.Versions ?? []).map((v) => ({
            key: v.Key!,
            versionId: v.VersionId ?? "null",
            size: v.Size ?? 0,
            isLatest: v.IsLatest === true,
            lastModified: iso(v.LastModified),
          })),
          next: out.IsTruncated && out.NextKeyMarker !== undefined ? { key: out.NextKeyMarker, versionId: out.NextVersionIdMarker } : undefined,
        };
      });
    },

    async getTags(p) {
      const { sdk, client } = await connect();
      const out = await client.send(new sdk.GetObjectTaggingCommand({ Bucket: p.bucket, Key: p.key }));
      return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
    },

    async putTags(p) {
      const { sdk, client } = await connect();
      const TagSet = Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value }));
      await client.send(new sdk.PutObjectTaggingCommand({ Bucket: p.bucket, Key: p.key, Tagging: { TagSet } }));
    },

    async delete(p) {
      const { sdk, client } = await connect();
      await client.send(new sdk.DeleteObjectCommand({ Bucket: p.bucket, Key: p.key }));
    },

    async put(p) {
      const { sdk, client } = await connect();
      const out = await client.send(
        new sdk.PutObjectCommand({
          Bucket: p.bucket,
          Key: p.key,
          Body: p.body,
          ContentType: p.contentType,
          ContentLength: p.body.byteLength,
          ...(p.tags === undefined ? {} : { Tagging: encodeTagging(p.tags) }),
          ...sse(p.encryption),
        }),
      );
      return { etag: out.ETag ?? "" };
    },

    async get(p) {
      const { sdk, client } = await connect();
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: p.bucket, Key: p.key }));
      return out.Body!.transformToByteArray();
    },

    async copy(p) {
      const { sdk, client } = await connect();
      // Through an access point the source is `<access point ARN>/object/<key>`.
      const CopySource = `${p.bucket}${p.bucket.startsWith("arn:") ? "/object" : ""}/${p.fromKey.split("/").map(encodeURIComponent).join("/")}`;
      const tagging = p.tags === undefined ? undefined : encodeTagging(p.tags);
      if (p.size !== undefined && p.size > MAX_COPY_OBJECT_BYTES) {
        return copyInParts(sdk, client, { ...p, CopySource, tagging });
      }
      const out = await client.send(
        new sdk.CopyObjectCommand({
          Bucket: p.bucket,
          Key: p.toKey,
          CopySource,
          ...(tagging === undefined ? {} : { Tagging: tagging, TaggingDirective: "REPLACE" as const }),
          ...sse(p.encryption),
        }),
      );
      return { etag: out.CopyObjectResult?.ETag ?? "", ...(out.VersionId === undefined ? {} : { versionId: out.VersionId }) };
    },

    async listFolders(p) {
      const { sdk, client } = await connect();
      return allPages(async (token: string | undefined) => {
        const out = await client.send(new sdk.ListObjectsV2Command({ Bucket: p.bucket, Prefix: p.prefix, Delimiter: "/", ContinuationToken: token }));
        return { items: (out.CommonPrefixes ?? []).map((c) => c.Prefix!), next: out.IsTruncated ? out.NextContinuationToken : undefined };
      });
    },
  };
}
