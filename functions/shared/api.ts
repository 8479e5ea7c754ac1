import { type ErrorBody } from "@mobile-s3/contract";
import { ApiError } from "./errors";

/**
 * The control-plane request and response as the cores see them (docs/API.md), free of any API
 * Gateway shape so the same cores can serve the local sandbox.
 */

/** The signed-in user, from claims the JWT authorizer has already verified. */
export interface Caller {
  /** The user-pool `sub`. */
  sub: string;
  claims: Readonly<Record<string, unknown>>;
}

export interface ApiRequest {
  /** `METHOD /path/{param}` as declared on the API, e.g. `POST /v1/uploads/{uploadId}/parts`. */
  routeKey: string;
  requestId: string;
  /** Absent when the request carries no verified claims. */
  caller?: Caller;
  pathParameters: Readonly<Record<string, string>>;
  query: Readonly<Record<string, string>>;
  /**
   * Request headers, names in lowercase, without Authorization (the adapter verifies the token; the
   * core never holds it). Never log them (No secrets in logs): read the one header a route needs by name.
   */
  headers: Readonly<Record<string, string>>;
  /** Raw body as received; `bodyIsBase64` says whether it is base64-encoded bytes. */
  body?: string;
  bodyIsBase64: boolean;
}

/** A request whose caller is verified: what a route's core is given. */
export type AuthenticatedRequest = ApiRequest & { caller: Caller };

/** What every core is given besides the request: its configuration and its dependencies. */
export interface HttpContext<C, D> {
  config: C;
  deps: D;
}

/** `B`: the answer's body type from @mobile-s3/contract (`ObjectPage`, `UploadPlan`, …). */
export interface ApiResponse<B = unknown> {
  status: number;
  /** Serialised as JSON; absent for 204. */
  body?: B;
}

/** The API's error shape: a machine-readable code and a sentence saying what to change. */
export function errorResponse(status: number, code: string, message: string): ApiResponse<ErrorBody> {
  return { status, body: { error: { code, message } } };
}

/** The API's bare 500: nothing about the cause reaches the caller. */
export function internalError(): ApiResponse<ErrorBody> {
  return errorResponse(500, "InternalError", "The request failed. Try again later.");
}

/**
 * Answers the routes a function serves: an unknown route is a 404, a request without verified
 * claims a 401 (the API's JWT authorizer should make that impossible; this holds if a route is ever
 * deployed without it), anything else goes to `serve`.
 */
export async function serveRoutes<B>(
  routes: readonly string[],
  request: ApiRequest,
  serve: (request: AuthenticatedRequest) => ApiResponse<B> | Promise<ApiResponse<B>>,
): Promise<ApiResponse<B | ErrorBody>> {
  if (!routes.includes(request.routeKey)) {
    return errorResponse(404, "RouteNotFound", `This function does not serve ${request.routeKey}.`);
  }
  if (request.caller === undefined) {
    return errorResponse(401, "Unauthorized", "Send Authorization: Bearer <token> with a token from the user pool.");
  }
  try {
    return await serve({ ...request, caller: request.caller });
  } catch (err) {
    // A mistake the caller can fix is answered; anything else propagates to the bare 500.
    if (err instanceof ApiError) {
      return errorResponse(err.status, err.code, err.message);
    }
    throw err;
  }
}

/** Parses a JSON request body, or answers 400. */
export function jsonBody(request: ApiRequest): Record<string, unknown> {
  if (request.body === undefined || request.body === "") {
    throw new ApiError(400, "MissingBody", "Send a JSON body.");
  }
  const text = request.bodyIsBase64 ? Buffer.from(request.body, "base64").toString("utf8") : request.body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "InvalidJson", "The body is not valid JSON.");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ApiError(400, "InvalidJson", "The body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}
