import { CDN_SESSION_ROUTES, ConfigurationError } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { cdnSessionFunction } from "../../../functions/cdn-session/app";
import { loadCdnSessionConfig } from "../../../functions/cdn-session/config";
import { cdnPolicy, type CookieSigner } from "../../../functions/cdn-session/core";
import { type ApiRequest } from "../../../functions/shared/api";
import { privateKeyLoader } from "../../../functions/cdn-session/signer";
import { apiRequest, CALLER } from "../fixtures";

const RSA_PEM = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
const EC_PEM = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;

const ENV = {
  CDN_DOMAIN_NAME: "d111111abcdef8.cloudfront.net",
  CDN_KEY_PAIR_ID: "K2JCJMDEHXQW5F",
  CDN_PRIVATE_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:cdn-key-AbCdEf",
  CDN_SESSION_TTL_SECONDS: "3600",
};

/** The core behind the runtime's route and caller checks, as the handler calls it. */
const handleCdnSessionRequest = (request: ApiRequest, config: ReturnType<typeof loadCdnSessionConfig>, signer: CookieSigner, now?: () => number) =>
  cdnSessionFunction.serve(request, { config, deps: { signer, ...(now === undefined ? {} : { now }) } });

/** A signer that records the policy it was asked to sign. */
function recordingSigner(): CookieSigner & { policies: string[] } {
  const policies: string[] = [];
  return {
    policies,
    sign: async (policy) => {
      policies.push(policy);
      return { "CloudFront-Policy": "p", "CloudFront-Signature": "s", "CloudFront-Key-Pair-Id": "K2JCJMDEHXQW5F" };
    },
  };
}

