import { type ApiRequest, type ApiResponse, notImplemented, serveRoutes } from "../shared/api";
import { type Env, ENV, requireInteger, requireJson } from "../shared/environment";
import { LIMIT_BOUNDS } from "../shared/limits";

/** Listing, presigned reads and deletes of the caller's objects (API.md). */
export const OBJECTS_ROUTES = ["GET /v1/objects", "GET /v1/objects/url", "DELETE /v1/objects"] as const;

export interface ObjectsConfig {
  tenantRouting: object;
  presignTtlSeconds: number;
}

export function loadObjectsConfig(env: Env): ObjectsConfig {
  return {
    tenantRouting: requireJson(env, ENV.tenantRouting),
    presignTtlSeconds: requireInteger(env, ENV.presignTtlSeconds, LIMIT_BOUNDS.presignTtlSeconds),
  };
}

export function handleObjectsRequest(request: ApiRequest, _config: ObjectsConfig): ApiResponse {
  return serveRoutes(OBJECTS_ROUTES, request, (r) => notImplemented(r.routeKey));
}
