import { StorageArgumentError, StorageError, UploadCancelledError } from "../errors";

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/**
 * Any failure of a direct-mode operation as the core's `StorageError`: S3's (or Cognito's) code,
 * the HTTP status and the SDK's attempt count, and a message that names the operation and the
 * path. It is rebuilt from those fields only: an SDK error can hold the request, and so a URL or a
 * credential, so it is never attached or quoted whole (the message is redacted once more anyway).
 */
export function storageErrorOf(operation: string, err: unknown, service = "S3"): Error {
  if (err instanceof StorageArgumentError || err instanceof UploadCancelledError) {
    return err;
  }
  if (err instanceof StorageError) {
    return new StorageError(`${operation}: ${err.message}`, { status: err.status, code: err.code, attempts: err.attempts });
  }
  const e = (typeof err === "object" && err !== null ? err : {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const name = typeof e.name === "string" && e.name !== "Error" ? e.name : undefined;
  const code = [e.Code, name, e.code].find((c): c is string => typeof c === "string" && c !== "");
  const message = typeof e.message === "string" && !/:\/\//.test(e.message) && e.message !== code ? e.message : undefined;
  if (status !== undefined) {
    return new StorageError(`${operation}: ${service} answered ${status}${code ? ` ${code}` : ""}${message ? ` (${message})` : ""}`, { status, code, attempts });
  }
  // No answer: a network failure (ECONNRESET, TimeoutError…), or the SDK or lib-storage refusing the input.
  return new StorageError(`${operation}: ${code ?? "failed"}${message ? ` (${message})` : ""}`, { code, attempts });
}

/** The error's SDK name (`NotAuthorizedException`, `AccessDenied`…), if it has one. */
export function errorName(err: unknown): string | undefined {
  const name = (err as { name?: unknown } | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}
