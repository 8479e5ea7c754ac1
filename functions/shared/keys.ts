import { homePrefix } from "../../infra/tenancy/keys";
import { TENANT_ID } from "../../infra/tenancy/tenants";
import { type Caller } from "./api";
import { badRequest, forbidden } from "./errors";

/** Where a signed-in user's objects live: `tenants/{tenant}/home/{sub}/`. */
export interface Home {
  tenant: string;
  sub: string;
  /** `tenants/{tenant}/home/{sub}/` */
  prefix: string;
}

/** S3 limits: a key is at most 1,024 bytes of UTF-8; a path segment here at most 255 bytes. */
export const MAX_KEY_BYTES = 1024;
export const MAX_SEGMENT_BYTES = 255;
/** Segments the control plane keeps for itself inside a home. */
export const RESERVED_SEGMENTS = [".mobile-s3"];
/** Where the uploads function records what it promised a home (functions/uploads/usage.ts). */
export const RESERVATIONS_DIR = `${RESERVED_SEGMENTS[0]}/reservations/`;

// Characters that render as a slash, backslash or dot-leader but are not one, and that NFKC does not fold.
const LOOKALIKE_SEPARATORS = /[\u2044\u2215\u2216\u29F5\u29F8\u29F9\uFE68\uFF0F\uFF3C\u2024\u2025\u2026]/u;
// C0 and C1 controls, DEL, and the Unicode line and paragraph separators: matching them is the point.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/u;
const PERCENT_ENCODED = /%[0-9A-Fa-f]{2}/;
// Half of a UTF-16 surrogate pair has no UTF-8 form: S3 cannot store it and URL escaping throws.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;
const SUB = /^[A-Za-z0-9-]{1,128}$/;

/** The caller's home, from verified claims only. Nothing the request body says can change it. */
export function homeOf(caller: Caller, tenantClaim: string): Home {
  const tenant = caller.claims[tenantClaim];
  if (typeof tenant !== "string" || tenant === "") {
    throw forbidden("NoTenant", `Your token carries no ${tenantClaim} claim; ask an administrator to assign you to a tenant.`);
  }
  if (!TENANT_ID.test(tenant)) {
    throw forbidden("InvalidTenant", `Your token's ${tenantClaim} claim is not a valid tenant id.`);
  }
  if (!SUB.test(caller.sub)) {
    throw forbidden("InvalidSubject", "Your token's sub claim is not a valid user id.");
  }
  return { tenant, sub: caller.sub, prefix: homePrefix(tenant, caller.sub) };
}

function checkSegments(path: string, what: string, allowTrailingSlash: boolean): string {
  if (typeof path !== "string") {
    throw badRequest("InvalidPath", `${what} must be a string.`);
  }
  if (LONE_SURROGATE.test(path)) {
    throw badRequest("InvalidPath", `${what} must be valid Unicode text (it holds half of a surrogate pair).`);
  }
  const nfc = path.normalize("NFC");
  if (CONTROL.test(nfc)) {
    throw badRequest("InvalidPath", `${what} must not contain control characters.`);
  }
  if (nfc.includes("\\") || LOOKALIKE_SEPARATORS.test(nfc)) {
    throw badRequest("InvalidPath", `${what} must use "/" as its only separator (no backslashes or look-alike slashes).`);
  }
  if (PERCENT_ENCODED.test(nfc)) {
    throw badRequest("InvalidPath", `${what} must be sent decoded, without percent-encoding.`);
  }
  if (nfc.startsWith("/")) {
    throw badRequest("InvalidPath", `${what} is relative to your home: remove the leading "/".`);
  }
  // Compatibility forms (fullwidth dots, ligatures…) must not hide a separator or a dot segment.
  const folded = nfc.normalize("NFKC");
  if (folded.split("/").length !== nfc.split("/").length || folded.includes("\\")) {
    throw badRequest("InvalidPath", `${what} contains a character that reads as a separator.`);
  }
  const segments = (allowTrailingSlash && nfc.endsWith("/") ? nfc.slice(0, -1) : nfc).split("/");
  for (const [i, raw] of [nfc.split("/"), folded.split("/")].entries()) {
    for (const segment of (allowTrailingSlash && raw[raw.length - 1] === "" ? raw.slice(0, -1) : raw)) {
      if (segment === "." || segment === "..") {
        throw badRequest("InvalidPath", `${what} must not contain "." or ".." segments${i === 1 ? " (in any character form)" : ""}.`);
      }
    }
  }
  for (const segment of segments) {
    if (segment === "") {
      throw badRequest("InvalidPath", `${what} must not contain empty segments ("//") or end with "/".`);
    }
    if (Buffer.byteLength(segment, "utf8") > MAX_SEGMENT_BYTES) {
      throw badRequest("PathTooLong", `Each part of ${what} must be at most ${MAX_SEGMENT_BYTES} bytes.`);
    }
    if (RESERVED_SEGMENTS.includes(segment.toLowerCase())) {
      throw badRequest("ReservedPath", `"${segment}" is reserved; choose another name.`);
    }
  }
  return nfc;
}

/**
 * The one way any handler turns a caller's relative path into an object key. It refuses anything
 * that could leave the home: traversal, absolute paths, backslashes, control characters,
 * percent-encoding, Unicode look-alike separators (after NFC and NFKC), overlong names and
 * reserved segments.
 */
export function userKey(home: Home, relativePath: string): string {
  if (relativePath === "" || relativePath === undefined) {
    throw badRequest("InvalidPath", "path is required: the object's path relative to your home, such as photos/cat.jpg.");
  }
  const path = checkSegments(relativePath, "path", false);
  const key = `${home.prefix}${path}`;
  if (Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES) {
    throw badRequest("PathTooLong", `path is too long: the full key must be at most ${MAX_KEY_BYTES} bytes.`);
  }
  return key;
}

/** A listing prefix under the home: "" (everything) or a path, optionally ending with "/". */
export function userPrefix(home: Home, relativePrefix: string | undefined): string {
  if (relativePrefix === undefined || relativePrefix === "") {
    return home.prefix;
  }
  return `${home.prefix}${checkSegments(relativePrefix, "prefix", true)}`;
}

/** The caller-facing path of a key in their home. */
export function relativePath(home: Home, key: string): string {
  if (!key.startsWith(home.prefix)) {
    throw new Error("key outside the caller's home");
  }
  return key.slice(home.prefix.length);
}
