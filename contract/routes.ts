/**
 * The HTTP API's routes, by the function serving each (docs/API.md). The program declares exactly
 * these on API Gateway, the functions answer exactly these, and the sandbox routes them the same way.
 */
export const UPLOADS_ROUTES = [
  "POST /v1/uploads",
  "POST /v1/uploads/{uploadId}/parts",
  "GET /v1/uploads/{uploadId}/parts",
  "POST /v1/uploads/{uploadId}/complete",
  "DELETE /v1/uploads/{uploadId}",
] as const;
export const OBJECTS_ROUTES = [
  "GET /v1/objects",
  "GET /v1/objects/meta",
  "GET /v1/objects/url",
  "DELETE /v1/objects",
  "POST /v1/objects/copy",
  "POST /v1/objects/move",
  "GET /v1/usage",
] as const;
export const CDN_SESSION_ROUTES = ["POST /v1/cdn-session", "GET /v1/objects/cdn-url"] as const;
export const PROXY_ROUTES = ["POST /v1/proxy/objects"] as const;
export const ADMIN_ROUTES = ["POST /v1/admin/users/{sub}/revoke"] as const;

/** Functions behind the HTTP API, one folder each under `functions/`. */
export const API_FUNCTIONS = ["uploads", "objects", "cdn-session", "proxy", "admin"] as const;
export type ApiFunctionName = (typeof API_FUNCTIONS)[number];

/**
 * Every function the control plane deploys: the API's, and the two EventBridge invokes: the scanner,
 * and the indexer (S3's object events, scan verdicts and the scheduled reconciliation).
 */
export const FUNCTION_NAMES = [...API_FUNCTIONS, "scan", "indexer"] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The routes each API function serves. */
export const ROUTES: Readonly<Record<ApiFunctionName, readonly string[]>> = {
  uploads: UPLOADS_ROUTES,
  objects: OBJECTS_ROUTES,
  "cdn-session": CDN_SESSION_ROUTES,
  proxy: PROXY_ROUTES,
  admin: ADMIN_ROUTES,
};

export type RouteKey = (typeof UPLOADS_ROUTES | typeof OBJECTS_ROUTES | typeof CDN_SESSION_ROUTES | typeof PROXY_ROUTES | typeof ADMIN_ROUTES)[number];

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE) (\/[A-Za-z0-9._~{}/-]*)$/;

export interface ParsedRoute {
  method: string;
  /** Path template, e.g. `/v1/uploads/{uploadId}/parts`. */
  path: string;
}

export function parseRouteKey(routeKey: string): ParsedRoute {
  const match = ROUTE_KEY.exec(routeKey);
  if (!match) {
    throw new Error(`route key "${routeKey}" must be "<METHOD> /<path>"`);
  }
  return { method: match[1], path: match[2] };
}
