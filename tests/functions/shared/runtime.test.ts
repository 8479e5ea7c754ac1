import { ConfigurationError } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { badRequest } from "../../../functions/shared/errors";
import { defineHttpFunction } from "../../../functions/shared/runtime";
import { type ObjectStore } from "../../../functions/shared/store";
import { LocalIssuer } from "../../../sandbox/issuer";
import { CALLER, httpApiEvent, recordingLogger } from "../fixtures";

const store = {} as ObjectStore;

/** A function that answers with what it was given: its config, its deps and the request's headers. */
const echo = defineHttpFunction({
  name: "objects",
  routes: ["GET /v1/echo"],
  loadConfig: (env) => ({ greeting: env.GREETING ?? "hello" }),
  deps: ({ store: given, log }, ports: { suffix?: string }) => ({ given, log, suffix: ports.suffix ?? "" }),
  handle: async (request, { config, deps }) => {
    if (request.query.fail === "caller") {
      throw badRequest("Refused", "Told to refuse.");
    }
    if (request.query.fail === "bug") {
      throw new Error("a message that may quote a URL");
    }
    deps.log.info("echo", { sub: request.caller.sub });
    return { status: 200, body: { greeting: `${config.greeting}${deps.suffix}`, sub: request.caller.sub, headers: request.headers, sameStore: deps.given === store } };
  },
});

const call = async (handler: ReturnType<typeof echo.createHandler>, event: ReturnType<typeof httpApiEvent>) => {
  const result = await handler(event);
  return { status: result.statusCode, body: JSON.parse(result.body ?? "null") as Record<string, unknown> & { error?: { code: string } } };
};

