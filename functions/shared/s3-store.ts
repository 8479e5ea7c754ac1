import { type S3Client } from "@aws-sdk/client-s3";
import { clientPresigner, type ObjectUrlRequest, type SignedUrl } from "./presigner-client";
import { loadS3Presigner, type S3ClientSource, s3Connection, type S3Module, type S3PresignerModule } from "./s3-sdk";
import { type Encryption, NoSuchUploadError, type ObjectStore, type OpenUpload, type PartInfo, type PresignedRequest, type VersionInfo } from "./store";

function sse(encryption: Encryption | undefined) {
  return encryption
    ? { ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: encryption.kmsKeyId }
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

export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "NotFound" || e?.name === "NoSuchKey" || e?.$metadata?.httpStatusCode === 404;
}

/** What presigning through the SDK needs: the commands, the client, and getSignedUrl. */
interface SdkPresign {
  sdk: S3Module;
  client: S3Client;
  getSignedUrl: S3PresignerModule["getSignedUrl"];
}

const expiresAt = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

/**
 * The ObjectStore port over the AWS SDK v3, for S3 and for any S3 engine that speaks it. `client`
 * may be built on first use (`lazyS3Client`): the SDK then loads with the first call, not with the
 * module. `now` is the clock presigned URLs are signed with; tests pin it.
 */
