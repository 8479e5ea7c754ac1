import { allPages, sse } from "./s3-objects";
import { encodeTagging, type S3ClientSource, s3Connection } from "./s3-sdk";
import { NoSuchUploadError, type ObjectStore } from "./store";

/** The multipart half of the ObjectStore port. */
export type MultipartOperations = Pick<ObjectStore, "createMultipartUpload" | "listParts" | "completeMultipartUpload" | "abortMultipartUpload" | "listMultipartUploads">;

/**
 * S3 answers an unknown upload id with NoSuchUpload; Ceph RADOS Gateway answers ListParts with
 * NoSuchKey. For a multipart call both mean the same: no such upload of this key.
 */
function isNoSuchUpload(err: unknown): boolean {
  const e = err as { name?: string; Code?: string };
  return ["NoSuchUpload", "NoSuchKey"].includes(e?.name ?? "") || ["NoSuchUpload", "NoSuchKey"].includes(e?.Code ?? "");
}

/** `call`, with an unknown upload answered as `NoSuchUploadError`. */
async function ofUpload<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw isNoSuchUpload(err) ? new NoSuchUploadError({ cause: err }) : err;
  }
}

/** Multipart uploads over the AWS SDK v3; the client is built with the first call when `source` builds it. */
export function s3Multipart(source: S3ClientSource): MultipartOperations {
  const connect = s3Connection(source);
  return {
    async createMultipartUpload(p) {
      const { sdk, client } = await connect();
      const out = await client.send(
        new sdk.CreateMultipartUploadCommand({
          Bucket: p.bucket,
          Key: p.key,
          ContentType: p.contentType,
          ...(p.tags === undefined ? {} : { Tagging: encodeTagging(p.tags) }),
          ...(p.metadata === undefined ? {} : { Metadata: p.metadata }),
          ...sse(p.encryption),
        }),
      );
      if (!out.UploadId) {
        throw new Error("CreateMultipartUpload returned no UploadId");
      }
      return out.UploadId;
    },

    async listParts(p) {
      const { sdk, client } = await connect();
      return ofUpload(() =>
        allPages(async (marker: string | undefined) => {
          const out = await client.send(new sdk.ListPartsCommand({ Bucket: p.bucket, Key: p.key, UploadId: p.uploadId, PartNumberMarker: marker }));
          return {
            items: (out.Parts ?? []).map((part) => ({ partNumber: part.PartNumber!, etag: part.ETag ?? "", size: part.Size ?? 0 })),
            next: (out.IsTruncated && out.NextPartNumberMarker) || undefined,
          };
        }),
      );
    },

    async completeMultipartUpload(p) {
      const { sdk, client } = await connect();
      const out = await ofUpload(() =>
        client.send(
          new sdk.CompleteMultipartUploadCommand({
            Bucket: p.bucket,
            Key: p.key,
            UploadId: p.uploadId,
            MultipartUpload: { Parts: p.parts.map((x) => ({ PartNumber: x.partNumber, ETag: x.etag })) },
          }),
        ),
      );
      return { etag: out.ETag ?? "", ...(out.VersionId === undefined ? {} : { versionId: out.VersionId }) };
    },

    async abortMultipartUpload(p) {
      const { sdk, client } = await connect();
      await ofUpload(() => client.send(new sdk.AbortMultipartUploadCommand({ Bucket: p.bucket, Key: p.key, UploadId: p.uploadId })));
    },

    async listMultipartUploads(p) {
      const { sdk, client } = await connect();
      return allPages(async (marker: { key?: string; uploadId?: string } | undefined) => {
        const out = await client.send(
          new sdk.ListMultipartUploadsCommand({ Bucket: p.bucket, Prefix: p.prefix, KeyMarker: marker?.key, UploadIdMarker: marker?.uploadId }),
        );
        return {
          items: (out.Uploads ?? []).map((u) => ({ key: u.Key!, uploadId: u.UploadId!, initiated: (u.Initiated ?? new Date(0)).toISOString() })),
          next: out.IsTruncated && out.NextKeyMarker !== undefined ? { key: out.NextKeyMarker, uploadId: out.NextUploadIdMarker } : undefined,
        };
      });
    },
  };
}
