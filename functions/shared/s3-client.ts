import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { S3_CLIENT_DEFAULTS } from "./s3-sdk";

/**
 * An S3 client built now, with the functions' settings, for code that wants one at hand: the
 * sandbox, the tests, the benchmarks. No handler imports this module: importing it loads the SDK,
 * and the functions load it on their first S3 call instead (`lazyS3Client`).
 */
export function s3Client(config: S3ClientConfig = {}): S3Client {
  return new S3Client({ ...S3_CLIENT_DEFAULTS, ...config });
}
