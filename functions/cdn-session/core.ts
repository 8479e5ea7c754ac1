import { type ApiRequest, type ApiResponse, notImplemented, serveRoutes } from "../shared/api";
import { type Env, ENV, requireInteger, requireJson, requireString } from "../shared/environment";
import { LIMIT_BOUNDS } from "../shared/limits";

/** CloudFront signed cookies scoped to the caller's home (API.md). */
export const CDN_SESSION_ROUTES = ["POST /v1/cdn-session"] as const;

export interface CdnSessionConfig {
  tenantRouting: object;
  /** Host name the cookies are issued for. */
  domainName: string;
  /** CloudFront public key id the cookies name. */
  keyPairId: string;
  /** Secrets Manager secret holding the matching private key (PEM); the key itself is never in the environment. */
  privateKeySecretArn: string;
  sessionTtlSeconds: number;
}

export function loadCdnSessionConfig(env: Env): CdnSessionConfig {
  return {
    tenantRouting: requireJson(env, ENV.tenantRouting),
    domainName: requireString(env, ENV.cdnDomainName),
    keyPairId: requireString(env, ENV.cdnKeyPairId),
    privateKeySecretArn: requireString(env, ENV.cdnPrivateKeySecretArn),
    sessionTtlSeconds: requireInteger(env, ENV.cdnSessionTtlSeconds, LIMIT_BOUNDS.cdnSessionTtlSeconds),
  };
}

export function handleCdnSessionRequest(request: ApiRequest, _config: CdnSessionConfig): ApiResponse {
  return serveRoutes(CDN_SESSION_ROUTES, request, (r) => notImplemented(r.routeKey));
}
