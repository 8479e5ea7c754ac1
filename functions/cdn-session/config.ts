import { ConfigurationError, type Env, ENV, LIMIT_BOUNDS, requireInteger, requireString } from "@mobile-s3/contract";
import { createPrivateKey } from "node:crypto";
import { readTenantClaim } from "../shared/settings";

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
  return {
    domainName,
    keyPairId,
    privateKey: readPrivateKeySource(env),
    sessionTtlSeconds: requireInteger(env, ENV.cdnSessionTtlSeconds, LIMIT_BOUNDS.cdnSessionTtlSeconds),
    tenantClaim: readTenantClaim(env),
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

