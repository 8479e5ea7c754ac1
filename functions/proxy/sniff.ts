/**
 * What the bytes of each content type the proxy accepts must look like. A declared type is
 * accepted only if its content passes the check here; a type without a check cannot be verified
 * and is refused, even when the allowlist names it (it can still be uploaded with a presigned URL,
 * where the scanner checks it after the fact).
 */
export type ContentCheck = (bytes: Uint8Array) => boolean;

const ascii = (bytes: Uint8Array, offset: number, text: string): boolean =>
  bytes.length >= offset + text.length && [...text].every((c, i) => bytes[offset + i] === c.charCodeAt(0));

const startsWith =
  (...prefix: number[]): ContentCheck =>
  (bytes) =>
    bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);

/**
 * ISO base media files (MP4, QuickTime, HEIF, AVIF) open with a `ftyp` box at offset 4 whose major
 * brand (offset 8) says which format the file is.
 */
const isoBrand =
  (...brands: string[]): ContentCheck =>
  (bytes) =>
    ascii(bytes, 4, "ftyp") && brands.some((brand) => ascii(bytes, 8, brand));

const UTF8 = new TextDecoder("utf-8", { fatal: true });
// Tab, line feed, form feed, carriage return: the only C0 controls text may hold.
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d]);

/** The bytes as text if they are UTF-8 without NUL or other C0 controls (which mark binary data). */
function utf8Text(bytes: Uint8Array): string | undefined {
  // UTF-8 never uses bytes below 0x20 inside a multi-byte character, so they can be checked raw.
  if (bytes.some((b) => b < 0x20 && !TEXT_CONTROLS.has(b))) {
    return undefined;
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

export const CONTENT_CHECKS: Readonly<Record<string, ContentCheck>> = {
  "image/jpeg": startsWith(0xff, 0xd8, 0xff),
  "image/png": startsWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
  "image/gif": (b) => ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a"),
  "image/webp": (b) => ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP"),
  "image/heic": isoBrand("heic", "heix", "heim", "heis", "mif1"),
  "image/heif": isoBrand("mif1", "heic", "heix", "heim", "heis"),
  "image/avif": isoBrand("avif", "avis"),
  "video/mp4": isoBrand("isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "mp71", "avc1", "M4V ", "dash", "mmp4"),
  "video/quicktime": isoBrand("qt  "),
  "application/pdf": (b) => ascii(b, 0, "%PDF-"),
  "text/plain": (b) => utf8Text(b) !== undefined,
  "application/json": (b) => {
    const text = utf8Text(b);
    if (text === undefined) {
      return false;
    }
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  },
};

export type SniffResult = "match" | "mismatch" | "unverifiable";

/** Whether `bytes` are what `contentType` (lowercase, without parameters) says they are. */
export function sniff(contentType: string, bytes: Uint8Array): SniffResult {
  if (!Object.hasOwn(CONTENT_CHECKS, contentType)) {
    return "unverifiable";
  }
  return CONTENT_CHECKS[contentType](bytes) ? "match" : "mismatch";
}
