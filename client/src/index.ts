export { type GetToken } from "./api";
export { base64, type Sha256 } from "./checksum";
export { createStorageClient, type StorageClient, type StorageClientOptions } from "./client";
export { StorageArgumentError, StorageError, UploadCancelledError } from "./errors";
export { type FetchLike } from "./http";
export { type PendingUpload } from "./journal";
export { type LogFields, type StorageLogger } from "./log";
export { type CallOptions, type CopyOptions, type ListOptions, type RemoveFolderOptions } from "./objects";
export { type UploadProgress } from "./progress";
export { redact, redactValue } from "@mobile-s3/contract";
export { DEFAULT_RETRY, type RetryOptions } from "./retry";
export { type ByteSource, type UploadSource } from "./source";
export { type KeyValueStore } from "./stores/key-value-store";
export { MemoryStore } from "./stores/memory-store";
export { type UploadOptions, type UploadResult, type UploadStatus, UploadTask } from "./upload";
export {
  type CdnSession,
  type Copied,
  type IndexedObject,
  type ListOrder,
  type ListSort,
  type ObjectListing,
  type ObjectPage,
  type ObjectRecord,
  type SignedUrl,
  type StoredObject,
  type Usage,
} from "./wire";
