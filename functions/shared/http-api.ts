import { type ApiRequest, type ApiResponse, errorResponse, internalError } from "./api";
import { ApiError } from "./errors";
import { bearerToken, callerFromClaims, type TokenVerifier } from "./identity";
import { errorName, type Logger } from "./log";

/** The parts of an API Gateway HTTP API event (payload format 2.0) the handlers read. */
export interface HttpApiEvent {
  version: string;
  routeKey: string;
  rawPath: string;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined>;
  pathParameters?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded: boolean;
  requestContext: {
    requestId: string;
    http: { method: string; path: string };
    authorizer?: { jwt?: { claims: Record<string, unknown>; scopes?: string[] | null } };
  };
}

/** An API Gateway HTTP API result (payload format 2.0). */
export interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body?: string;
}

function defined(record: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record ?? {})) {
    if (value !== undefined) {
      out[key] = value;
    }
  }
  return out;
}

/**
 * The event's headers with lowercase names (payload 2.0 has them so; anything else calling the
 * handler may not), without Authorization: the token is the adapter's to verify, and a core that
 * never holds it can never log it (No secrets in logs).
 */
export function requestHeaders(event: Pick<HttpApiEvent, "headers">): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(defined(event.headers))) {
    const name = key.toLowerCase();
    if (name !== "authorization") {
      out[name] = value;
    }
  }
  return out;
}

function authorizationOf(event: HttpApiEvent): string | undefined {
  return Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === "authorization")?.[1];
}

/**
 * The request a core sees. The caller comes from the claims API Gateway's JWT authorizer verified,
 * checked again as an ID token (`callerFromClaims` throws a 401 `ApiError` for an access token);
 * without claims there is no caller, and the handler verifies the bearer token itself.
 */
export function toApiRequest(event: HttpApiEvent): ApiRequest {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  return {
    routeKey: event.routeKey,
    requestId: event.requestContext.requestId,
    caller: claims && typeof sub === "string" && sub !== "" ? callerFromClaims(claims) : undefined,
    pathParameters: defined(event.pathParameters),
    query: defined(event.queryStringParameters),
    headers: requestHeaders(event),
    body: event.body,
    bodyIsBase64: event.isBase64Encoded,
  };
}

export function toHttpResult(response: ApiResponse): HttpApiResult {
  // Answers carry presigned URLs and cookies: no cache anywhere may keep them.
  const headers = { "cache-control": "no-store" };
  if (response.body === undefined) {
    return { statusCode: response.status, headers };
  }
  return {
    statusCode: response.status,
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify(response.body),
  };
}

/**
 * Wraps a core into a Lambda handler for the HTTP API. A failure is logged by name only (its
 * message may quote a URL; No secrets in logs) and answered with the API's bare 500.
 */
export function httpApiHandler(
  log: Logger,
  core: (request: ApiRequest) => ApiResponse | Promise<ApiResponse>,
  options: { verifier?: TokenVerifier } = {},
): (event: HttpApiEvent) => Promise<HttpApiResult> {
  return async (event) => {
    try {
      let request: ApiRequest;
      try {
        request = toApiRequest(event);
        // Behind API Gateway the authorizer has verified the token; elsewhere (sandbox, tests) verify it here.
        if (request.caller === undefined && options.verifier) {
          request = { ...request, caller: callerFromClaims(await options.verifier.verify(bearerToken(authorizationOf(event)))) };
        }
      } catch (err) {
        if (err instanceof ApiError) {
          return toHttpResult(errorResponse(err.status, err.code, err.message));
        }
        throw err;
      }
      return toHttpResult(await core(request));
    } catch (err) {
      log.error("request failed", {
        routeKey: event.routeKey,
        requestId: event.requestContext.requestId,
        error: errorName(err),
      });
      return toHttpResult(internalError());
    }
  };
}
