import * as assert from "node:assert/strict";
import { errorResponse } from "../../../functions/shared/api";
import { httpApiHandler, toApiRequest, toHttpResult } from "../../../functions/shared/http-api";
import { CALLER, httpApiEvent, recordingLogger } from "../fixtures";

describe("functions/shared/http-api (adapter)", () => {
  it("takes the caller from the claims the JWT authorizer verified, and nothing from the token itself", () => {
    const request = toApiRequest(httpApiEvent("GET /v1/objects"));
    assert.deepEqual(request.caller, CALLER);
    assert.equal(request.routeKey, "GET /v1/objects");
    assert.deepEqual(request.query, { path: "photos/cat.jpg" });
    assert.ok(!JSON.stringify(request).includes("Bearer"), "the request the core sees holds no JWT");
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
});
