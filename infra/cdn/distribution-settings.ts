/**
 * AWS's managed "CachingOptimized" cache policy: long TTLs and a cache key of path plus normalised
 * `Accept-Encoding` only. No cookie, header or query string is part of the key or forwarded to the
 * origin, so the signed cookies are checked at the edge and never reach S3. Managed policy ids are
 * the same in every account; see "Use managed cache policies" in the CloudFront developer guide.
 */
export const CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6";

export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];

/** Edge locations in North America and Europe only: the cheapest class, enough for most apps. */
export const DEFAULT_PRICE_CLASS: PriceClass = "PriceClass_100";

export function assertPriceClass(priceClass: string): PriceClass {
  if (!(PRICE_CLASSES as readonly string[]).includes(priceClass)) {
    throw new Error(`[priceClass] must be one of ${PRICE_CLASSES.join(", ")}, got "${priceClass}"`);
  }
  return priceClass as PriceClass;
}

const REGIONAL_S3_DOMAIN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\.s3\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?$/;

/**
 * Checks the origin is a bucket's regional REST endpoint (`<bucket>.s3.<region>.amazonaws.com`,
 * the bucket's `bucketRegionalDomainName`). Origin Access Control signs requests for the REST API
 * only, so a website endpoint would never authenticate, and the global `<bucket>.s3.amazonaws.com`
 * name answers a new bucket with redirects that CloudFront passes on to viewers.
 */
export function assertS3RegionalDomainName(domainName: string): string {
  if (!REGIONAL_S3_DOMAIN.test(domainName)) {
    throw new Error(
      `[originDomainName] must be the bucket's regional domain name (<bucket>.s3.<region>.amazonaws.com, ` +
        `bucketRegionalDomainName), got "${domainName}"`,
    );
  }
  return domainName;
}
