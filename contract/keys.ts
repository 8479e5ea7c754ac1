/**
 * Object keys, the same in every tier: `tenants/{tenant}/home/{home}/…`. The control plane, the IAM
 * policies, the sandbox and the client all build keys here, so the direct (STS) path and the
 * presigned path address the same objects.
 */
export const TENANTS_ROOT = "tenants/";

export function tenantPrefix(tenant: string): string {
  return `${TENANTS_ROOT}${tenant}/`;
}

export function homePrefix(tenant: string, home: string): string {
  return `${tenantPrefix(tenant)}home/${home}/`;
}

/** S3 limits: a key is at most 1,024 bytes of UTF-8; a path segment here at most 255 bytes. */
export const MAX_KEY_BYTES = 1024;
export const MAX_SEGMENT_BYTES = 255;
/** Segments the control plane keeps for itself inside a home. */
export const RESERVED_SEGMENTS = [".mobile-s3"];
/** Where the uploads function records what it promised a home (functions/uploads/usage.ts). */
export const RESERVATIONS_DIR = `${RESERVED_SEGMENTS[0]}/reservations/`;

/** Policy variables AWS resolves per request from the caller's STS session. */
export const TENANT_VARIABLE = "${aws:PrincipalTag/tenant}";
export const HOME_VARIABLES = {
  /** The user-pool `sub`, carried into the session as the `home` principal tag. */
  userSub: "${aws:PrincipalTag/home}",
  /** The identity pool's identity id (`cognito-identity.amazonaws.com:sub`). */
  identityId: "${cognito-identity.amazonaws.com:sub}",
} as const;

/** Whether a path in the home is the user's (not under a segment the control plane keeps). */
export function isVisible(relativePath: string): boolean {
  return !relativePath.split("/").some((segment) => RESERVED_SEGMENTS.includes(segment.toLowerCase()));
}

/** Why a path was refused: the API's error code and the rule, a phrase following the field's name. */
export interface PathProblem {
  code: "InvalidPath" | "PathTooLong" | "ReservedPath";
  rule: string;
}

// Characters that render as a slash, backslash or dot-leader but are not one, and that NFKC does not fold.
const LOOKALIKE_SEPARATORS = /[\u2044\u2215\u2216\u29F5\u29F8\u29F9\uFE68\uFF0F\uFF3C\u2024\u2025\u2026]/u;
// C0 and C1 controls, DEL, and the Unicode line and paragraph separators: matching them is the point.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/u;
const PERCENT_ENCODED = /%[0-9A-Fa-f]{2}/;
// Half of a UTF-16 surrogate pair has no UTF-8 form: S3 cannot store it and URL escaping throws.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/**
 * The path rules of every mode (the API's handlers and the client's direct mode): `value` (a path
 * relative to a home, or with `allowTrailingSlash` a listing prefix) in the form it is stored (NFC),
 * or the rule it breaks. Refused: non-strings, lone surrogates, control characters, backslashes and
 * look-alike separators (after NFC and NFKC), percent-encoding, a leading "/", "." and ".."
 * segments in any character form, empty segments, segments over 255 bytes and reserved segments.
 */
export function checkPathSegments(value: unknown, allowTrailingSlash: boolean): { path: string } | { problem: PathProblem } {
  const invalid = (rule: string) => ({ problem: { code: "InvalidPath" as const, rule } });
  if (typeof value !== "string") {
    return invalid("must be a string");
  }
  if (LONE_SURROGATE.test(value)) {
    return invalid("must be valid Unicode text (it holds half of a surrogate pair)");
  }
  const nfc = value.normalize("NFC");
  if (CONTROL.test(nfc)) {
    return invalid("must not contain control characters");
  }
  if (nfc.includes("\\") || LOOKALIKE_SEPARATORS.test(nfc)) {
    return invalid('must use "/" as its only separator (no backslashes or look-alike slashes)');
  }
  if (PERCENT_ENCODED.test(nfc)) {
    return invalid("must be sent decoded, without percent-encoding");
  }
  if (nfc.startsWith("/")) {
    return invalid('is relative to your home: remove the leading "/"');
  }
  // Compatibility forms (fullwidth dots, ligatures…) must not hide a separator or a dot segment.
  const folded = nfc.normalize("NFKC");
  if (folded.split("/").length !== nfc.split("/").length || folded.includes("\\")) {
    return invalid("contains a character that reads as a separator");
  }
  const dropTrailing = (segments: string[]) => (allowTrailingSlash && segments[segments.length - 1] === "" ? segments.slice(0, -1) : segments);
  for (const [i, form] of [nfc, folded].entries()) {
    if (dropTrailing(form.split("/")).some((segment) => segment === "." || segment === "..")) {
      return invalid(`must not contain "." or ".." segments${i === 1 ? " (in any character form)" : ""}`);
    }
  }
  for (const segment of dropTrailing(nfc.split("/"))) {
    if (segment === "") {
      return invalid('must not contain empty segments ("//") or end with "/"');
    }
    if (utf8Length(segment) > MAX_SEGMENT_BYTES) {
      return { problem: { code: "PathTooLong", rule: `must have segments of at most ${MAX_SEGMENT_BYTES} bytes of UTF-8` } };
    }
    if (RESERVED_SEGMENTS.includes(segment.toLowerCase())) {
      return { problem: { code: "ReservedPath", rule: `must not use "${segment}": it is reserved for the control plane` } };
    }
  }
  return { path: nfc };
}

/** `prefix + path`, or undefined when it is longer than S3's 1,024 bytes of UTF-8. */
export function keyWithin(prefix: string, path: string): string | undefined {
  const key = `${prefix}${path}`;
  return utf8Length(key) > MAX_KEY_BYTES ? undefined : key;
}

/** UTF-8 length without TextEncoder or Buffer (missing on older React Native engines). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
