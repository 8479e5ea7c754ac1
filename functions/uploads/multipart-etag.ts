import { createHash } from "node:crypto";

const MD5_ETAG = /^"?([0-9a-f]{32})"?$/;

/**
 * S3's ETag of a completed multipart object, from its parts' ETags: the MD5 of their binary MD5s,
 * then `-<part count>`, quoted. Valid only when every part ETag is an MD5 (no SSE-KMS), which is
 * when engines that answer CompleteMultipartUpload without an ETag (Ceph) can be read this way;
 * undefined otherwise, and the caller reads the object's ETag back.
 */
export function multipartEtag(partEtags: readonly string[]): string | undefined {
  const digests = partEtags.map((etag) => MD5_ETAG.exec(etag)?.[1]);
  if (digests.length === 0 || digests.some((d) => d === undefined)) {
    return undefined;
  }
  const hash = createHash("md5");
  for (const digest of digests) {
    hash.update(Buffer.from(digest!, "hex"));
  }
  return `"${hash.digest("hex")}-${digests.length}"`;
}
