import { StorageArgumentError } from "./errors";

/**
 * Bytes the client can read a range of, without holding the whole file: what a React Native file
 * module (`react-native-blob-util`, `expo-file-system`) or a web `File` gives. `slice` may return a
 * Blob (sent as is, never copied into memory) or bytes.
 */
export interface ByteSource {
  readonly size: number;
  slice(start: number, end: number): Promise<Uint8Array | Blob> | Uint8Array | Blob;
  /**
   * Identifies this content for resuming after the app restarts (e.g. the file's URI and modification
   * time). @default a sample hash of the first, middle and last 64 KiB and the size
   */
  readonly fingerprint?: string;
}

/** What `upload` accepts: bytes, an ArrayBuffer, a Blob / File, or a `ByteSource`. */
export type UploadSource = Uint8Array | ArrayBuffer | Blob | ByteSource;

export type Chunk = Uint8Array | Blob;

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== "undefined" && value instanceof Blob;
}

export function toByteSource(source: UploadSource): ByteSource {
  if (source instanceof Uint8Array) {
    return { size: source.byteLength, slice: (start, end) => source.subarray(start, end) };
  }
  if (source instanceof ArrayBuffer) {
    const bytes = new Uint8Array(source);
    return { size: bytes.byteLength, slice: (start, end) => bytes.subarray(start, end) };
  }
  if (isBlob(source)) {
    const file = source as Blob & { name?: string; lastModified?: number };
    return {
      size: file.size,
      slice: (start, end) => file.slice(start, end),
      ...(file.name !== undefined && file.lastModified !== undefined ? { fingerprint: `file:${file.name}:${file.lastModified}:${file.size}` } : {}),
    };
  }
  if (typeof source === "object" && source !== null && typeof (source as ByteSource).slice === "function" && Number.isSafeInteger((source as ByteSource).size)) {
    return source as ByteSource;
  }
  throw new StorageArgumentError("upload: the source must be a Uint8Array, an ArrayBuffer, a Blob or File, or a { size, slice(start, end) } byte source");
}

export async function bytesOf(chunk: Chunk): Promise<Uint8Array> {
  return chunk instanceof Uint8Array ? chunk : new Uint8Array(await chunk.arrayBuffer());
}

export function chunkSize(chunk: Chunk): number {
  return chunk instanceof Uint8Array ? chunk.byteLength : chunk.size;
}

const SAMPLE = 64 * 1024;

/**
 * A cheap content fingerprint: FNV-1a over the size and three 64 KiB samples. It tells a resumed
 * upload's file apart from a different file saved at the same path with the same size; it is not
 * a security check (S3 ETags and the optional SHA-256 are).
 */
export async function sampleFingerprint(source: ByteSource): Promise<string> {
  if (source.fingerprint !== undefined) {
    return source.fingerprint;
  }
  const middle = Math.max(0, Math.floor(source.size / 2) - SAMPLE / 2);
  const ranges: [number, number][] = [
    [0, Math.min(source.size, SAMPLE)],
    [middle, Math.min(source.size, middle + SAMPLE)],
    [Math.max(0, source.size - SAMPLE), source.size],
  ];
  let hash = fnv(0x811c9dc5, new TextEncoder().encode(String(source.size)));
  for (const [start, end] of ranges) {
    hash = fnv(hash, await bytesOf(await source.slice(start, end)));
  }
  return `fnv1a:${source.size}:${hash.toString(16).padStart(8, "0")}`;
}

function fnv(seed: number, bytes: Uint8Array): number {
  let hash = seed;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
