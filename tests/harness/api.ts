import { createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import { type HttpApiEvent, type HttpApiResult } from "../../functions/shared/http-api";
import { createTokenVerifier, type TokenVerifier } from "../../functions/shared/identity";

/**
 * A local token issuer for the functions' tests (and the sandbox later): an RSA key, its JWKS, and
 * ID tokens shaped like Cognito's, signed RS256. Tokens can be forged, expired or addressed to
 * another audience on purpose.
 */
export class TestIssuer {
  readonly issuer = "https://issuer.test.invalid/pool";
  readonly audience = "test-app-client";
  private readonly key = generateKeyPairSync("rsa", { modulusLength: 2048 });
  private readonly kid = randomUUID();

  get jwks(): { keys: object[] } {
    const jwk = this.key.publicKey.export({ format: "jwk" });
    return { keys: [{ ...jwk, kid: this.kid, alg: "RS256", use: "sig" }] };
  }

  verifier(): TokenVerifier {
    return createTokenVerifier({ issuer: this.issuer, audience: this.audience, jwks: this.jwks });
  }

  /** An ID token for `sub` in `tenant`, valid for an hour unless `overrides` say otherwise. */
  token(claims: { sub: string; tenant?: string } & Record<string, unknown>, overrides: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const { tenant, ...rest } = claims;
    const payload = {
      iss: this.issuer,
      aud: this.audience,
      token_use: "id",
      iat: now,
      exp: now + 3600,
      ...(tenant === undefined ? {} : { "custom:tenant": tenant }),
      ...rest,
      ...overrides,
    };
    return this.sign(payload);
  }

  /** Signs any payload with this issuer's key (tests use it for tokens that must be refused). */
  sign(payload: object, header: object = {}): string {
    const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const head = encode({ alg: "RS256", typ: "JWT", kid: this.kid, ...header });
    const body = encode(payload);
    const signature = createSign("RSA-SHA256").update(`${head}.${body}`).sign(this.key.privateKey).toString("base64url");
    return `${head}.${body}.${signature}`;
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
