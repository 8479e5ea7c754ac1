import { randomBytes } from "node:crypto";

/** A 1×1 PNG: small enough for one presigned PUT. */
export const PNG_1PX = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

/** A one-page PDF with nothing on it. */
export const PDF_BLANK = Buffer.from(
  [
    "%PDF-1.4",
    "1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj",
    "2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj",
    "3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj",
    "trailer <</Root 1 0 R>>",
    "%%EOF",
    "",
  ].join("\n"),
);

// An MP4 starts with its `ftyp` box; what follows does not matter to S3 or to the scanner.
const FTYP = Buffer.from("000000186674797069736f6d0000020069736f6d6d703431", "hex");

/** `size` bytes that start like an MP4 and continue at random: a video large enough for multipart. */
export function videoBytes(size: number): Buffer {
  const bytes = randomBytes(size);
  FTYP.copy(bytes, 0, 0, Math.min(FTYP.length, size));
  return bytes;
}
