import type * as aws from "@pulumi/aws";

type SecurityHeadersConfig = aws.types.input.cloudfront.ResponseHeadersPolicySecurityHeadersConfig;
type CorsConfig = aws.types.input.cloudfront.ResponseHeadersPolicyCorsConfig;

/** Two years, what the HSTS preload list recommends (it requires at least one). */
export const HSTS_MAX_AGE_SECONDS = 2 * 365 * 24 * 60 * 60;

/** How long a browser may reuse a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 600;

/** Methods of the read path; uploads never go through CloudFront. */
export const READ_METHODS = ["GET", "HEAD", "OPTIONS"];

/**
 * Headers a browser may read from a cross-origin response beyond the CORS-safelisted ones: `ETag`
 * for caching and optimistic concurrency (S3's CORS guidance), the range headers for
 * resumable downloads.
 */
export const EXPOSED_HEADERS = ["ETag", "Content-Range", "Accept-Ranges"];

/**
 * Request headers a preflight may approve. A preflight never carries cookies (Fetch standard), so
 * with signed cookies this distribution refuses it like any unsigned request: web apps reading with
 * cookies must keep requests "simple" (GET or HEAD with safelisted headers; a single `Range` is
 * safelisted, and conditional headers the browser adds from its own cache need no preflight). A
 * signed URL carries its signature in the query string, which a preflight does include.
 */
export const ALLOWED_REQUEST_HEADERS = ["Range"];

// An https origin with an optional port, or a native app's webview origin on localhost
// (capacitor://localhost, ionic://localhost, http://localhost:8100 while developing).
const HTTPS_ORIGIN = /^https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$/;
const LOCALHOST_ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/localhost(:\d{1,5})?$/;

/**
 * Security headers on every response (TLS only): HSTS for two years with subdomains and
 * preload, no MIME sniffing (a user's upload is served as the type it was stored with, never
 * guessed into HTML or script), no framing, and no full URL in the Referer of onward requests.
 * Each one overrides whatever the origin sent: the bucket holds user content, not our headers.
 */
export function securityHeaders(): SecurityHeadersConfig {
  return {
    strictTransportSecurity: {
      accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
      includeSubdomains: true,
      preload: true,
      override: true,
    },
    contentTypeOptions: { override: true },
    frameOptions: { frameOption: "DENY", override: true },
    referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
  };
}

/** Checks the origins a web app is served from; native apps need none. */
export function assertCorsOrigins(corsOrigins: string[]): void {
  const seen = new Set<string>();
  for (const origin of corsOrigins) {
    if (!HTTPS_ORIGIN.test(origin) && !LOCALHOST_ORIGIN.test(origin)) {
      throw new Error(
        `[corsOrigins] must list exact origins, "https://<host>[:port]" or "<scheme>://localhost[:port]", ` +
          `without a path or wildcard, got "${origin}"`,
      );
    }
    if (seen.has(origin)) {
      throw new Error(`[corsOrigins] lists "${origin}" twice`);
    }
    seen.add(origin);
  }
}

/**
 * CORS for web apps reading through the CDN, or `undefined` when no origin is listed (a native app
 * sends no `Origin`, so it needs no CORS at all). Credentials are allowed because the signed
 * cookies are credentials: a page must `fetch(url, { credentials: "include" })` for the browser to
 * send them, and browsers only accept that answer with an exact origin, never `*`, which is why
 * origins must be listed one by one.
 */
export function corsConfig(corsOrigins: string[]): CorsConfig | undefined {
  assertCorsOrigins(corsOrigins);
  if (corsOrigins.length === 0) {
    return undefined;
  }
  return {
    accessControlAllowOrigins: { items: [...corsOrigins] },
    accessControlAllowMethods: { items: [...READ_METHODS] },
    accessControlAllowHeaders: { items: [...ALLOWED_REQUEST_HEADERS] },
    accessControlExposeHeaders: { items: [...EXPOSED_HEADERS] },
    accessControlAllowCredentials: true,
    accessControlMaxAgeSec: CORS_MAX_AGE_SECONDS,
    // The bucket has no CORS rules for the CDN path; the edge is the one place they are decided.
    originOverride: true,
  };
}
