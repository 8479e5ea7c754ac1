import { type ApiRequest, type ApiResponse, notImplemented, serveRoutes } from "../shared/api";
import { type Env, ENV, requireInteger, requireJson, requireStringList } from "../shared/environment";
import { isMediaType, LIMIT_BOUNDS } from "../shared/limits";

/** Presigned single and multipart uploads (API.md). */
export const UPLOADS_ROUTES = [
  "POST /v1/uploads",
  "POST /v1/uploads/{uploadId}/parts",
  "GET /v1/uploads/{uploadId}/parts",
  "POST /v1/uploads/{uploadId}/complete",
  "DELETE /v1/uploads/{uploadId}",
] as const;

export interface UploadsConfig {
  tenantRouting: object;
  presignTtlSeconds: number;
  maxObjectBytes: number;
  singlePutMaxBytes: number;
  allowedContentTypes: string[];
  partUrlBatchMax: number;
}

export function loadUploadsConfig(env: Env): UploadsConfig {
  return {
    tenantRouting: requireJson(env, ENV.tenantRouting),
    presignTtlSeconds: requireInteger(env, ENV.presignTtlSeconds, LIMIT_BOUNDS.presignTtlSeconds),
    maxObjectBytes: requireInteger(env, ENV.maxObjectBytes, LIMIT_BOUNDS.maxObjectBytes),
    singlePutMaxBytes: requireInteger(env, ENV.singlePutMaxBytes, LIMIT_BOUNDS.singlePutMaxBytes),
    allowedContentTypes: requireStringList(env, ENV.allowedContentTypes, isMediaType),
    partUrlBatchMax: requireInteger(env, ENV.partUrlBatchMax, LIMIT_BOUNDS.partUrlBatchMax),
  };
}

export function handleUploadsRequest(request: ApiRequest, _config: UploadsConfig): ApiResponse {
  return serveRoutes(UPLOADS_ROUTES, request, (r) => notImplemented(r.routeKey));
}
