import { type IntegerBounds } from "./environment";

export interface LimitBounds extends IntegerBounds {
  /** Why the bound is where it is; error messages quote it. */
  reason: string;
}

/**
 * The ranges every request limit must fall in. The program checks its arguments against them
 * before anything is deployed and the functions check their environment against them when they
 * start, so a limit can never be widened in one place only.
 */
export const LIMIT_BOUNDS = {
  presignTtlSeconds: { min: 1, max: 900, reason: "presigned URLs live at most 15 minutes (Short lifetimes, docs/ARCHITECTURE.md)" },
  maxObjectBytes: { min: 1, max: 5 * 1024 ** 4, reason: "S3 stores objects of at most 5 TiB" },
  singlePutMaxBytes: { min: 1, max: 5 * 1024 ** 3, reason: "S3 accepts at most 5 GiB in one PUT" },
  proxyMaxBytes: {
    min: 1,
    max: 4 * 1024 ** 2,
    reason: "the body reaches Lambda base64-encoded inside a request of at most 6 MB",
  },
  partUrlBatchMax: { min: 1, max: 100, reason: "one answer must stay small enough to sign and send quickly" },
  cdnSessionTtlSeconds: {
    min: 60,
    max: 43_200,
    reason: "CloudFront signed cookies live minutes to hours (Short lifetimes, docs/ARCHITECTURE.md)",
  },
} as const satisfies Record<string, LimitBounds>;

// type "/" subtype, lowercase, RFC 6838 restricted-name characters; no parameters, no wildcards.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** A concrete, lowercase media type such as `image/jpeg` (no `*`, no `; charset=`). */
export function isMediaType(value: string): boolean {
  return MEDIA_TYPE.test(value);
}
