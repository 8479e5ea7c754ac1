import { checkPathSegments, keyWithin, MAX_KEY_BYTES } from "@mobile-s3/contract";
import { StorageArgumentError } from "../errors";

/*
 * Direct mode checks paths with the contract's rules (the ones the API applies), so a bad path
 * costs no request and both modes address the same keys. IAM is the boundary in direct mode.
 */

/**
 * `path` (an object's path relative to the home) checked the way the control plane checks it and
 * in the form it stores (NFC).
 */
export function checkPath(path: unknown, operation: string): string {
  if (path === "" || path === undefined) {
    throw new StorageArgumentError(`${operation}: [path] is required: the object's path relative to the home, such as photos/cat.jpg`);
  }
  return checkSegments(path, operation, "path", false);
}

/** A listing prefix under the home: "" (everything) or a path, optionally ending with "/". */
export function checkPrefix(prefix: unknown, operation: string): string {
  return prefix === undefined || prefix === "" ? "" : checkSegments(prefix, operation, "prefix", true);
}

/** `prefix + path` when it fits S3's key length. */
export function keyOf(prefix: string, path: string, operation: string): string {
  const key = keyWithin(prefix, path);
  if (key === undefined) {
    throw new StorageArgumentError(`${operation}: [path] is too long: the full key must be at most ${MAX_KEY_BYTES} bytes of UTF-8`);
  }
  return key;
}

function checkSegments(value: unknown, operation: string, what: string, allowTrailingSlash: boolean): string {
  const checked = checkPathSegments(value, allowTrailingSlash);
  if ("problem" in checked) {
    throw new StorageArgumentError(`${operation}: [${what}] ${checked.problem.rule}`);
  }
  return checked.path;
}
