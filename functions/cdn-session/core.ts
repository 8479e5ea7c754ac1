import { type CdnSession } from "@mobile-s3/contract";
import { type ApiResponse, type AuthenticatedRequest, type HttpContext } from "../shared/api";
import { homeOf } from "../shared/keys";
import { type CdnSessionConfig } from "./config";

// The core: CloudFront signed cookies scoped to the caller's home (docs/API.md).

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

/** What the cdn-session core needs besides its config. */
export interface CdnSessionDeps {
  signer: CookieSigner;
  /** Milliseconds since the epoch; tests may pin it. */
  now?: () => number;
}

export type CdnSessionContext = HttpContext<CdnSessionConfig, CdnSessionDeps>;

/** The cdn-session core: POST /v1/cdn-session from a verified caller (the runtime has checked both). */
export async function handleCdnSessionRequest(request: AuthenticatedRequest, { config, deps }: CdnSessionContext): Promise<ApiResponse<CdnSession>> {
  // homeOf admits only [A-Za-z0-9-] in the sub and tenant, so neither can smuggle a CloudFront
  // wildcard (* or ?) or a separator into the policy's resource.
  const home = homeOf(request.caller, config.tenantClaim);
  const path = `/${home.prefix}`;
  const expires = Math.floor((deps.now ?? Date.now)() / 1000) + config.sessionTtlSeconds;
  const cookies = await deps.signer.sign(cdnPolicy(config.domainName, path, expires));
  // Short lifetimes: the cookies expire with the policy (CDN_SESSION_TTL_SECONDS).
  return {
    status: 200,
    body: { domain: config.domainName, path, cookies: { ...cookies }, expiresAt: new Date(expires * 1000).toISOString() },
  };
}
