import { redact } from "@mobile-s3/contract";

export interface StorageErrorDetails {
  /** HTTP status of the answer that failed the operation, when there was one. */
  status?: number;
  /** docs/API.md's `error.code` (e.g. `QuotaExceeded`), S3's `<Code>`, or one of this client's own codes. */
  code?: string;
  /** Attempts made, retries included. */
  attempts?: number;
}

/**
 * An operation failed for good: the server refused it, or the retry budget ran out. The message
 * names the operation and the path, never a URL, token or cookie (it is redacted once more here in
 * case a server echoed one); no raw cause is attached, since a fetch error can hold the request.
 */
export class StorageError extends Error {
  readonly status?: number;
  readonly code?: string;
  readonly attempts?: number;

  constructor(message: string, details: StorageErrorDetails = {}) {
    super(redact(message));
    this.name = "StorageError";
    this.status = details.status;
    this.code = details.code;
    this.attempts = details.attempts;
  }
}

/** The upload was cancelled (`cancel()` or its `signal`); its multipart upload was aborted. */
export class UploadCancelledError extends Error {
  constructor(path: string) {
    super(`the upload of ${path} was cancelled`);
    this.name = "UploadCancelledError";
  }
}

/** An argument the client cannot work with; the message says which and what to pass. */
export class StorageArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StorageArgumentError";
  }
}
