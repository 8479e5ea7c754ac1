import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from "node:zlib";

/**
 * What S3 serves an object as: the bytes stored, with the `Content-Encoding` it was uploaded with.
 * S3 accepts that header unsigned on a presigned PUT (only `x-amz-*` headers must be signed), and a
 * browser decodes `gzip`, `deflate` and `br` before the page sees the body: EICAR compressed with
 * brotli is harmless-looking bytes to a scanner reading the raw object, and malware to the reader.
 * So the scanner scans what a reader would receive: the bytes decoded in the order the header lists
 * the encodings (RFC 9110, 8.4), each step bounded so a decompression bomb cannot exhaust memory.
 * Any other coding (zstd, compress, a made-up one) is refused: the object is left unscannable.
 */
export type Decoded = { bytes: Uint8Array; encodings: string[] } | { unscannable: string };

/** Codings a browser (or an HTTP client library) decodes on its own. */
const DECODERS: Record<string, (input: Uint8Array, maxOutputLength: number) => Buffer> = {
  gzip: (input, maxOutputLength) => gunzipSync(input, { maxOutputLength }),
  "x-gzip": (input, maxOutputLength) => gunzipSync(input, { maxOutputLength }),
  // HTTP's "deflate" is zlib-wrapped (RFC 9110, 8.4.1.2); some servers send raw deflate, and browsers accept both.
  deflate: (input, maxOutputLength) => {
    try {
      return inflateSync(input, { maxOutputLength });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
        throw err;
      }
      return inflateRawSync(input, { maxOutputLength });
    }
  },
  br: (input, maxOutputLength) => brotliDecompressSync(input, { maxOutputLength }),
};

/** Codings that change nothing. */
const IDENTITY = new Set(["", "identity"]);

/**
 * The bytes a reader receives for an object stored with `contentEncoding`, at most `maxBytes` of
 * them; or why they cannot be known (an unknown or malformed coding, or more than `maxBytes`).
 */
export function decodeForScan(bytes: Uint8Array, contentEncoding: string | undefined, maxBytes: number): Decoded {
  const codings = (contentEncoding ?? "")
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => !IDENTITY.has(c));
  let body = bytes;
  // The last coding listed was applied last: undo it first.
  for (const coding of [...codings].reverse()) {
    const decode = DECODERS[coding];
    if (decode === undefined) {
      return { unscannable: `Content-Encoding "${coding}" is not one the scanner can decode (gzip, deflate, br)` };
    }
    try {
      body = decode(body, maxBytes);
    } catch (err) {
      return {
        unscannable:
          (err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE"
            ? `decoding Content-Encoding ${coding} gives more than the scanner's limit of ${maxBytes} bytes`
            : `the object is not valid ${coding} data, as its Content-Encoding says`,
      };
    }
  }
  return { bytes: body, encodings: codings };
}
