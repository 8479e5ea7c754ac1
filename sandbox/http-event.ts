import { randomUUID } from "node:crypto";
import { type IncomingHttpHeaders } from "node:http";
import { type HttpApiEvent } from "../functions/shared/http-api";
import { type RouteMatch } from "./routes";

/** A request as node:http received it, body read. */
export interface LocalRequest {
  method: string;
  /** Path and query as sent, e.g. `/v1/objects?prefix=photos%2F`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  remoteAddress?: string;
}

/** What API Gateway puts in a payload 2.0 event beyond what the handlers read. */
export type LocalHttpApiEvent = HttpApiEvent & {
  rawQueryString: string;
  cookies?: string[];
  requestContext: HttpApiEvent["requestContext"] & {
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
  };
};

/** Header names lowercased, repeated headers joined with commas, as payload 2.0 has them. */
function eventHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && name !== "cookie") {
      out[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
    }
  }
  return out;
}

/** Query parameters decoded; a repeated one joined with commas, as payload 2.0 has them. */
function queryParameters(search: URLSearchParams): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [key, value] of search) {
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * The API Gateway HTTP API event (payload format 2.0) a request would arrive as behind the
 * deployed API, without the JWT authorizer's claims (the handlers verify the token themselves).
 * `binaryBody`: the body as base64, as API Gateway passes a binary body (the proxy's); otherwise
 * as UTF-8 text (the JSON routes).
 */
export function toHttpApiEvent(request: LocalRequest, route: RouteMatch, binaryBody: boolean, now: Date = new Date()): LocalHttpApiEvent {
  const url = new URL(request.url, "http://sandbox.invalid");
  const cookies = request.headers.cookie?.split(";").map((c) => c.trim()).filter((c) => c !== "");
  const body = request.body.byteLength === 0 ? undefined : request.body.toString(binaryBody ? "base64" : "utf8");
  return {
    version: "2.0",
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers: eventHeaders(request.headers),
    queryStringParameters: queryParameters(url.searchParams),
    pathParameters: Object.keys(route.pathParameters).length === 0 ? undefined : route.pathParameters,
    body,
    isBase64Encoded: body !== undefined && binaryBody,
    requestContext: {
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      http: {
        method: request.method,
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: request.remoteAddress ?? "127.0.0.1",
        userAgent: request.headers["user-agent"] ?? "",
      },
    },
  };
}
