import { type CDN_SESSION_ROUTES, type CdnSession, type CdnUrl } from "@mobile-s3/contract";
import { type ApiResponse, type AuthenticatedRequest, type HttpContext } from "../shared/api";
import { type Home, homeOf, userKey } from "../shared/keys";
import { type CdnSessionConfig } from "./config";

// The core: CloudFront signed cookies scoped to the caller's home, and signed URLs for one object
// in it (docs/API.md).

/** The three cookies CloudFront checks for a custom policy. */
export interface CdnCookies {
  "CloudFront-Policy": string;
  "CloudFront-Signature": string;
  "CloudFront-Key-Pair-Id": string;
}

/** Signs a CloudFront custom policy (JSON) with the distribution's private key. */
export interface CookieSigner {
  sign(policy: string): Promise<CdnCookies>;
}

/**
 * A CloudFront custom policy for every object under `pathPrefix` on `domainName` until
 * `expiresEpochSeconds`. Written out rather than built by the signer so its scope is visible here.
 */
export function cdnPolicy(domainName: string, pathPrefix: string, expiresEpochSeconds: number): string {
  return JSON.stringify({
    Statement: [{ Resource: `https://${domainName}${pathPrefix}*`, Condition: { DateLessThan: { "AWS:EpochTime": expiresEpochSeconds } } }],
  });
}

/**
 * The CloudFront URL of one object key: every segment percent-encoded as RFC 3986 requires (UTF-8,
 * everything but unreserved characters), including the `!'()*` that `encodeURIComponent` leaves
 * alone. A policy's Resource treats `*` and `?` as wildcards, so neither may appear unencoded in a
 * URL that must name exactly one object.
 */
export function cdnObjectUrl(domainName: string, key: string): string {
  const encoded = key
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join("/");
  return `https://${domainName}/${encoded}`;
}

/** What the cdn-session core needs besides its config. */
export interface CdnSessionDeps {
  signer: CookieSigner;
  /** Milliseconds since the epoch; tests may pin it. */
  now?: () => number;
}

export type CdnSessionContext = HttpContext<CdnSessionConfig, CdnSessionDeps>;

/** The cdn-session core: one of CDN_SESSION_ROUTES from a verified caller (the runtime has checked both). */
export async function handleCdnSessionRequest(request: AuthenticatedRequest, { config, deps }: CdnSessionContext): Promise<ApiResponse<CdnSession | CdnUrl>> {
  // homeOf admits only [A-Za-z0-9-] in the sub and tenant, so neither can smuggle a CloudFront
  // wildcard (* or ?) or a separator into the policy's resource.
  const home = homeOf(request.caller, config.tenantClaim);
  const expires = Math.floor((deps.now ?? Date.now)() / 1000) + config.sessionTtlSeconds;
  switch (request.routeKey as (typeof CDN_SESSION_ROUTES)[number]) {
    case "POST /v1/cdn-session":
      return session(home, expires, config, deps.signer);
    case "GET /v1/objects/cdn-url":
      return objectUrl(home, request.query.path, expires, config, deps.signer);
  }
}

/** POST /v1/cdn-session: cookies for every object under the home. */
async function session(home: Home, expires: number, config: CdnSessionConfig, signer: CookieSigner): Promise<ApiResponse<CdnSession>> {
  const path = `/${home.prefix}`;
  const cookies = await signer.sign(cdnPolicy(config.domainName, path, expires));
  // Short lifetimes: the cookies expire with the policy (CDN_SESSION_TTL_SECONDS).
  return {
    status: 200,
    body: { domain: config.domainName, path, cookies: { ...cookies }, expiresAt: new Date(expires * 1000).toISOString() },
  };
}

/**
 * GET /v1/objects/cdn-url: a URL signed with a custom policy whose Resource is exactly that object's
 * URL (no wildcard), expiring with the cookies' lifetime. The policy, signature and key pair id are
 * the ones a cookie would carry, in the query string instead ("Create a signed URL using a custom
 * policy"); their URL-safe base64 needs no further encoding.
 */
async function objectUrl(home: Home, path: string | undefined, expires: number, config: CdnSessionConfig, signer: CookieSigner): Promise<ApiResponse<CdnUrl>> {
  const resource = cdnObjectUrl(config.domainName, userKey(home, path ?? ""));
  const signed = await signer.sign(
    JSON.stringify({ Statement: [{ Resource: resource, Condition: { DateLessThan: { "AWS:EpochTime": expires } } }] }),
  );
  const query = `Policy=${signed["CloudFront-Policy"]}&Signature=${signed["CloudFront-Signature"]}&Key-Pair-Id=${signed["CloudFront-Key-Pair-Id"]}`;
  return { status: 200, body: { url: `${resource}?${query}`, expiresAt: new Date(expires * 1000).toISOString() } };
}
