/**
 * The object storage the cores need, as a port: the S3 adapter (s3-store.ts) in AWS, the sandbox
 * and the tests against the real engine. `bucket` is an S3 `Bucket` parameter (a bucket name or
 * an access point ARN, see routing.ts).
 */
export interface PresignedRequest {
  url: string;
  method: "PUT" | "GET";
  /** Headers the client must send exactly as given: they are part of the signature. */
  headers: Record<string, string>;
  expiresAt: string;
}

export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
  lastModified: string;
}

export interface PartInfo {
  partNumber: number;
  etag: string;
  size: number;
}

/**
 * Encryption a write asks for, signed into presigned requests so S3 refuses any other: SSE-KMS
 * under the named key. The key is required: `aws:kms` without one means the AWS managed key
 * `aws/s3`, which the buckets refuse. Writes that name none get the bucket's default (its own key).
 */
export interface Encryption {
  kmsKeyId: string;
}

/** One version of an object (ListObjectVersions); delete markers are not listed. */
export interface VersionInfo {
  key: string;
  /** S3's version id (`null` in a bucket that was never versioned). */
  versionId: string;
  size: number;
  isLatest: boolean;
  lastModified: string;
}

/** What HeadObject tells of the current version. */
export interface HeadInfo extends ObjectInfo {
  contentType?: string;
  contentEncoding?: string;
  versionId?: string;
  /** User-defined metadata (`x-amz-meta-*`), keys without the prefix, as S3 returns them. */
  metadata: Record<string, string>;
}

/** A multipart upload in progress (ListMultipartUploads). */
export interface OpenUpload {
  key: string;
  uploadId: string;
  initiated: string;
}

/** Headers a presigned GET makes S3 answer with, instead of the ones stored with the object. */
export interface ResponseOverrides {
  contentType?: string;
  contentDisposition?: string;
}

export interface ObjectStore {
  presignPut(p: {
    bucket: string;
    key: string;
    contentType: string;
    contentLength: number;
    checksumSha256?: string;
    encryption?: Encryption;
    /** Signed as `x-amz-tagging`: S3 stores exactly these tags with the object. */
    tags?: Record<string, string>;
    /** Signed as `x-amz-meta-<key>` headers (values already encoded for a header). */
    metadata?: Record<string, string>;
    expiresIn: number;
  }): Promise<PresignedRequest>;
  /** `contentLength` is signed as a header: S3 refuses a part of any other length. */
  presignUploadPart(p: { bucket: string; key: string; uploadId: string; partNumber: number; contentLength: number; expiresIn: number }): Promise<PresignedRequest>;
  /**
   * `response` pins headers S3 answers with (its `response-content-type` and
   * `response-content-disposition` parameters, signed like the rest of the query), whatever the
   * object was stored with.
   */
  presignGet(p: { bucket: string; key: string; expiresIn: number; response?: ResponseOverrides }): Promise<PresignedRequest>;
  createMultipartUpload(p: { bucket: string; key: string; contentType: string; encryption?: Encryption; tags?: Record<string, string>; metadata?: Record<string, string> }): Promise<string>;
  /** Every part, across all pages. Throws `NoSuchUploadError` for an unknown upload. */
  listParts(p: { bucket: string; key: string; uploadId: string }): Promise<PartInfo[]>;
  /** Returns the final ETag, or "" where the engine answers without one (Ceph): read it back then. */
  completeMultipartUpload(p: { bucket: string; key: string; uploadId: string; parts: { partNumber: number; etag: string }[] }): Promise<{ etag: string; versionId?: string }>;
  abortMultipartUpload(p: { bucket: string; key: string; uploadId: string }): Promise<void>;
  /** undefined when there is no such object. */
  head(p: { bucket: string; key: string }): Promise<HeadInfo | undefined>;
  list(p: { bucket: string; prefix: string; cursor?: string; limit: number }): Promise<{ objects: ObjectInfo[]; nextCursor?: string }>;
  /** Every version under `prefix`, current and noncurrent, across all pages. */
  listVersions(p: { bucket: string; prefix: string }): Promise<VersionInfo[]>;
  /** Every multipart upload in progress under `prefix`, across all pages. */
  listMultipartUploads(p: { bucket: string; prefix: string }): Promise<OpenUpload[]>;
  getTags(p: { bucket: string; key: string }): Promise<Record<string, string>>;
  putTags(p: { bucket: string; key: string; tags: Record<string, string> }): Promise<void>;
  delete(p: { bucket: string; key: string }): Promise<void>;
  put(p: { bucket: string; key: string; body: Uint8Array; contentType: string; encryption?: Encryption; tags?: Record<string, string> }): Promise<{ etag: string }>;
  get(p: { bucket: string; key: string }): Promise<Uint8Array>;
  /**
   * A server-side copy of the current version. `tags` replace the source's (S3's REPLACE tagging
   * directive: a verdict tag is never copied), metadata is copied. `size` above 5 GiB (CopyObject's
   * limit) copies in parts (UploadPartCopy).
   */
  copy(p: { bucket: string; fromKey: string; toKey: string; encryption?: Encryption; tags?: Record<string, string>; size?: number }): Promise<{ etag: string; versionId?: string }>;
  /** The folders directly under `prefix` (ListObjectsV2 with the `/` delimiter), as full prefixes, all pages. */
  listFolders(p: { bucket: string; prefix: string }): Promise<string[]>;
}

/** The upload id names no upload of this key (S3's NoSuchUpload): answered 404. */
export class NoSuchUploadError extends Error {
  constructor(options?: { cause?: unknown }) {
    super("no such upload", options);
    this.name = "NoSuchUploadError";
  }
}