describe("functions/cdn-session/core", () => {
  describe("routes and configuration", () => {
    it("declares exactly the routes docs/API.md gives it", () => {
      assert.deepEqual([...CDN_SESSION_ROUTES], ["POST /v1/cdn-session", "GET /v1/objects/cdn-url"]);
    });

    it("reads where the key is, never the key itself, in the deployed environment", () => {
      const config = loadCdnSessionConfig(ENV);
      assert.deepEqual(config, {
        domainName: ENV.CDN_DOMAIN_NAME,
        keyPairId: ENV.CDN_KEY_PAIR_ID,
        privateKey: { secretArn: ENV.CDN_PRIVATE_KEY_SECRET_ARN },
        sessionTtlSeconds: 3600,
        tenantClaim: "custom:tenant",
      });
      assert.ok(!JSON.stringify(config).includes("PRIVATE KEY"));
    });

    it("takes the PEM from the environment in the sandbox, in place of the secret", () => {
      assert.deepEqual(loadCdnSessionConfig({ ...ENV, CDN_PRIVATE_KEY_PEM: RSA_PEM }).privateKey, { pem: RSA_PEM });
      const { CDN_PRIVATE_KEY_SECRET_ARN: _unused, ...sandbox } = ENV;
      assert.deepEqual(loadCdnSessionConfig({ ...sandbox, CDN_PRIVATE_KEY_PEM: RSA_PEM }).privateKey, { pem: RSA_PEM });
    });

    const refused: [string, Record<string, string | undefined>, string, RegExp][] = [
      ["no domain", { CDN_DOMAIN_NAME: undefined }, "CDN_DOMAIN_NAME", /is required/],
      ["a domain with a scheme", { CDN_DOMAIN_NAME: "https://d111111abcdef8.cloudfront.net" }, "CDN_DOMAIN_NAME", /host name/],
      ["a domain with a path", { CDN_DOMAIN_NAME: "d111111abcdef8.cloudfront.net/tenants" }, "CDN_DOMAIN_NAME", /host name/],
      ["a domain with a wildcard", { CDN_DOMAIN_NAME: "*.cloudfront.net" }, "CDN_DOMAIN_NAME", /host name/],
      ["no key pair id", { CDN_KEY_PAIR_ID: undefined }, "CDN_KEY_PAIR_ID", /is required/],
      ["a malformed key pair id", { CDN_KEY_PAIR_ID: "key 1" }, "CDN_KEY_PAIR_ID", /public key id/],
      ["neither the secret nor a PEM", { CDN_PRIVATE_KEY_SECRET_ARN: undefined }, "CDN_PRIVATE_KEY_SECRET_ARN", /is required/],
      ["a PEM that is not a key", { CDN_PRIVATE_KEY_PEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" }, "CDN_PRIVATE_KEY_PEM", /RSA private key/],
      ["an EC key (CloudFront signs with RSA)", { CDN_PRIVATE_KEY_PEM: EC_PEM }, "CDN_PRIVATE_KEY_PEM", /RSA private key/],
      ["no session lifetime", { CDN_SESSION_TTL_SECONDS: undefined }, "CDN_SESSION_TTL_SECONDS", /is required/],
      ["a session shorter than a minute", { CDN_SESSION_TTL_SECONDS: "59" }, "CDN_SESSION_TTL_SECONDS", /from 60 to 43200/],
      ["a session longer than 12 hours", { CDN_SESSION_TTL_SECONDS: "43201" }, "CDN_SESSION_TTL_SECONDS", /from 60 to 43200/],
      ["an issuer without an audience", { JWT_ISSUER: "https://issuer.example" }, "JWT_AUDIENCE", /required when JWT_ISSUER/],
    ];
    for (const [name, change, variable, message] of refused) {
      it(`refuses to start with ${name}, naming ${variable}`, () => {
        assert.throws(
          () => cdnSessionFunction.load({ ...ENV, ...change }),
          (err: unknown) =>
            err instanceof ConfigurationError && err.variable === variable && message.test(err.message) && !err.message.includes("BEGIN"),
        );
      });
    }
  });

  describe("policy", () => {
    it("grants every object under one path until one instant, and nothing else", () => {
      assert.deepEqual(JSON.parse(cdnPolicy("d1.cloudfront.net", "/tenants/acme/home/u1/", 1_800_000_000)), {
        Statement: [{ Resource: "https://d1.cloudfront.net/tenants/acme/home/u1/*", Condition: { DateLessThan: { "AWS:EpochTime": 1_800_000_000 } } }],
      });
    });
  });

  describe("requests", () => {
    const config = loadCdnSessionConfig(ENV);
    const NOW = Date.parse("2026-11-24T10:00:00.400Z");

    it("signs a policy scoped to the caller's home that ends after the session lifetime", async () => {
      const signer = recordingSigner();
      const response = await handleCdnSessionRequest(apiRequest("POST /v1/cdn-session"), config, signer, () => NOW);
      const home = `/tenants/acme/home/${CALLER.sub}/`;
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, {
        domain: ENV.CDN_DOMAIN_NAME,
        path: home,
        cookies: { "CloudFront-Policy": "p", "CloudFront-Signature": "s", "CloudFront-Key-Pair-Id": "K2JCJMDEHXQW5F" },
        expiresAt: "2026-11-24T11:00:00.000Z",
      });
      assert.deepEqual(signer.policies, [cdnPolicy(ENV.CDN_DOMAIN_NAME, home, Math.floor(NOW / 1000) + 3600)]);
    });

    const refused: [string, Record<string, unknown>, number, string][] = [
      ["no tenant claim", { sub: CALLER.sub }, 403, "NoTenant"],
      ["a wildcard tenant", { sub: CALLER.sub, "custom:tenant": "*" }, 403, "InvalidTenant"],
      ["a tenant with a separator", { sub: CALLER.sub, "custom:tenant": "acme/home" }, 403, "InvalidTenant"],
    ];
    for (const [name, claims, status, code] of refused) {
      it(`refuses ${name} (${status} ${code}) without signing anything`, async () => {
        const signer = recordingSigner();
        const response = await handleCdnSessionRequest(apiRequest("POST /v1/cdn-session", { caller: { sub: CALLER.sub, claims } }), config, signer);
        assert.equal(response.status, status);
        assert.equal((response.body as { error: { code: string } }).error.code, code);
        assert.deepEqual(signer.policies, []);
      });
    }

    for (const sub of ["u1*", "u1/../u2", "u?"]) {
      it(`refuses a sub with CloudFront wildcard or separator characters (${JSON.stringify(sub)})`, async () => {
        const signer = recordingSigner();
        const response = await handleCdnSessionRequest(apiRequest("POST /v1/cdn-session", { caller: { sub, claims: { sub, "custom:tenant": "acme" } } }), config, signer);
        assert.equal(response.status, 403);
        assert.equal((response.body as { error: { code: string } }).error.code, "InvalidSubject");
        assert.deepEqual(signer.policies, []);
      });
    }
  });

  describe("private key", () => {
    it("reads the secret once, however many requests need it", async () => {
      let reads = 0;
      const key = privateKeyLoader({ secretArn: ENV.CDN_PRIVATE_KEY_SECRET_ARN }, async (arn) => {
        assert.equal(arn, ENV.CDN_PRIVATE_KEY_SECRET_ARN);
        reads++;
        return RSA_PEM;
      });
      assert.deepEqual(await Promise.all([key(), key(), key()]), [RSA_PEM, RSA_PEM, RSA_PEM]);
      assert.equal(await key(), RSA_PEM);
      assert.equal(reads, 1);
    });

    it("tries again after a failed read instead of failing until the next cold start", async () => {
      let reads = 0;
      const key = privateKeyLoader({ secretArn: ENV.CDN_PRIVATE_KEY_SECRET_ARN }, async () => {
        reads++;
        if (reads === 1) {
          throw new Error("throttled");
        }
        return RSA_PEM;
      });
      await assert.rejects(key(), /throttled/);
      assert.equal(await key(), RSA_PEM);
      assert.equal(reads, 2);
    });

    it("never calls Secrets Manager when the PEM is configured", async () => {
      const key = privateKeyLoader({ pem: RSA_PEM }, () => assert.fail("no secret read"));
      assert.equal(await key(), RSA_PEM);
    });
  });
});