describe("functions/shared/runtime (defineHttpFunction)", () => {
  it("gives the core its config, its deps built from the runtime's parts and ports, and the headers without Authorization", async () => {
    const handler = echo.createHandler({ GREETING: "hi" }, { store, log: recordingLogger(), suffix: "!" });
    const event = { ...httpApiEvent("GET /v1/echo"), headers: { authorization: "Bearer a.b.c", "X-Trace": "t1" } };
    assert.deepEqual(await call(handler, event), { status: 200, body: { greeting: "hi!", sub: CALLER.sub, headers: { "x-trace": "t1" }, sameStore: true } });
  });

  it("answers 404 to another route and 401 without a caller, before the core", async () => {
    const handler = echo.createHandler({}, { store, log: recordingLogger() });
    assert.equal((await call(handler, httpApiEvent("GET /v1/elsewhere"))).body.error?.code, "RouteNotFound");
    assert.equal((await call(handler, httpApiEvent("GET /v1/echo", null))).body.error?.code, "Unauthorized");
  });

  it("answers an ApiError with its status, anything else with the bare 500 logged by name only", async () => {
    const log = recordingLogger();
    const handler = echo.createHandler({}, { store, log });
    const refused = { ...httpApiEvent("GET /v1/echo"), queryStringParameters: { fail: "caller" } };
    assert.deepEqual(await call(handler, refused), { status: 400, body: { error: { code: "Refused", message: "Told to refuse." } } });
    const failed = { ...httpApiEvent("GET /v1/echo"), queryStringParameters: { fail: "bug" } };
    assert.equal((await call(handler, failed)).status, 500);
    assert.deepEqual(log.lines, [{ level: "ERROR", message: "request failed", fields: { routeKey: "GET /v1/echo", requestId: "req-1", error: "Error" } }]);
  });

  it("verifies the bearer token itself when JWT_ISSUER is set (no JWT authorizer ran)", async () => {
    const issuer = new LocalIssuer("https://issuer.test.invalid/pool", "test-app-client");
    const env = { JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: issuer.audience, JWT_JWKS: JSON.stringify(issuer.jwks) };
    const handler = echo.createHandler(env, { store, log: recordingLogger() });
    const withToken = (token: string) => ({ ...httpApiEvent("GET /v1/echo", null), headers: { authorization: `Bearer ${token}` } });
    const answer = await call(handler, withToken(issuer.token({ sub: "u1", tenant: "acme" })));
    assert.equal(answer.status, 200);
    assert.equal(answer.body.sub, "u1");
    assert.equal((await call(handler, withToken("a.b.c"))).body.error?.code, "InvalidToken");
  });

  it("reads the adapter-only settings at cold start, naming a bad one", () => {
    assert.deepEqual(echo.load({ S3_ENDPOINT: "http://127.0.0.1:8000", LOG_LEVEL: "debug" }), {
      config: { greeting: "hello" },
      settings: { logLevel: "DEBUG", s3: { endpoint: "http://127.0.0.1:8000", forcePathStyle: true }, dynamodb: {} },
    });
    assert.deepEqual(echo.load({ DYNAMODB_ENDPOINT: "http://127.0.0.1:8001" }).settings.dynamodb, { endpoint: "http://127.0.0.1:8001" });
    assert.equal(echo.load({ SESSIONS_REVOKED_BEFORE: "2026-05-01T12:00:00Z" }).settings.sessionsRevokedBefore, Date.parse("2026-05-01T12:00:00Z"));
    for (const [env, variable] of [
      [{ LOG_LEVEL: "LOUD" }, "LOG_LEVEL"],
      [{ S3_ENDPOINT: "s3" }, "S3_ENDPOINT"],
      [{ JWT_AUDIENCE: "a" }, "JWT_AUDIENCE"],
      [{ DYNAMODB_ENDPOINT: "dynamodb" }, "DYNAMODB_ENDPOINT"],
      [{ SESSIONS_REVOKED_BEFORE: "yesterday" }, "SESSIONS_REVOKED_BEFORE"],
      [{ SESSIONS_REVOKED_BEFORE: "2026-05-01T12:00:00+01:00" }, "SESSIONS_REVOKED_BEFORE"],
    ] as const) {
      assert.throws(() => echo.createHandler(env, { store }), (err: unknown) => err instanceof ConfigurationError && err.variable === variable);
    }
  });

  describe("SESSIONS_REVOKED_BEFORE (README \"Revocation plan\")", () => {
    const cutoff = "2026-05-01T12:00:00Z";
    const at = (iso: string) => String(Date.parse(iso) / 1000);
    const cases: [string, string, number, string | undefined][] = [
      ["a token issued a second before", at("2026-05-01T11:59:59Z"), 401, "TokenRevoked"],
      ["a token issued in the very second (iat has one-second resolution)", at("2026-05-01T12:00:00Z"), 200, undefined],
      ["a token issued a second after", at("2026-05-01T12:00:01Z"), 200, undefined],
    ];
    for (const [label, iat, status, code] of cases) {
      it(`answers ${status} to ${label}, before the core runs`, async () => {
        const log = recordingLogger();
        const handler = echo.createHandler({ SESSIONS_REVOKED_BEFORE: cutoff }, { store, log });
        const answer = await call(handler, httpApiEvent("GET /v1/echo", { ...CALLER.claims, iat }));
        assert.equal(answer.status, status);
        assert.equal(answer.body.error?.code, code);
        assert.equal(log.lines.length, status === 200 ? 1 : 0, "the core ran only for the live token");
      });
    }

    it("refuses a token the runtime verified itself (sandbox, tests) the same way", async () => {
      const issuer = new LocalIssuer("https://issuer.test.invalid/pool", "test-app-client");
      const env = { JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: issuer.audience, JWT_JWKS: JSON.stringify(issuer.jwks) };
      const token = issuer.token({ sub: "u1", tenant: "acme" });
      const withToken = { ...httpApiEvent("GET /v1/echo", null), headers: { authorization: `Bearer ${token}` } };
      const later = new Date(Date.now() + 2000).toISOString();
      assert.equal((await call(echo.createHandler({ ...env, SESSIONS_REVOKED_BEFORE: later }, { store, log: recordingLogger() }), withToken)).body.error?.code, "TokenRevoked");
      const earlier = new Date(Date.now() - 60_000).toISOString();
      assert.equal((await call(echo.createHandler({ ...env, SESSIONS_REVOKED_BEFORE: earlier }, { store, log: recordingLogger() }), withToken)).status, 200);
    });

    it("revokes nothing when unset", async () => {
      assert.equal((await call(echo.createHandler({}, { store, log: recordingLogger() }), httpApiEvent("GET /v1/echo", { ...CALLER.claims, iat: "0" }))).status, 200);
    });
  });
});
