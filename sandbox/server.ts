import { PROXY_ROUTES } from "@mobile-s3/contract";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";
import { internalError } from "../functions/shared/api";
import { toHttpResult } from "../functions/shared/http-api";
import { type HttpHandler } from "../functions/shared/runtime";
import { type CorsConfiguration, corsHeaders } from "./cors";
import { devRoute } from "./dev-routes";
import { toHttpApiEvent } from "./http-event";
import { type LocalIssuer } from "./issuer";
import { MalformedPathError, routeMatcher } from "./routes";
import { readBoundedBody } from "./read-body";

/** API Gateway's payload limit: a larger request never reaches a function. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A function's Lambda handler, as `defineHttpFunction` builds it. */
export type ApiHandler = HttpHandler;

export interface SandboxApi {
  issuer: LocalIssuer;
  cdnPublicKeyPem: string;
  /** Route key → the handler serving it. */
  routes: Record<string, ApiHandler>;
  cors?: CorsConfiguration;
  /** One line per request: method, path (never the query: it may carry a cursor), status. */
  onRequest?: (line: string) => void;
}

export interface SandboxServer {
  /** Listens on 127.0.0.1:`port` (any free port when undefined) and resolves with the port. */
  listen(port?: number): Promise<number>;
  /** From now on, requests are served by `api`; until then they are answered 503. */
  serve(api: SandboxApi): void;
  /** Stops listening and drops every open connection. */
  close(): Promise<void>;
}

/** A port the sandbox cannot listen on; the message says what to do. */
export class PortError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PortError";
  }
}

const BINARY_ROUTES: readonly string[] = PROXY_ROUTES;

const error = (code: string, message: string) => JSON.stringify({ error: { code, message } });

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  res.writeHead(status, body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

/**
 * The local stand-in for API Gateway: node:http on loopback turning each request into the payload
 * 2.0 event the deployed API would send its function, and the function's result into the answer.
 * The sandbox's own routes (`/dev/token`, the JWKS) are answered beside it.
 */
export function createSandboxServer(): SandboxServer {
  let api: SandboxApi | undefined;
  let match: ReturnType<typeof routeMatcher> = () => undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    const json = { "content-type": "application/json", "cache-control": "no-store" };
    if (api === undefined) {
      send(res, 503, json, error("Starting", "The sandbox is still starting: wait for its ready line."));
      return 503;
    }
    const cors = corsHeaders(api.cors, method, req.headers);
    if (cors.preflight) {
      send(res, 204, cors.headers);
      return 204;
    }
    const body = await readBoundedBody(req, MAX_BODY_BYTES);
    if (body === undefined) {
      send(res, 413, { ...json, ...cors.headers }, error("PayloadTooLarge", `Requests are limited to ${MAX_BODY_BYTES} bytes, as in API Gateway.`));
      return 413;
    }
    const dev = devRoute(api.issuer, api.cdnPublicKeyPem, method, url.pathname, body);
    if (dev !== undefined) {
      send(res, dev.status, { "content-type": dev.contentType, "cache-control": "no-store", ...cors.headers }, dev.body);
      return dev.status;
    }
    let route;
    try {
      route = match(method, url.pathname);
    } catch (err) {
      if (err instanceof MalformedPathError) {
        send(res, 400, { ...json, ...cors.headers }, error("MalformedPath", err.message));
        return 400;
      }
      throw err;
    }
    if (route === undefined) {
      send(res, 404, { ...json, ...cors.headers }, error("RouteNotFound", `No route ${method} ${url.pathname}; see docs/API.md for the routes.`));
      return 404;
    }
    const event = toHttpApiEvent(
      { method, url: req.url ?? "/", headers: req.headers, body, remoteAddress: req.socket.remoteAddress },
      route,
      BINARY_ROUTES.includes(route.routeKey),
    );
    const result = await api.routes[route.routeKey](event);
    send(res, result.statusCode, { ...result.headers, ...cors.headers }, result.body);
    return result.statusCode;
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    handle(req, res).then(
      (status) => api?.onRequest?.(`${req.method} ${(req.url ?? "/").split("?")[0]} → ${status} (${Date.now() - started} ms)`),
      () => {
        // docs/docs/API.md's bare 500: nothing about the cause reaches the caller.
        if (!res.headersSent) {
          const result = toHttpResult(internalError());
          send(res, result.statusCode, result.headers, result.body);
        } else {
          res.destroy();
        }
      },
    );
  });

  return {
    listen(port) {
      return new Promise((resolve, reject) => {
        server.once("error", (err: NodeJS.ErrnoException) => {
          reject(
            err.code === "EADDRINUSE"
              ? new PortError(`port ${port} on 127.0.0.1 is taken: choose another with --port, or leave --port out for a free one`, { cause: err })
              : err,
          );
        });
        server.listen({ host: "127.0.0.1", port: port ?? 0 }, () => resolve((server.address() as AddressInfo).port));
      });
    },
    serve(next) {
      api = next;
      match = routeMatcher(Object.keys(next.routes));
    },
    close() {
      return new Promise((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
