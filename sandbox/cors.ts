import { type IncomingHttpHeaders } from "node:http";
import { type apiCorsConfiguration } from "../infra/api/cors";

export type CorsConfiguration = NonNullable<ReturnType<typeof apiCorsConfiguration>>;

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/**
 * What API Gateway adds for the API's CORS configuration (`infra/api/cors.ts`, from the stack's
 * `corsOrigins`): for an allowed `Origin`, the allow-origin header on every answer, and an answer
 * of its own to a preflight `OPTIONS`. Nothing for other origins, or when no origin is configured.
 */
export function corsHeaders(
  cors: CorsConfiguration | undefined,
  method: string,
  headers: IncomingHttpHeaders,
): { preflight: boolean; headers: Record<string, string> } {
  const origin = headers.origin;
  const preflight = method === "OPTIONS" && headers["access-control-request-method"] !== undefined;
  const origins = list(cors?.allowOrigins);
  if (origin === undefined || !(origins.includes(origin) || origins.includes("*"))) {
    return { preflight, headers: {} };
  }
  const allowOrigin = { "access-control-allow-origin": origin, vary: "origin" };
  if (!preflight) {
    return { preflight, headers: allowOrigin };
  }
  return {
    preflight,
    headers: {
      ...allowOrigin,
      "access-control-allow-methods": list(cors?.allowMethods).join(","),
      "access-control-allow-headers": list(cors?.allowHeaders).join(","),
      "access-control-max-age": String(cors?.maxAge ?? 0),
    },
  };
}
