import { type S3Client } from "@aws-sdk/client-s3";
import { clientPresigner, type ObjectUrlRequest, type SignedUrl } from "./presigner-client";
import { encodeTagging, loadS3Presigner, type S3ClientSource, s3Connection, type S3Module, type S3PresignerModule } from "./s3-sdk";
import { sse } from "./s3-objects";
import { type ObjectStore, type PresignedRequest } from "./store";

/** The presigning half of the ObjectStore port. */
export type ObjectPresigner = Pick<ObjectStore, "presignPut" | "presignUploadPart" | "presignGet">;

/** What presigning through the SDK needs: the commands, the client, and getSignedUrl. */
interface SdkPresign {
  sdk: S3Module;
  client: S3Client;
  getSignedUrl: S3PresignerModule["getSignedUrl"];
}

const expiresAt = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

/**
 * Presigned PUTs, part PUTs and GETs (Short lifetimes: each URL lives `expiresIn` seconds). Our
 * SigV4 presigner (presigner.ts) where the client's endpoint rules allow it; the SDK's for the rest
 * (SigV4a, S3 Express), whose presigner is loaded only when such a bucket is first signed for.
 * `now` is the clock URLs are signed with; tests pin it.
 */
export function s3Presigner(source: S3ClientSource, options: { now?: () => number } = {}): ObjectPresigner {
  const connect = s3Connection(source);
  const presigner = clientPresigner(source, options.now);
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
      if (p.tags !== undefined) {
        headers["x-amz-tagging"] = encodeTagging(p.tags);
      }
      for (const [key, value] of Object.entries(p.metadata ?? {})) {
        headers[`x-amz-meta-${key}`] = value;
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
            ...(p.tags === undefined ? {} : { Tagging: encodeTagging(p.tags) }),
            ...(p.metadata === undefined ? {} : { Metadata: p.metadata }),
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
  };
}
