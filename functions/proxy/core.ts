import { type ApiRequest, type ApiResponse, notImplemented, serveRoutes } from "../shared/api";
import { type Env, ENV, requireInteger, requireJson, requireStringList } from "../shared/environment";
import { isMediaType, LIMIT_BOUNDS } from "../shared/limits";

/** Small uploads inspected server-side, access pattern 4 (API.md). */
export const PROXY_ROUTES = ["POST /v1/proxy/objects"] as const;

export interface ProxyConfig {
  tenantRouting: object;
  proxyMaxBytes: number;
  allowedContentTypes: string[];
}

export function loadProxyConfig(env: Env): ProxyConfig {
  return {
    tenantRouting: requireJson(env, ENV.tenantRouting),
    proxyMaxBytes: requireInteger(env, ENV.proxyMaxBytes, LIMIT_BOUNDS.proxyMaxBytes),
    allowedContentTypes: requireStringList(env, ENV.allowedContentTypes, isMediaType),
  };
}

export function handleProxyRequest(request: ApiRequest, _config: ProxyConfig): ApiResponse {
  return serveRoutes(PROXY_ROUTES, request, (r) => notImplemented(r.routeKey));
}
