import { extensionsFor } from "@mobile-s3/contract";

/** The file the printed curl example uploads: a type the stack allows, real content of that type. */
export interface ExampleFile {
  /** Relative to the caller's home. */
  path: string;
  contentType: string;
  bytes: Buffer;
}

/** Small real files, in the order the example prefers them. */
const SAMPLES: { contentType: string; name: string; bytes: Buffer }[] = [
  {
    contentType: "image/png",
    name: "photos/dot.png",
    // One transparent pixel.
    bytes: Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64"),
  },
  { contentType: "text/plain", name: "notes/hello.txt", bytes: Buffer.from("hello from the sandbox\n") },
  { contentType: "application/json", name: "notes/hello.json", bytes: Buffer.from('{"hello":"sandbox"}\n') },
  { contentType: "text/csv", name: "notes/hello.csv", bytes: Buffer.from("greeting,from\nhello,sandbox\n") },
];

/**
 * The first sample the stack's allowlist takes; failing that, a few bytes under the first allowed
 * type (presigned uploads are not sniffed, so the example still works, only the file is not real).
 */
export function exampleFile(allowedContentTypes: readonly string[]): ExampleFile {
  const sample = SAMPLES.find((s) => allowedContentTypes.includes(s.contentType));
  if (sample !== undefined) {
    return { path: sample.name, contentType: sample.contentType, bytes: sample.bytes };
  }
  const contentType = allowedContentTypes[0];
  const extension = extensionsFor(contentType)?.[0] ?? "bin";
  return { path: `files/example.${extension}`, contentType, bytes: Buffer.from("not really a file of this type\n") };
}

/**
 * A POSIX `printf` format that writes exactly `bytes`: printable ASCII as it is, every other byte
 * (and `%`, `\`, `'`) as a three-digit octal escape, for pasting inside single quotes in any shell.
 */
export function printfFormat(bytes: Buffer): string {
  return Array.from(bytes, (b) =>
    b >= 0x20 && b <= 0x7e && b !== 0x25 && b !== 0x5c && b !== 0x27 ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, "0")}`,
  ).join("");
}