export function s3Store(source: S3ClientSource, options: { now?: () => number } = {}): ObjectStore {
  const connect = s3Connection(source);
  const presigner = clientPresigner(source, options.now);
  /**
   * Our SigV4 presigner where the client's endpoint rules allow it; the SDK's for the rest (SigV4a,
   * S3 Express), whose presigner is loaded only when such a bucket is first signed for.
   */
  async function presign(request: ObjectUrlRequest, bySdk: (sdk: SdkPresign) => Promise<string>): Promise<SignedUrl> {
    const signed = await presigner.presign(request);
    if (signed !== undefined) {
      return signed;
    }
    const [connection, { getSignedUrl }] = await Promise.all([connect(), loadS3Presigner()]);
    return { url: await bySdk({ ...connection, getSignedUrl }), expiresAt: expiresAt(request.expiresIn) };
  }

  return {
    async presignPut(p): Promise<PresignedRequest> {
      const headers: Record<string, string> = { "content-type": p.contentType, "content-length": String(p.contentLength) };
      if (p.checksumSha256) {
        headers["x-amz-checksum-sha256"] = p.checksumSha256;
      }
      if (p.encryption) {
        headers["x-amz-server-side-encryption"] = "aws:kms";
        headers["x-amz-server-side-encryption-aws-kms-key-id"] = p.encryption.kmsKeyId;
      }
      // Signed as headers, so S3 refuses a different type, size, checksum or encryption.
      const signed = await presign({ method: "PUT", bucket: p.bucket, key: p.key, query: { "x-id": "PutObject" }, headers, expiresIn: p.expiresIn }, ({ sdk, client, getSignedUrl }) =>
        getSignedUrl(
          client,
          new sdk.PutObjectCommand({
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
      // The part's exact length is signed: a URL for part 3 of 5 MiB cannot carry 30 MiB.
      const headers = { "content-length": String(p.contentLength) };
      const signed = await presign({ method: "PUT", bucket: p.bucket, key: p.key, query, headers, expiresIn: p.expiresIn }, ({ sdk, client, getSignedUrl }) =>
        getSignedUrl(
          client,
          new sdk.UploadPartCommand({ Bucket: p.bucket, Key: p.key, UploadId: p.uploadId, PartNumber: p.partNumber, ContentLength: p.contentLength }),
          { expiresIn: p.expiresIn, signableHeaders: new Set(Object.keys(headers)) },
        ),
      );
      return { ...signed, method: "PUT", headers };
    },

    async presignGet(p): Promise<PresignedRequest> {
      const query: Record<string, string> = { "x-id": "GetObject" };
      if (p.response?.contentType !== undefined) {
        query["response-content-type"] = p.response.contentType;
      }
      if (p.response?.contentDisposition !== undefined) {
        query["response-content-disposition"] = p.response.contentDisposition;
      }
      const signed = await presign({ method: "GET", bucket: p.bucket, key: p.key, query, headers: {}, expiresIn: p.expiresIn }, ({ sdk, client, getSignedUrl }) =>
        getSignedUrl(
          client,
          new sdk.GetObjectCommand({
            Bucket: p.bucket,
            Key: p.key,
            ...(p.response?.contentType === undefined ? {} : { ResponseContentType: p.response.contentType }),
            ...(p.response?.contentDisposition === undefined ? {} : { ResponseContentDisposition: p.response.contentDisposition }),
          }),
          { expiresIn: p.expiresIn },
        ),
      );
      return { ...signed, method: "GET", headers: {} };
    },

    async createMultipartUpload(p) {
      const { sdk, client } = await connect();
      const out = await client.send(
        new sdk.CreateMultipartUploadCommand({ Bucket: p.bucket, Key: p.key, ContentType: p.contentType, ...sse(p.encryption) }),
      );
      if (!out.UploadId) {
        throw new Error("CreateMultipartUpload returned no UploadId");
      }
      return out.UploadId;
    },

    async listParts(p) {
      const { sdk, client } = await connect();
      const parts: PartInfo[] = [];
      let marker: string | undefined;
      try {
        do {
          const out = await client.send(
            new sdk.ListPartsCommand({ Bucket: p.bucket, Key: p.key, UploadId: p.uploadId, PartNumberMarker: marker }),
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
      const { sdk, client } = await connect();
      try {
        const out = await client.send(
          new sdk.CompleteMultipartUploadCommand({
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
      const { sdk, client } = await connect();
      try {
        await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: p.bucket, Key: p.key, UploadId: p.uploadId }));
      } catch (err) {
        throw isNoSuchUpload(err) ? new NoSuchUploadError({ cause: err }) : err;
      }
    },

    async head(p) {
      const { sdk, client } = await connect();
      try {
        const out = await client.send(new sdk.HeadObjectCommand({ Bucket: p.bucket, Key: p.key }));
        return {
          key: p.key,
          size: out.ContentLength ?? 0,
          etag: out.ETag ?? "",
          lastModified: (out.LastModified ?? new Date(0)).toISOString(),
          contentType: out.ContentType,
          ...(out.ContentEncoding === undefined ? {} : { contentEncoding: out.ContentEncoding }),
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
      const out = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: p.bucket, Prefix: p.prefix, ContinuationToken: p.cursor, MaxKeys: p.limit }),
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

    async listVersions(p) {
      const { sdk, client } = await connect();
      const versions: VersionInfo[] = [];
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      do {
        const out = await client.send(
          new sdk.ListObjectVersionsCommand({ Bucket: p.bucket, Prefix: p.prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
        );
        for (const v of out.Versions ?? []) {
          versions.push({ key: v.Key!, size: v.Size ?? 0, isLatest: v.IsLatest === true, lastModified: (v.LastModified ?? new Date(0)).toISOString() });
        }
        [keyMarker, versionIdMarker] = out.IsTruncated ? [out.NextKeyMarker, out.NextVersionIdMarker] : [undefined, undefined];
      } while (keyMarker !== undefined);
      return versions;
    },

    async listMultipartUploads(p) {
      const { sdk, client } = await connect();
      const uploads: OpenUpload[] = [];
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      do {
        const out = await client.send(
          new sdk.ListMultipartUploadsCommand({ Bucket: p.bucket, Prefix: p.prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
        );
        for (const u of out.Uploads ?? []) {
          uploads.push({ key: u.Key!, uploadId: u.UploadId!, initiated: (u.Initiated ?? new Date(0)).toISOString() });
        }
        [keyMarker, uploadIdMarker] = out.IsTruncated ? [out.NextKeyMarker, out.NextUploadIdMarker] : [undefined, undefined];
      } while (keyMarker !== undefined);
      return uploads;
    },

    async getTags(p) {
      const { sdk, client } = await connect();
      const out = await client.send(new sdk.GetObjectTaggingCommand({ Bucket: p.bucket, Key: p.key }));
      return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
    },

    async putTags(p) {
      const { sdk, client } = await connect();
      await client.send(
        new sdk.PutObjectTaggingCommand({
          Bucket: p.bucket,
          Key: p.key,
          Tagging: { TagSet: Object.entries(p.tags).map(([Key, Value]) => ({ Key, Value })) },
        }),
      );
    },

    async delete(p) {
      const { sdk, client } = await connect();
      await client.send(new sdk.DeleteObjectCommand({ Bucket: p.bucket, Key: p.key }));
    },

    async put(p) {
      const { sdk, client } = await connect();
      const out = await client.send(
        new sdk.PutObjectCommand({ Bucket: p.bucket, Key: p.key, Body: p.body, ContentType: p.contentType, ContentLength: p.body.byteLength, ...sse(p.encryption) }),
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
      await client.send(
        new sdk.CopyObjectCommand({
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
