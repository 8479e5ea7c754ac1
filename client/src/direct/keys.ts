import { StorageArgumentError } from "../errors";

/*
 * The key layout and the path rules of the control plane (infra/tenancy/keys.ts, infra/tenancy/
 * tenants.ts, functions/shared/keys.ts), written again here because this package is published on
 * its own and may not import the program. tests/client/direct/keys.test.ts holds the two copies
 * to the same answers, so direct mode and the presigned API keep addressing the same objects.
 */

/** `tenants/{tenant}/home/{home}/`: where one user's objects live, in every tier. */
export function homePrefix(tenant: string, home: string): string {
  return `tenants/${tenant}/home/${home}/`;
}

/** Tenant ids: 1–32 lowercase letters, digits or hyphens, not starting or ending with a hyphen. */
export const TENANT_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** A user-pool `sub` as the control plane accepts it (a UUID in Cognito). */
export const USER_SUB = /^[A-Za-z0-9-]{1,128}$/;
/** An identity pool's identity id, `<region>:<uuid>` (Cognito's own pattern, at most 55 characters). */
export const IDENTITY_ID = /^(?=.{1,55}$)[\w-]+:[0-9a-f-]+$/;

/** S3 limits: a key is at most 1,024 bytes of UTF-8; a path segment here at most 255 bytes. */
export const MAX_KEY_BYTES = 1024;
export const MAX_SEGMENT_BYTES = 255;
/** Segments the control plane keeps for itself inside a home (upload bindings). */
export const RESERVED_SEGMENTS = [".mobile-s3"];

// Characters that render as a slash, backslash or dot-leader but are not one, and that NFKC does not fold.
const LOOKALIKE_SEPARATORS = /[\u2044\u2215\u2216\u29F5\u29F8\u29F9\uFE68\uFF0F\uFF3C\u2024\u2025\u2026]/u;
// C0 and C1 controls, DEL, and the Unicode line and paragraph separators: matching them is the point.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/u;
const PERCENT_ENCODED = /%[0-9A-Fa-f]{2}/;

/**
 * `path` (an object's path relative to the home) checked the way the control plane checks it and
 * in the form it stores (NFC). IAM is the boundary in direct mode; this keeps a bad path from
 * costing a request and keeps both modes' keys the same.
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
  const key = `${prefix}${path}`;
  if (utf8Length(key) > MAX_KEY_BYTES) {
    throw new StorageArgumentError(`${operation}: [path] is too long: the full key must be at most ${MAX_KEY_BYTES} bytes of UTF-8`);
  }
  return key;
}

/** Whether a key in the home is the user's (not under a segment the control plane keeps). */
export function isVisible(relativePath: string): boolean {
  return !relativePath.split("/").some((segment) => RESERVED_SEGMENTS.includes(segment.toLowerCase()));
}

function checkSegments(value: unknown, operation: string, what: string, allowTrailingSlash: boolean): string {
  const fail = (rule: string) => new StorageArgumentError(`${operation}: [${what}] ${rule}`);
  if (typeof value !== "string") {
    throw fail("must be a string");
  }
  const nfc = value.normalize("NFC");
  if (CONTROL.test(nfc)) {
    throw fail("must not contain control characters");
  }
  if (nfc.includes("\\") || LOOKALIKE_SEPARATORS.test(nfc)) {
    throw fail('must use "/" as its only separator (no backslashes or look-alike slashes)');
  }
  if (PERCENT_ENCODED.test(nfc)) {
    throw fail("must be given decoded, without percent-encoding");
  }
  if (nfc.startsWith("/")) {
    throw fail('is relative to the home: remove the leading "/"');
  }
  // Compatibility forms (fullwidth dots, ligatures…) must not hide a separator or a dot segment.
  const folded = nfc.normalize("NFKC");
  if (folded.split("/").length !== nfc.split("/").length || folded.includes("\\")) {
    throw fail("contains a character that reads as a separator");
  }
  const dropTrailing = (segments: string[]) => (allowTrailingSlash && segments[segments.length - 1] === "" ? segments.slice(0, -1) : segments);
  for (const form of [nfc, folded]) {
    if (dropTrailing(form.split("/")).some((segment) => segment === "." || segment === "..")) {
      throw fail('must not contain "." or ".." segments');
    }
  }
  for (const segment of dropTrailing(nfc.split("/"))) {
    if (segment === "") {
      throw fail('must not contain empty segments ("//") or end with "/"');
    }
    if (utf8Length(segment) > MAX_SEGMENT_BYTES) {
      throw fail(`must have segments of at most ${MAX_SEGMENT_BYTES} bytes of UTF-8`);
    }
    if (RESERVED_SEGMENTS.includes(segment.toLowerCase())) {
      throw fail(`must not use "${segment}": it is reserved for the control plane`);
    }
  }
  return nfc;
}

/** UTF-8 length without TextEncoder (missing on older React Native engines). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
