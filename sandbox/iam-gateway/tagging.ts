/*
 * The tags S3 gives a new object where Ceph RGW 16 does not: a CopyObject's under the REPLACE
 * tagging directive ("CopyObject": the copy gets exactly x-amz-tagging, Ceph copies the source's),
 * and a CreateMultipartUpload's x-amz-tagging on the completed object ("CreateMultipartUpload":
 * Ceph stores none). The gateway applies them before it answers (gateway.ts). Pure: no I/O.
 */

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** A PutObjectTagging body of `tags`. */
export function taggingXml(tags: Record<string, string>): string {
  const set = Object.entries(tags)
    .map(([k, v]) => `<Tag><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></Tag>`)
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${set}</TagSet></Tagging>`;
}

/** The `<UploadId>` of an InitiateMultipartUploadResult. */
export function uploadIdOfXml(xml: string): string | undefined {
  return /<UploadId>([^<]+)<\/UploadId>/.exec(xml)?.[1];
}

/** Where an open upload's object will be, and the tags it gets on completion. */
export interface UploadTags {
  /** The bucket itself (not an access point's alias). */
  bucket: string;
  key: string;
  tags: Record<string, string>;
}

/** How many open uploads' tags are remembered, by default: more than a sandbox keeps open. */
export const MAX_REMEMBERED_UPLOADS = 10_000;

/**
 * The tags of open multipart uploads, by upload id, in memory and bounded: past `limit`, the
 * oldest is forgotten (and `onForget` told), so a completion then applies none.
 */
export class PendingUploadTags {
  private readonly uploads = new Map<string, UploadTags>();

  constructor(
    private readonly limit = MAX_REMEMBERED_UPLOADS,
    private readonly onForget: (uploadId: string, upload: UploadTags) => void = () => undefined,
  ) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new Error(`[limit] must be a whole number of uploads, at least 1; got ${limit}`);
    }
  }

  get size(): number {
    return this.uploads.size;
  }

  remember(uploadId: string, upload: UploadTags): void {
    this.uploads.delete(uploadId);
    this.uploads.set(uploadId, upload);
    while (this.uploads.size > this.limit) {
      const [oldest, forgotten] = this.uploads.entries().next().value as [string, UploadTags];
      this.uploads.delete(oldest);
      this.onForget(oldest, forgotten);
    }
  }

  /** The tags of `uploadId`, if it was created with tags for this bucket and key. */
  of(uploadId: string, bucket: string, key: string): Record<string, string> | undefined {
    const upload = this.uploads.get(uploadId);
    return upload !== undefined && upload.bucket === bucket && upload.key === key ? upload.tags : undefined;
  }

  forget(uploadId: string): void {
    this.uploads.delete(uploadId);
  }
}
