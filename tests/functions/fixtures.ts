import { type ApiRequest } from "../../functions/shared/api";
import { type HttpApiEvent } from "../../functions/shared/http-api";
import { type LogFields, type Logger } from "../../functions/shared/log";

/** API Gateway's JWT authorizer hands the function every claim as a string. */
export const CALLER = {
  sub: "5f2d1c3e-0000-4000-8000-000000000001",
  claims: { sub: "5f2d1c3e-0000-4000-8000-000000000001", "custom:tenant": "acme", token_use: "id", iat: "1764745200", exp: "1764748800" },
};

export function apiRequest(routeKey: string, overrides: Partial<ApiRequest> = {}): ApiRequest {
  return { routeKey, requestId: "req-1", caller: CALLER, pathParameters: {}, query: {}, headers: {}, bodyIsBase64: false, ...overrides };
}

/**
 * An HTTP API payload-2.0 event as API Gateway sends it after the JWT authorizer accepted the token;
 * `claims: null` leaves the authorizer context out.
 */
export function httpApiEvent(routeKey: string, claims: Record<string, unknown> | null = CALLER.claims): HttpApiEvent {
  const [method, path] = routeKey.split(" ");
  return {
    version: "2.0",
    routeKey,
    rawPath: path,
    headers: { authorization: "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "content-type": "application/json" },
    queryStringParameters: { path: "photos/cat.jpg" },
    isBase64Encoded: false,
    requestContext: {
      requestId: "req-1",
      http: { method, path },
      authorizer: claims ? { jwt: { claims, scopes: null } } : undefined,
    },
  };
}

/** A logger that keeps what it is given, for assertions. */
export function recordingLogger(): Logger & { lines: { level: string; message: string; fields: LogFields }[] } {
  const lines: { level: string; message: string; fields: LogFields }[] = [];
  const at = (level: string) => (message: string, fields: LogFields = {}) => lines.push({ level, message, fields });
  return { lines, debug: at("DEBUG"), info: at("INFO"), warn: at("WARN"), error: at("ERROR") };
}
