import * as assert from "node:assert/strict";
import { generateKeyPairSync, verify } from "node:crypto";
import { createCdnSessionHandler } from "../../../functions/cdn-session/app";
import { type HttpApiEvent, type HttpApiResult } from "../../../functions/shared/http-api";
import { invoke, TestIssuer } from "../../harness/api";
import { recordingLogger } from "../fixtures";

const DOMAIN = "d111111abcdef8.cloudfront.net";
const KEY_PAIR_ID = "K2JCJMDEHXQW5F";
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:cdn-key-AbCdEf";
const TTL = 1800;
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const BOB = "b0b00000-0000-4000-8000-000000000002";

/** CloudFront's URL-safe base64: `+` `=` `/` become `-` `_` `~`. */
const fromCloudFrontBase64 = (text: string) => Buffer.from(text.replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"), "base64");

interface Session {
  domain: string;
  path: string;
  cookies: Record<string, string>;
  expiresAt: string;
}

/**
 * The cdn-session function through its Lambda handler, signing with a real RSA key; each session is
 * checked the way CloudFront checks it: decode the policy, verify its RSA-SHA1 signature with the
 * public key the distribution trusts, then read the resource and expiry it grants.
 */
describe("functions/cdn-session (handler)", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const issuer = new TestIssuer();
  const env = {
    CDN_DOMAIN_NAME: DOMAIN,
    CDN_KEY_PAIR_ID: KEY_PAIR_ID,
    CDN_SESSION_TTL_SECONDS: String(TTL),
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWT_JWKS: JSON.stringify(issuer.jwks),
  };
  const log = recordingLogger();
  const sandbox = createCdnSessionHandler({ ...env, CDN_PRIVATE_KEY_PEM: pem }, { log, readSecret: () => assert.fail("no secret read in the sandbox") });

  const session = (handler: (e: HttpApiEvent) => Promise<HttpApiResult>, token: string | undefined) => invoke(handler, { routeKey: "POST /v1/cdn-session", token });

  /** Verifies a session's cookies as CloudFront would and returns the policy they carry. */
  function verifiedPolicy(body: Session): { Statement: { Resource: string; Condition: { DateLessThan: { "AWS:EpochTime": number } } }[] } {
    const policy = fromCloudFrontBase64(body.cookies["CloudFront-Policy"]);
    const signature = fromCloudFrontBase64(body.cookies["CloudFront-Signature"]);
    assert.ok(verify("RSA-SHA1", policy, publicKey, signature), "the signature verifies with the distribution's public key");
    return JSON.parse(policy.toString("utf8"));
  }

  it("issues cookies whose signed policy grants the caller's home only, until the session ends", async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await session(sandbox, issuer.token({ sub: ALICE, tenant: "acme" }));
    const after = Math.floor(Date.now() / 1000);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.headers["cache-control"], "no-store");
    const body = res.body as unknown as Session;
    assert.deepEqual(Object.keys(body).sort(), ["cookies", "domain", "expiresAt", "path"]);
    assert.equal(body.domain, DOMAIN);
    assert.equal(body.path, `/tenants/acme/home/${ALICE}/`);
    assert.deepEqual(Object.keys(body.cookies).sort(), ["CloudFront-Key-Pair-Id", "CloudFront-Policy", "CloudFront-Signature"]);
    assert.equal(body.cookies["CloudFront-Key-Pair-Id"], KEY_PAIR_ID);

    const policy = verifiedPolicy(body);
    assert.equal(policy.Statement.length, 1);
    const [statement] = policy.Statement;
    assert.equal(statement.Resource, `https://${DOMAIN}/tenants/acme/home/${ALICE}/*`);
    assert.deepEqual(Object.keys(statement.Condition), ["DateLessThan"], "no start date or IP condition to surprise a client");
    const expires = statement.Condition.DateLessThan["AWS:EpochTime"];
    assert.ok(expires >= before + TTL && expires <= after + TTL, "ends CDN_SESSION_TTL_SECONDS from now");
    assert.equal(body.expiresAt, new Date(expires * 1000).toISOString());
  });

  it("scopes each caller to their own home: another user, another tenant", async () => {
    const resources = await Promise.all(
      [
        { sub: BOB, tenant: "acme" },
        { sub: ALICE, tenant: "globex" },
      ].map(async (claims) => {
        const res = await session(sandbox, issuer.token(claims));
        assert.equal(res.status, 200);
        return verifiedPolicy(res.body as unknown as Session).Statement[0].Resource;
      }),
    );
    assert.deepEqual(resources, [`https://${DOMAIN}/tenants/acme/home/${BOB}/*`, `https://${DOMAIN}/tenants/globex/home/${ALICE}/*`]);
  });

  it("gives cookies that cannot be stretched: a widened policy no longer matches the signature", async () => {
    const body = (await session(sandbox, issuer.token({ sub: ALICE, tenant: "acme" }))).body as unknown as Session;
    const policy = fromCloudFrontBase64(body.cookies["CloudFront-Policy"]).toString("utf8");
    const signature = fromCloudFrontBase64(body.cookies["CloudFront-Signature"]);
    for (const widened of [policy.replace(`/home/${ALICE}/*`, "/*"), policy.replace(/"AWS:EpochTime":\d+/, '"AWS:EpochTime":4102444800')]) {
      assert.notEqual(widened, policy);
      assert.ok(!verify("RSA-SHA1", Buffer.from(widened), publicKey, signature));
    }
  });

  it("reads the key from Secrets Manager once per cold start when no PEM is configured", async () => {
    const reads: string[] = [];
    const deployed = createCdnSessionHandler(
      { ...env, CDN_PRIVATE_KEY_SECRET_ARN: SECRET_ARN },
      {
        log: recordingLogger(),
        readSecret: async (arn) => {
          reads.push(arn);
          return pem;
        },
      },
    );
    assert.deepEqual(reads, [], "nothing is read before the first request");
    for (const sub of [ALICE, BOB, ALICE]) {
      const res = await session(deployed, issuer.token({ sub, tenant: "acme" }));
      assert.equal(res.status, 200);
      verifiedPolicy(res.body as unknown as Session);
    }
    assert.deepEqual(reads, [SECRET_ARN]);
  });

  for (const [name, readSecret] of [
    ["the secret cannot be read", () => Promise.reject(Object.assign(new Error(`AccessDenied on ${SECRET_ARN}`), { name: "AccessDeniedException" }))],
    ["the secret holds no usable key", () => Promise.resolve("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----")],
  ] as const) {
    it(`answers a bare 500 and logs only the error's name when ${name}`, async () => {
      const failing = recordingLogger();
      const deployed = createCdnSessionHandler({ ...env, CDN_PRIVATE_KEY_SECRET_ARN: SECRET_ARN }, { log: failing, readSecret });
      const res = await session(deployed, issuer.token({ sub: ALICE, tenant: "acme" }));
      assert.equal(res.status, 500);
      assert.deepEqual(res.body, { error: { code: "InternalError", message: "The request failed. Try again later." } });
      assert.equal(failing.lines.length, 1);
      assert.ok(!JSON.stringify(failing.lines).includes(SECRET_ARN) && !JSON.stringify(failing.lines).includes("PRIVATE KEY"));
    });
  }

  describe("refuses callers it cannot scope", () => {
    const forger = new TestIssuer();
    const kid = (issuer.jwks.keys[0] as { kid: string }).kid;
    const now = () => Math.floor(Date.now() / 1000);
    const claims = (extra: Record<string, unknown> = {}) => issuer.claims({ sub: ALICE, tenant: "acme" }, extra);
    const table: [string, () => string | undefined, number, string][] = [
      ["no token", () => undefined, 401, "MissingToken"],
      ["a forged token (another key)", () => forger.sign(claims(), { kid }), 401, "InvalidToken"],
      ["an expired token", () => issuer.sign(claims({ iat: now() - 7200, exp: now() - 60 })), 401, "ExpiredToken"],
      ["a token for another app client", () => issuer.sign(claims({ aud: "another-app" })), 401, "WrongAudience"],
      ["a token from another issuer", () => issuer.sign(claims({ iss: "https://evil.test.invalid/pool" })), 401, "WrongIssuer"],
      ["an access token", () => issuer.sign(claims({ token_use: "access" })), 401, "WrongTokenUse"],
      ["a token without a tenant", () => issuer.sign(claims({ "custom:tenant": undefined })), 403, "NoTenant"],
      ["a wildcard tenant", () => issuer.token({ sub: ALICE, tenant: "*" }), 403, "InvalidTenant"],
      ["a wildcard sub", () => issuer.token({ sub: "*", tenant: "acme" }), 403, "InvalidSubject"],
      ["a sub that climbs", () => issuer.token({ sub: `${ALICE}/../${BOB}`, tenant: "acme" }), 403, "InvalidSubject"],
    ];
    for (const [name, token, status, code] of table) {
      it(`${name} → ${status} ${code}, with no cookies`, async () => {
        const res = await session(sandbox, token());
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.deepEqual(Object.keys(res.body!), ["error"]);
        assert.equal((res.body as { error: { code: string } }).error.code, code);
      });
    }

    it("answers 404 to a route it does not serve", async () => {
      const res = await invoke(sandbox, { routeKey: "GET /v1/cdn-session", token: issuer.token({ sub: ALICE, tenant: "acme" }) });
      assert.equal(res.status, 404);
      assert.equal((res.body as { error: { code: string } }).error.code, "RouteNotFound");
    });
  });

  it("never logs a token, a cookie or the key", () => {
    const logged = JSON.stringify(log.lines);
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}/.test(logged));
    assert.ok(!/CloudFront-(Policy|Signature)/.test(logged));
    assert.ok(!logged.includes("PRIVATE KEY"));
  });
});
