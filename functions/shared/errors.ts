/**
 * A mistake the caller can fix: answered with its status and docs/API.md's
 * `{"error":{"code","message"}}`. Anything else a core throws becomes the bare 500.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ApiError";
  }
}

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);
export const forbidden = (code: string, message: string) => new ApiError(403, code, message);
export const notFound = (code: string, message: string) => new ApiError(404, code, message);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const tooLarge = (code: string, message: string) => new ApiError(413, code, message);
export const unsupportedType = (code: string, message: string) => new ApiError(415, code, message);
