import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { failure, type S3Failure } from "./sigv4";

/**
 * The integrity checks S3 makes on an object's bytes and Ceph 16 (Pacific) does not: the
 * `x-amz-checksum-*` header or trailer of PutObject and UploadPart (400 BadDigest on mismatch,
 * "Checking object integrity in Amazon S3") and Content-MD5 (400 BadDigest too).
 */

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32c(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c = CRC32C_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

const be32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b.toString("base64");
};

const ALGORITHMS: Record<string, (data: Buffer) => string> = {
  crc32: (d) => be32(crc32(d)),
  crc32c: (d) => be32(crc32c(d)),
  sha1: (d) => createHash("sha1").update(d).digest("base64"),
  sha256: (d) => createHash("sha256").update(d).digest("base64"),
};

/** The checksums a request states, from its headers and (aws-chunked) trailers: algorithm → base64 value. */
export function statedChecksums(headers: Record<string, string | string[] | undefined>, trailers: Record<string, string> = {}): Record<string, string> {
  const stated: Record<string, string> = {};
  for (const [name, value] of [...Object.entries(headers), ...Object.entries(trailers)]) {
    const m = /^x-amz-checksum-([a-z0-9]+)$/.exec(name);
    if (m && m[1] !== "type" && m[1] !== "mode" && typeof value === "string") {
      stated[m[1]] = value;
    }
  }
  return stated;
}

/** Verifies every stated checksum and Content-MD5 against `body`. */
export function checkChecksums(body: Buffer, stated: Record<string, string>, contentMd5: string | undefined): S3Failure | undefined {
  for (const [algorithm, value] of Object.entries(stated)) {
    const compute = ALGORITHMS[algorithm];
    if (compute === undefined) {
      // CRC64NVME among others: refused rather than passed unchecked.
      return failure(400, "InvalidRequest", `The gateway cannot verify x-amz-checksum-${algorithm}`);
    }
    if (compute(body) !== value) {
      return failure(400, "BadDigest", `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
    }
  }
  if (contentMd5 !== undefined) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(contentMd5)) {
      return failure(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
    }
    if (createHash("md5").update(body).digest("base64") !== contentMd5) {
      return failure(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
    }
  }
  return undefined;
}
