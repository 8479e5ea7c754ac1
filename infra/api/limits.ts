import { isMediaType, LIMIT_BOUNDS, type LimitBounds } from "@mobile-s3/contract";

/** What the API checks before it signs anything; the stack config sets them, within `LIMIT_BOUNDS`. */
export interface ControlPlaneLimits {
  /** Lifetime of presigned URLs, seconds (bounds in `LIMIT_BOUNDS`). */
  presignTtlSeconds: number;
  /** Largest object a user may upload, bytes. */
  maxObjectBytes: number;
  /** Uploads up to this size get one presigned PUT; larger ones go multipart. */
  singlePutMaxBytes: number;
  /** Largest body the proxy route accepts, bytes. */
  proxyMaxBytes: number;
  /** Content types users may upload, e.g. `image/jpeg`. */
  allowedContentTypes: string[];
  /** Most part URLs signed in one request. */
  partUrlBatchMax: number;
  /** Lifetime of CloudFront signed cookies, seconds. */
  cdnSessionTtlSeconds: number;
}

/** Request rate the `$default` stage lets through before answering 429. */
export interface Throttling {
  /** Requests per second, sustained. */
  rateLimit: number;
  /** Requests allowed in a burst above the rate. */
  burstLimit: number;
}

export const DEFAULT_THROTTLING: Throttling = { rateLimit: 50, burstLimit: 100 };

function assertInteger(arg: string, value: number, bounds: Pick<LimitBounds, "min" | "max"> & { reason?: string }): void {
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    const why = bounds.reason ? ` (${bounds.reason})` : "";
    throw new Error(`[${arg}] must be an integer from ${bounds.min} to ${bounds.max}${why}, got ${value}`);
  }
}

/** Checks every limit against `LIMIT_BOUNDS` and against each other; errors name the argument. */
export function validateLimits(limits: ControlPlaneLimits): ControlPlaneLimits {
  for (const key of Object.keys(LIMIT_BOUNDS) as (keyof typeof LIMIT_BOUNDS)[]) {
    assertInteger(`limits.${key}`, limits[key], LIMIT_BOUNDS[key]);
  }
  if (limits.singlePutMaxBytes > limits.maxObjectBytes) {
    throw new Error(
      `[limits.singlePutMaxBytes] must not exceed limits.maxObjectBytes (${limits.maxObjectBytes}), got ${limits.singlePutMaxBytes}`,
    );
  }
  if (limits.proxyMaxBytes > limits.maxObjectBytes) {
    throw new Error(
      `[limits.proxyMaxBytes] must not exceed limits.maxObjectBytes (${limits.maxObjectBytes}), got ${limits.proxyMaxBytes}`,
    );
  }
  if (limits.allowedContentTypes.length === 0) {
    throw new Error("[limits.allowedContentTypes] must list at least one content type");
  }
  const seen = new Set<string>();
  for (const type of limits.allowedContentTypes) {
    if (!isMediaType(type)) {
      throw new Error(`[limits.allowedContentTypes] must hold lowercase "type/subtype" names without wildcards, got "${type}"`);
    }
    if (seen.has(type)) {
      throw new Error(`[limits.allowedContentTypes] lists "${type}" twice`);
    }
    seen.add(type);
  }
  return { ...limits, allowedContentTypes: [...limits.allowedContentTypes] };
}

/** API Gateway's account default is 10,000 requests per second; a stage may only ask for less. */
export function validateThrottling(throttling: Throttling): Throttling {
  assertInteger("throttling.rateLimit", throttling.rateLimit, { min: 1, max: 10_000 });
  assertInteger("throttling.burstLimit", throttling.burstLimit, { min: 1, max: 5_000 });
  return { ...throttling };
}
