import * as assert from "node:assert/strict";
import { errorResponse } from "../../../functions/shared/api";
import { httpApiHandler, toApiRequest, toHttpResult } from "../../../functions/shared/http-api";
import { LocalIssuer } from "../../../sandbox/issuer";
import { CALLER, httpApiEvent, recordingLogger } from "../fixtures";

const answer = async (result: Promise<{ statusCode: number; body?: string }>) => {
  const { statusCode, body } = await result;
  return { status: statusCode, code: (JSON.parse(body ?? "{}") as { error?: { code?: string } }).error?.code };
};

describe("functions/shared/http-api (adapter)", () => {
  it("takes the caller from the claims the JWT authorizer verified, and nothing from the token itself", () => {
    const request = toApiRequest(httpApiEvent("GET /v1/objects"));
    assert.deepEqual(request.caller, CALLER);
    assert.equal(request.routeKey, "GET /v1/objects");
    assert.deepEqual(request.query, { path: "photos/cat.jpg" });
    assert.ok(!JSON.stringify(request).includes("Bearer"), "the request the core sees holds no JWT");
  });

  it("passes the headers through with lowercase names, all but Authorization (the adapter's to verify)", () => {
    const event = { ...httpApiEvent("POST /v1/proxy/objects"), headers: { Authorization: "Bearer a.b.c", "Content-Type": "image/png", "x-trace": "t1" } };
    assert.deepEqual(toApiRequest(event).headers, { "content-type": "image/png", "x-trace": "t1" });
  });

  it("has no caller when the claims are missing or carry no sub", () => {
    assert.equal(toApiRequest(httpApiEvent("GET /v1/objects", null)).caller, undefined);
    assert.equal(toApiRequest(httpApiEvent("GET /v1/objects", { "custom:tenant": "acme" })).caller, undefined);
    assert.equal(toApiRequest(httpApiEvent("GET /v1/objects", { sub: "" })).caller, undefined);
  });

  it("answers JSON that no cache may keep, and a bodiless 204", () => {
    assert.deepEqual(toHttpResult(errorResponse(400, "BadPath", "Send a path.")), {
      statusCode: 400,
      headers: { "cache-control": "no-store", "content-type": "application/json" },
      body: '{"error":{"code":"BadPath","message":"Send a path."}}',
    });
    assert.deepEqual(toHttpResult({ status: 204 }), { statusCode: 204, headers: { "cache-control": "no-store" } });
  });

  it("turns a failure into a bare 500 and logs the error's name only, never its message", async () => {
    const log = recordingLogger();
    const handler = httpApiHandler(log, () => {
      throw new TypeError("https://bucket.s3.amazonaws.com/k?X-Amz-Signature=abc");
    });
    const result = await handler(httpApiEvent("POST /v1/uploads"));
    assert.equal(result.statusCode, 500);
    assert.deepEqual(JSON.parse(result.body!), { error: { code: "InternalError", message: "The request failed. Try again later." } });
    assert.deepEqual(log.lines, [
      { level: "ERROR", message: "request failed", fields: { routeKey: "POST /v1/uploads", requestId: "req-1", error: "TypeError" } },
    ]);
  });

  it("passes the core's answer through", async () => {
    const handler = httpApiHandler(recordingLogger(), async (request) => ({ status: 200, body: { route: request.routeKey, sub: request.caller?.sub } }));
    const result = await handler(httpApiEvent("GET /v1/objects"));
    assert.equal(result.statusCode, 200);
    assert.deepEqual(JSON.parse(result.body!), { route: "GET /v1/objects", sub: CALLER.sub });
  });

  describe("only ID tokens, with an expiry, on every path (red-team: access tokens and tokens without exp were admitted)", () => {
    const core = async () => ({ status: 200, body: {} });

    for (const [what, claims, code] of [
      // API Gateway's JWT authorizer matches client_id as well as aud, so it admits Cognito access tokens.
      ["an access token the authorizer admitted", { ...CALLER.claims, token_use: "access" }, "WrongTokenUse"],
      ["claims without token_use", { ...CALLER.claims, token_use: undefined }, "WrongTokenUse"],
      ["claims without exp", { ...CALLER.claims, exp: undefined }, "InvalidToken"],
      ["claims without iat", { ...CALLER.claims, iat: undefined }, "InvalidToken"],
    ] as const) {
      it(`behind API Gateway: refuses ${what} with 401 ${code}`, async () => {
        const handler = httpApiHandler(recordingLogger(), core);
        const defined = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
        assert.deepEqual(await answer(handler(httpApiEvent("GET /v1/objects", defined))), { status: 401, code });
      });
    }

    const issuer = new LocalIssuer("https://issuer.sandbox.invalid", "app-client");
    const bearer = (payload: Record<string, unknown>) => {
      const event = httpApiEvent("GET /v1/objects", null);
      return { ...event, headers: { ...event.headers, authorization: `Bearer ${issuer.sign(payload)}` } };
    };
    const without = (...names: string[]) => {
      const payload = issuer.claims({ sub: "u1", tenant: "acme" });
      for (const name of names) {
        delete payload[name];
      }
      return payload;
    };

    for (const [what, payload, code] of [
      ["a signed token without exp", without("exp"), "InvalidToken"],
      ["a signed token without iat", without("iat"), "InvalidToken"],
      ["a signed token without token_use", without("token_use"), "WrongTokenUse"],
      ["a signed access token", { ...without(), token_use: "access" }, "WrongTokenUse"],
    ] as const) {
      it(`verifying the bearer itself (sandbox): refuses ${what} with 401 ${code}`, async () => {
        const handler = httpApiHandler(recordingLogger(), core, { verifier: issuer.verifier() });
        assert.deepEqual(await answer(handler(bearer(payload))), { status: 401, code });
      });
    }

    it("still admits a complete ID token", async () => {
      const handler = httpApiHandler(recordingLogger(), core, { verifier: issuer.verifier() });
      assert.deepEqual(await answer(handler(bearer(without()))), { status: 200, code: undefined });
    });
  });
});
