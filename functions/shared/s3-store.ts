import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { clientPresigner, type ObjectUrlRequest, type SignedUrl } from "./presigner-client";
import { type Encryption, NoSuchUploadError, type ObjectStore, type PartInfo, type PresignedRequest } from "./store";

/** An S3 client as the functions use it: checksums only where S3 requires them (see DESIGN pitfalls). */
export function s3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client({ requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED", ...config });
}

function sse(encryption: Encryption | undefined) {
  return encryption
    ? { ServerSideEncryption: "aws:kms" as const, ...(encryption.kmsKeyId ? { SSEKMSKeyId: encryption.kmsKeyId } : {}) }
    : {};
}

/**
 * S3 answers an unknown upload id with NoSuchUpload; Ceph RADOS Gateway answers ListParts with
 * NoSuchKey. For a multipart call both mean the same: no such upload of this key.
 */
function isNoSuchUpload(err: unknown): boolean {
  const e = err as { name?: string; Code?: string };
  return ["NoSuchUpload", "NoSuchKey"].includes(e?.name ?? "") || ["NoSuchUpload", "NoSuchKey"].includes(e?.Code ?? "");
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || e?.$metadata?.httpStatusCode === 404;
}

const expiresAt = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

/**
 * The ObjectStore port over the AWS SDK v3, for S3 and for any S3 engine that speaks it. `now` is
 * the clock presigned URLs are signed with; tests pin it.
 */
export function s3Store(client: S3Client, options: { now?: () => number } = {}): ObjectStore {
  const presigner = clientPresigner(client, options.now);
  /** Our SigV4 presigner where the client's endpoint rules allow it; the SDK's for the rest (SigV4a, S3 Express). */
  async function presign(request: ObjectUrlRequest, bySdk: () => Promise<string>): Promise<SignedUrl> {
    return (await presigner.presign(request)) ?? { url: await bySdk(), expiresAt: expiresAt(request.expiresIn) };
  }

  return {
    async presignPut(p): Promise<PresignedRequest> {
      const headers: Record<string, string> = { "content-type": p.contentType, "content-length": String(p.contentLength) };
      if (p.checksumSha256) {
        headers["x-amz-checksum-sha256"] = p.checksumSha256;
      }
      if (p.encryption) {
        headers["x-amz-server-side-encryption"] = "aws:kms";
        if (p.encryption.kmsKeyId) {
          headers["x-amz-server-side-encryption-aws-kms-key-id"] = p.encryption.kmsKeyId;
        }
      }
      // Signed as headers, so S3 refuses a different type, size, checksum or encryption.
      const signed = await presign({ method: "PUT", bucket: p.bucket, key: p.key, query: { "x-id": "PutObject" }, headers, expiresIn: p.expiresIn }, () =>
        getSignedUrl(
          client,
          new PutObjectCommand({
            Bucket: p.bucket,
            Key: p.key,
            ContentType: p.contentType,
            ContentLength: p.contentLength,
            ...(p.checksumSha256 ? { ChecksumSHA256: p.checksumSha256 } : {}),
            ...sse(p.encryption),
          }),
          {
            expiresIn: p.expiresIn,
            signableHeaders: new Set(Object.keys(headers)),
            unhoistableHeaders: new Set(Object.keys(headers).filter((h) => h.startsWith("x-amz-"))),
          },
        ),
      );
      return { ...signed, method: "PUT", headers };
    },

    // The hot path: a batch of part URLs is one hash and one HMAC each (presigner.ts).
    async presignUploadPart(p): Promise<PresignedRequest> {
      const query = { partNumber: String(p.partNumber), uploadId: p.uploadId, "x-id": "UploadPart" };
      const signed = await presign({ method: "PUT", bucket: p.bucket, key: p.key, query, headers: {}, expiresIn: p.expiresIn }, () =>
        getSignedUrl(client, new UploadPartCommand({ Bucket: p.bucket, Key: p.key, UploadId: p.uploadId, PartNumber: p.partNumber }), {
          expiresIn: p.expiresIn,
        }),
      );
      return { ...signed, method: "PUT", headers: {} };
    },

    async presignGet(p): Promise<PresignedRequest> {
      const signed = await presign({ method: "GET", bucket: p.bucket, key: p.key, query: { "x-id": "GetObject" }, headers: {}, expiresIn: p.expiresIn }, () =>
        getSignedUrl(client, new GetObjectCommand({ Bucket: p.bucket, Key: p.key }), { expiresIn: p.expiresIn }),
      );
      return { ...signed, method: "GET", headers: {} };
    },

    async createMultipartUpload(p) {
      const out = await client.send(
        new CreateMultipartUploadCommand({ Bucket: p.bucket, Key: p.key, ContentType: p.contentType, ...sse(p.encryption) }),
      );
      if (!out.UploadId) {
        throw new Error("CreateMultipartUpload returned no UploadId");
      }
      return out.UploadId;
    },

    async listParts(p) {
      const parts: PartInfo[] = [];
      let marker: string | undefined;
      try {
        do {
          const out = await client.send(
            new ListPartsCommand({ Bucket: p.bucket, Key: p.key, UploadId: p.uploadId, PartNumberMarker: marker }),
          );
          for (const part of out.Parts ?? []) {
            parts.push({ partNumber: part.PartNumber!, etag: part.ETag ?? "", size: part.Size ?? 0 });
          }
          marker = out.IsTruncated ? out.NextPartNumberMarker : undefined;
        } while (marker);
      } catch (err) {
        throw isNoSuchUpload(err) ? new NoSuchUploadError({ cause: err }) : err;
      }
      return parts;
    },

    async completeMultipartUpload(p) {
      try {
        const out = await client.send(
          new CompleteMultipartUploadCommand({
            Bucket: p.bucket,
            Key: p.key,
            UploadId: p.uploadId,
            MultipartUpload: { Parts: p.parts.map((x) => ({ PartNumber: x.partNumber, ETag: x.etag })) },
          }),
        );
        return { etag: out.ETag ?? "" };
      } catch (err) {
        throw isNoSuchUpload(err) ? new NoSuchUploadError({ cause: err }) : err;
      }
    },

    async abortMultipartUpload(p) {
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: p.bucket, Key: p.key, UploadId: p.uploadId }));
      } catch (err) {
        throw isNoSuchUpload(err) ? new NoSuchUploadError({ cause: err }) : err;
      }
    },

    async head(p) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: p.bucket, Key: p.key }));
        return {
          key: p.key,
          size: out.ContentLength ?? 0,
          etag: out.ETag ?? "",
          lastModified: (out.LastModified ?? new Date(0)).toISOString(),
          contentType: out.ContentType,
        };
      } catch (err) {
        if (isNotFound(err)) {
          return undefined;
        }
        throw err;
      }
    },

    async list(p) {
      const out = await client.send(
        new ListObjectsV2Command({ Bucket: p.bucket, Prefix: p.prefix, ContinuationToken: p.cursor, MaxKeys: p.limit }),
      );
      return {
        objects: (out.Contents ?? []).map((o) => ({
          key: o.Key!,
          size: o.Size ?? 0,
          etag: o.ETag ?? "",
          lastModified: (o.LastModified ?? new Date(0)).toISOString(),
        })),
        nextCursor: out.IsTruncated ? out.NextContinuationToken : undefined,
      };
    },

    async getTags(p) {
      const out = await client.send(new GetObjectTaggingCommand({ Bucket: p.bucket, Key: p.key }));
      return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
    },

    async putTags(p) {
      await client.send(
        new PutObjectTaggingCommand({
          Bucket: p.bucket,
          Key: p.key,
          Tagging: { TagSet: Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value })) },
        }),
      );
    },

    async delete(p) {
      await client.send(new DeleteObjectCommand({ Bucket: p.bucket, Key: p.key }));
    },

    async put(p) {
      const out = await client.send(
        new PutObjectCommand({ Bucket: p.bucket, Key: p.key, Body: p.body, ContentType: p.contentType, ContentLength: p.body.byteLength, ...sse(p.encryption) }),
      );
      return { etag: out.ETag ?? "" };
    },

    async get(p) {
      const out = await client.send(new GetObjectCommand({ Bucket: p.bucket, Key: p.key }));
      return out.Body!.transformToByteArray();
    },

    async copy(p) {
      await client.send(
        new CopyObjectCommand({
          Bucket: p.bucket,
          Key: p.toKey,
          // Through an access point the source is `<access point ARN>/object/<key>`.
          CopySource: `${p.bucket}${p.bucket.startsWith("arn:") ? "/object" : ""}/${p.fromKey.split("/").map(encodeURIComponent).join("/")}`,
          ...sse(p.encryption),
        }),
      );
    },
  };
}
