import { type ScanStatus } from "./scan";

/*
 * The bodies of the HTTP API (docs/API.md) as both ends see them: the functions answer with these
 * shapes and the client reads them.
 */

/** Every error: a machine-readable code and a sentence saying what to change. */
export type ErrorBody = { error: { code: string; message: string } };

/** `POST /v1/uploads` below the single-PUT threshold. */
export type SinglePlan = { mode: "single"; path: string; url: string; method: string; headers: Record<string, string>; expiresAt: string };
/** One part URL: `size` is the exact length it signs (S3 refuses a body of any other length). */
export type SignedPart = { partNumber: number; url: string; size: number; expiresAt: string };
/** `POST /v1/uploads` above it. `parts`: the first batch of part URLs, when the server sends them along (saves a round trip). */
export type MultipartPlan = { mode: "multipart"; path: string; uploadId: string; partSize: number; partCount: number; expiresAt: string; parts?: SignedPart[] };
export type UploadPlan = SinglePlan | MultipartPlan;
/** `POST /v1/uploads/{uploadId}/parts` */
export type SignedParts = { parts: SignedPart[] };
/** `GET /v1/uploads/{uploadId}/parts` */
export type ListedParts = { parts: { partNumber: number; etag: string; size: number }[] };
/** `POST /v1/uploads/{uploadId}/complete` */
export type Completed = { path: string; etag: string; size: number };
/** `POST /v1/proxy/objects`: the object as stored, with its scan status (clean at once with ClamAV). */
export type ProxyStored = Completed & { scanStatus: ScanStatus };

/** One object of `GET /v1/objects`. */
export interface StoredObject {
  path: string;
  size: number;
  etag: string;
  lastModified: string;
  /** `clean` objects can be read; `pending` ones are still being scanned; `infected` and `unscannable` ones never. */
  scanStatus: ScanStatus;
}
/** `GET /v1/objects` */
export type ObjectPage = { objects: StoredObject[]; nextCursor?: string };
/** `GET /v1/objects/url` */
export type SignedUrl = { url: string; expiresAt: string };
/** `POST /v1/cdn-session`: cookies valid for `https://{domain}/{path}*` (the caller's home). */
export type CdnSession = { domain: string; path: string; cookies: Record<string, string>; expiresAt: string };
/** `GET /v1/objects/cdn-url`: a CloudFront URL signed for exactly one object, valid until `expiresAt`. */
export type CdnUrl = { url: string; expiresAt: string };

/** One entry of `GET /v1/objects` and the answer of `GET /v1/objects/meta`, from the object index. */
export interface IndexedObject extends StoredObject {
  contentType: string;
  /** Custom metadata given at upload (`POST /v1/uploads` `metadata`), keys lowercased. */
  metadata: Record<string, string>;
}
/** `GET /v1/objects/meta`: the object's record, with its version and when its key first held an object. */
export type ObjectRecord = IndexedObject & { versionId?: string; created: string };
/** `GET /v1/objects` (from the object index): objects and, with `delimiter=/`, the folders directly under `prefix`. */
export type ObjectListing = { objects: IndexedObject[]; folders: string[]; nextCursor?: string };
/** `POST /v1/objects/copy` and `POST /v1/objects/move` */
export type CopyRequest = { from: string; to: string; overwrite?: boolean };
export type Copied = Completed;
/** `DELETE /v1/objects?prefix=`: how many objects went; `nextCursor` when more remain (call again with it). */
export type DeletedFolder = { deleted: number; nextCursor?: string };
/** `GET /v1/usage`: bytes stored (every version) and promised to uploads in progress, against the quota (`null`: none). */
export type Usage = { storedBytes: number; reservedBytes: number; quotaBytes: number | null; objects: number; openUploads: number };
/** `POST /v1/admin/users/{sub}/revoke`: tokens of `sub` issued before `revokedAt` are refused; `disabled` when the body asked. */
export type RevokedUser = { sub: string; revokedAt: string; disabled: boolean };
