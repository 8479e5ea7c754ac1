import { CDN_SESSION_ROUTES, ConfigurationError, type Env, ENV, LIMIT_BOUNDS, requireInteger, requireString } from "@mobile-s3/contract";
import { createPrivateKey } from "node:crypto";
import { type ApiRequest, type ApiResponse, serveRoutes } from "../shared/api";
import { type TokenSettings } from "../shared/identity";
import { homeOf } from "../shared/keys";
import { readTenantClaim, readTokenSettings } from "../shared/settings";

/** CloudFront signed cookies scoped to the caller's home (API.md). */
export { CDN_SESSION_ROUTES };

/** Where the CloudFront private key comes from: Secrets Manager in AWS, the environment in the sandbox. */
export type PrivateKeySource = { secretArn: string } | { pem: string };

export interface CdnSessionConfig {
  /** Host name the cookies are issued for. */
  domainName: string;
  /** CloudFront public key id the cookies name. */
  keyPairId: string;
  privateKey: PrivateKeySource;
  sessionTtlSeconds: number;
  tenantClaim: string;
  /** Adapter only: verify bearer tokens here when no JWT authorizer ran (sandbox, tests). */
  token?: TokenSettings;
}

// A bare DNS name: CloudFront's own (dxxxx.cloudfront.net) or an alternate domain, no scheme or path.
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const KEY_PAIR_ID = /^K[A-Z0-9]{6,63}$/;

/**
 * Reads the settings. The deployed function names the Secrets Manager secret holding the key
 * (CDN_PRIVATE_KEY_SECRET_ARN), so the key never sits in the environment; the sandbox and tests may
 * give the PEM itself (CDN_PRIVATE_KEY_PEM), which then wins.
 */
export function loadCdnSessionConfig(env: Env): CdnSessionConfig {
  const domainName = requireString(env, ENV.cdnDomainName).trim();
  if (!HOST_NAME.test(domainName)) {
    throw new ConfigurationError(ENV.cdnDomainName, `must be a host name such as d111111abcdef8.cloudfront.net (no scheme or path), got "${domainName}"`);
  }
  const keyPairId = requireString(env, ENV.cdnKeyPairId).trim();
  if (!KEY_PAIR_ID.test(keyPairId)) {
    throw new ConfigurationError(ENV.cdnKeyPairId, `must be a CloudFront public key id such as K2JCJMDEHXQW5F, got "${keyPairId}"`);
  }
  const token = readTokenSettings(env);
  return {
    domainName,
    keyPairId,
    privateKey: readPrivateKeySource(env),
    sessionTtlSeconds: requireInteger(env, ENV.cdnSessionTtlSeconds, LIMIT_BOUNDS.cdnSessionTtlSeconds),
    tenantClaim: readTenantClaim(env),
    ...(token === undefined ? {} : { token }),
  };
}

function readPrivateKeySource(env: Env): PrivateKeySource {
  const pem = env[ENV.cdnPrivateKeyPem];
  if (pem === undefined || pem.trim() === "") {
    return { secretArn: requireString(env, ENV.cdnPrivateKeySecretArn).trim() };
  }
  assertPrivateKey(pem, ENV.cdnPrivateKeyPem);
  return { pem };
}

/** Throws a ConfigurationError naming `source` unless `pem` is an RSA private key (CloudFront keys are RSA). */
export function assertPrivateKey(pem: string, source: string): void {
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch (err) {
    throw new ConfigurationError(source, "must hold a PEM-encoded RSA private key", { cause: err });
  }
  if (type !== "rsa") {
    throw new ConfigurationError(source, `must hold an RSA private key (CloudFront signs with RSA), got ${type}`);
  }
}

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

export function handleCdnSessionRequest(
  request: ApiRequest,
  config: CdnSessionConfig,
  signer: CookieSigner,
  now: () => number = Date.now,
): Promise<ApiResponse> {
  return serveRoutes(CDN_SESSION_ROUTES, request, async (r) => {
    // homeOf admits only [A-Za-z0-9-] in the sub and tenant, so neither can smuggle a CloudFront
    // wildcard (* or ?) or a separator into the policy's resource.
    const home = homeOf(r.caller, config.tenantClaim);
    const path = `/${home.prefix}`;
    const expires = Math.floor(now() / 1000) + config.sessionTtlSeconds;
    const cookies = await signer.sign(cdnPolicy(config.domainName, path, expires));
    return {
      status: 200,
      body: { domain: config.domainName, path, cookies, expiresAt: new Date(expires * 1000).toISOString() },
    };
  });
}
