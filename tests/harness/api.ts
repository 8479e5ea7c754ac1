import { randomUUID } from "node:crypto";
import { type HttpApiEvent, type HttpApiResult } from "../../functions/shared/http-api";
import { LocalIssuer } from "../../sandbox/issuer";

/**
 * The sandbox's token issuer (`sandbox/issuer.ts`) under a fixed test issuer and audience: ID tokens
 * shaped like Cognito's, signed RS256, which tests can also forge, expire or misaddress on purpose.
 */
export class TestIssuer extends LocalIssuer {
  constructor() {
    super("https://issuer.test.invalid/pool", "test-app-client");
  }
}

export interface InvokeRequest {
  routeKey: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  /** Objects are sent as JSON; strings and bytes as they are. */
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

/** Builds the API Gateway HTTP API event (payload 2.0) a request would arrive as, without an authorizer. */
export function httpEvent(req: InvokeRequest): HttpApiEvent {
  const [method, path] = req.routeKey.split(" ");
  const isBytes = req.body instanceof Uint8Array;
  const body =
    req.body === undefined ? undefined : isBytes ? Buffer.from(req.body as Uint8Array).toString("base64") : typeof req.body === "string" ? req.body : JSON.stringify(req.body);
  return {
    version: "2.0",
    routeKey: req.routeKey,
    rawPath: path,
    headers: { ...(req.token ? { authorization: `Bearer ${req.token}` } : {}), ...req.headers },
    queryStringParameters: req.query,
    pathParameters: req.pathParameters,
    body,
    isBase64Encoded: isBytes,
    requestContext: { requestId: randomUUID(), http: { method, path } },
  };
}

/** Calls a handler as API Gateway would and returns status and parsed JSON body. */
export async function invoke(
  handler: (event: HttpApiEvent) => Promise<HttpApiResult>,
  req: InvokeRequest,
): Promise<{ status: number; body: Record<string, unknown> | undefined; headers: Record<string, string> }> {
  const result = await handler(httpEvent(req));
  return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : undefined, headers: result.headers };
}
