import { StorageArgumentError } from "./errors";

/** SHA-256 of some bytes; React Native apps without `crypto.subtle` pass one (e.g. from react-native-quick-crypto). */
export type Sha256 = (bytes: Uint8Array) => Promise<Uint8Array>;

/** The platform's SHA-256 (browsers, Node 20+, Hermes with a WebCrypto polyfill), or undefined. */
export function platformSha256(): Sha256 | undefined {
  const subtle = (globalThis as { crypto?: { subtle?: { digest(algorithm: string, data: Uint8Array): Promise<ArrayBuffer> } } }).crypto?.subtle;
  if (subtle === undefined) {
    return undefined;
  }
  return async (bytes) => new Uint8Array(await subtle.digest("SHA-256", bytes));
}

/** The base64 SHA-256 digest S3's `x-amz-checksum-sha256` and docs/API.md's `checksumSHA256` expect. */
export async function sha256Base64(bytes: Uint8Array, sha256: Sha256 | undefined): Promise<string> {
  if (sha256 === undefined) {
    throw new StorageArgumentError("upload: checksum needs SHA-256; this platform has no crypto.subtle, so pass createStorageClient({ sha256 })");
  }
  return base64(await sha256(bytes));
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 with padding; `btoa` and `Buffer` are not everywhere the client runs. */
export function base64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i], bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63] + (b === undefined ? "=" : ALPHABET[(n >> 6) & 63]) + (c === undefined ? "=" : ALPHABET[n & 63]);
  }
  return out;
}
