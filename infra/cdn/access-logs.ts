/**
 * CloudFront is a global service whose vended log deliveries are configured in us-east-1, and a
 * CloudWatch Logs destination must be in the delivery's region, so the whole logging chain lives
 * there whatever region the stack deploys to.
 */
export const CLOUDFRONT_LOG_REGION = "us-east-1";

/** Retention periods CloudWatch Logs accepts, in days (0, "never expire", is left out on purpose). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * Access-log fields that can carry a credential (No secrets in logs): `cs(Cookie)` holds the
 * CloudFront signed cookies, `cs-uri-query` a signed URL's `Policy`/`Signature`/`Key-Pair-Id`, and
 * `cs(Referer)` the full URL, query included, of a page on the CDN that linked the request.
 */
export const CREDENTIAL_BEARING_FIELDS = ["cs(Cookie)", "cs-uri-query", "cs(Referer)"] as const;

/**
 * The fields delivered for each request (standard logging v2 names): who asked, for what, how it
 * was answered, from cache or origin, and how fast. Everything in `CREDENTIAL_BEARING_FIELDS` is
 * left out, so a leaked log never replays a session.
 */
export const ACCESS_LOG_FIELDS = [
  "timestamp(ms)",
  "c-ip",
  "c-port",
  "x-forwarded-for",
  "cs-protocol",
  "cs-protocol-version",
  "cs-method",
  "cs(Host)",
  "x-host-header",
  "cs-uri-stem",
  "cs-bytes",
  "cs(User-Agent)",
  "ssl-protocol",
  "ssl-cipher",
  "sc-status",
  "sc-bytes",
  "sc-content-type",
  "sc-content-len",
  "sc-range-start",
  "sc-range-end",
  "x-edge-location",
  "x-edge-request-id",
  "x-edge-result-type",
  "x-edge-response-result-type",
  "x-edge-detailed-result-type",
  "time-taken",
  "time-to-first-byte",
  "origin-fbl",
  "origin-lbl",
] as const;

/** Checks a log retention against what CloudWatch Logs accepts. */
export function assertLogRetentionDays(days: number): void {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new Error(`[logRetentionDays] must be one of ${LOG_RETENTION_DAYS.join(", ")}, got ${days}`);
  }
}
