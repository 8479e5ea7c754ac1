import type * as aws from "@pulumi/aws";
import { assertCorsOrigins } from "../cdn/response-headers";

type ApiCorsConfiguration = aws.types.input.apigatewayv2.ApiCorsConfiguration;

/** Request headers a browser may send: the bearer token and the JSON (or proxied) body's type. */
export const CORS_ALLOWED_HEADERS = ["authorization", "content-type"];
/** Every method API.md uses (API Gateway answers preflight OPTIONS itself). */
export const CORS_ALLOWED_METHODS = ["GET", "POST", "DELETE"];
/** How long a browser may reuse a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 600;

/**
 * CORS for web apps calling the API, or `undefined` when no origin is listed (native apps send no
 * `Origin`). The bearer token travels in a header the page sets itself, not as a browser
 * credential, so credentials stay disallowed.
 */
export function apiCorsConfiguration(corsOrigins: string[]): ApiCorsConfiguration | undefined {
  assertCorsOrigins(corsOrigins);
  if (corsOrigins.length === 0) {
    return undefined;
  }
  return {
    allowOrigins: [...corsOrigins],
    allowHeaders: CORS_ALLOWED_HEADERS,
    allowMethods: CORS_ALLOWED_METHODS,
    allowCredentials: false,
    maxAge: CORS_MAX_AGE_SECONDS,
  };
}
