/** The answers the client reads, from the shared contract (docs/API.md). */
export type {
  CdnSession,
  Completed,
  Copied,
  CopyRequest,
  DeletedFolder,
  IndexedObject,
  ListedParts,
  ListOrder,
  ListSort,
  MultipartPlan,
  ObjectListing,
  ObjectPage,
  ObjectRecord,
  SignedPart,
  SignedParts,
  SignedUrl,
  SinglePlan,
  StoredObject,
  UploadPlan,
  Usage,
} from "@mobile-s3/contract";

/** `/v1/uploads/{uploadId}…` with the id escaped: it comes from S3 and may hold any character. */
export function uploadRoute(uploadId: string, rest = ""): string {
  return `/v1/uploads/${encodeURIComponent(uploadId)}${rest}`;
}
