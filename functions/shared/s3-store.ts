import { s3Multipart } from "./s3-multipart";
import { s3Objects } from "./s3-objects";
import { s3Presigner } from "./s3-presign";
import { type S3ClientSource } from "./s3-sdk";
import { type ObjectStore } from "./store";


/**
 * The ObjectStore port over the AWS SDK v3, for S3 and for any S3 engine that speaks it: the
 * presigner adapter (s3-presign.ts), multipart uploads (s3-multipart.ts) and object operations
 * (s3-objects.ts) over one client. `source` may be built on first use (`lazyS3Client`): the SDK
 * then loads with the first call, not with the module. `now` is the clock presigned URLs are
 * signed with; tests pin it.
 */
export function s3Store(source: S3ClientSource, options: { now?: () => number } = {}): ObjectStore {
  return { ...s3Presigner(source, options), ...s3Multipart(source), ...s3Objects(source) };
}
