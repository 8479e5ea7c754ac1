import { ConfigurationError, type Env } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { type ApiRequest, type ApiResponse } from "../../functions/shared/api";
import { type HttpApiEvent } from "../../functions/shared/http-api";
import { type LogFields, type Logger } from "../../functions/shared/log";

/** API Gateway's JWT authorizer hands the function every claim as a string. */
export const CALLER = {
  sub: "5f2d1c3e-0000-4000-8000-000000000001",
  claims: { sub: "5f2d1c3e-0000-4000-8000-000000000001", "custom:tenant": "acme", token_use: "id", iat: "1764745200", exp: "1764748800" },
};

export function apiRequest(routeKey: string, overrides: Partial<ApiRequest> = {}): ApiRequest {
  return { routeKey, requestId: "req-1", caller: CALLER, pathParameters: {}, query: {}, bodyIsBase64: false, ...overrides };
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

export interface ApiCoreSpec<C> {
  /** The routes API.md gives this function, written out independently of the core's own list. */
  apiMdRoutes: string[];
  declaredRoutes: readonly string[];
  /** A complete, valid environment. */
  env: Record<string, string>;
  load(env: Env): C;
  handle(request: ApiRequest, config: C): ApiResponse;
}

/** The behaviour every API core shares while its routes answer 501. */
export function describeApiCore<C>(spec: ApiCoreSpec<C>): void {
  it("declares exactly the routes API.md gives it", () => {
    assert.deepEqual([...spec.declaredRoutes].sort(), [...spec.apiMdRoutes].sort());
  });

  for (const variable of Object.keys(spec.env)) {
    it(`refuses to start without ${variable}, naming it`, () => {
      const env = { ...spec.env };
      delete env[variable];
      assert.throws(
        () => spec.load(env),
        (err: unknown) => err instanceof ConfigurationError && err.variable === variable && err.message.includes(variable),
      );
    });
  }

  for (const routeKey of spec.apiMdRoutes) {
    it(`answers ${routeKey} with 501 NotImplemented in API.md's error shape`, () => {
      const response = spec.handle(apiRequest(routeKey), spec.load(spec.env));
      assert.equal(response.status, 501);
      const body = response.body as { error: { code: string; message: string } };
      assert.deepEqual(Object.keys(body), ["error"]);
      assert.equal(body.error.code, "NotImplemented");
      assert.match(body.error.message, new RegExp(routeKey.replace(/[{}]/g, "\\$&")));
    });
  }

  it("answers 401 to a request without verified claims", () => {
    const response = spec.handle(apiRequest(spec.apiMdRoutes[0], { caller: undefined }), spec.load(spec.env));
    assert.equal(response.status, 401);
    assert.equal((response.body as { error: { code: string } }).error.code, "Unauthorized");
  });

  it("answers 404 to a route it does not serve", () => {
    const response = spec.handle(apiRequest("GET /v1/elsewhere"), spec.load(spec.env));
    assert.equal(response.status, 404);
    assert.equal((response.body as { error: { code: string } }).error.code, "RouteNotFound");
  });
}
