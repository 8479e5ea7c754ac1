/** Answers of ../shared/API.md the upload path reads. */
export type SinglePlan = { mode: "single"; path: string; url: string; method: string; headers: Record<string, string>; expiresAt: string };
export type SignedPart = { partNumber: number; url: string; expiresAt: string };
/** `parts`: the first batch of part URLs, when the server sends them along (saves a round trip). */
export type MultipartPlan = { mode: "multipart"; path: string; uploadId: string; partSize: number; partCount: number; expiresAt: string; parts?: SignedPart[] };
export type UploadPlan = SinglePlan | MultipartPlan;
export type SignedParts = { parts: SignedPart[] };
export type ListedParts = { parts: { partNumber: number; etag: string; size: number }[] };
export type Completed = { path: string; etag: string; size: number };

export interface StoredObject {
  path: string;
  size: number;
  etag: string;
  lastModified: string;
  /** `clean` objects can be read; `pending` ones are still being scanned; `infected` ones never. */
  scanStatus: "pending" | "clean" | "infected" | "unscannable" | string;
}
export type ObjectPage = { objects: StoredObject[]; nextCursor?: string };
export type SignedUrl = { url: string; expiresAt: string };
export type CdnSession = { domain: string; cookies: Record<string, string>; expiresAt: string };

/** `/v1/uploads/{uploadId}…` with the id escaped: it comes from S3 and may hold any character. */
export function uploadRoute(uploadId: string, rest = ""): string {
  return `/v1/uploads/${encodeURIComponent(uploadId)}${rest}`;
}
