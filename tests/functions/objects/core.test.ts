import { CLAMAV_VOCABULARY, ConfigurationError, GUARDDUTY_VOCABULARY, OBJECTS_ROUTES } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { objectsFunction } from "../../../functions/objects/app";
import { loadObjectsConfig } from "../../../functions/objects/config";
import { decodeCursor, DEFAULT_LIST_LIMIT, encodeCursor, MAX_LIST_LIMIT, parseLimit } from "../../../functions/objects/core";
import { type ApiRequest } from "../../../functions/shared/api";
import { ApiError } from "../../../functions/shared/errors";
import { type ObjectStore } from "../../../functions/shared/store";
import { apiRequest } from "../fixtures";

const ROUTING = {
  pooledBucket: "mobile-s3-dev-storage-abc1234",
  accessPointArnPrefix: "arn:aws:s3:us-east-1:123456789012:accesspoint/mobile-s3-dev-",
  accessPointTenants: ["globex"],
  dedicatedBuckets: { initech: "mobile-s3-dev-initech-7654321" },
};
const ENV = { TENANT_ROUTING: JSON.stringify(ROUTING), PRESIGN_TTL_SECONDS: "120", SCANNER: "clamav" };

/** The core behind the runtime's route and caller checks, as the handler calls it. */
const handleObjectsRequest = (request: ApiRequest, config: ReturnType<typeof loadObjectsConfig>, store: ObjectStore) =>
  objectsFunction.serve(request, { config, deps: { store } });

const codeOf = (code: string) => (err: unknown) => err instanceof ApiError && err.status === 400 && err.code === code;

/** A store whose every call fails the test, with the calls it was asked for overridden. */
function store(overrides: Partial<ObjectStore> = {}): ObjectStore {
  return new Proxy(overrides as ObjectStore, {
    get: (target, name: string) => target[name as keyof ObjectStore] ?? (() => assert.fail(`unexpected store.${name}`)),
  });
}

describe("functions/objects/core", () => {
  describe("routes and configuration", () => {
    it("declares exactly the routes docs/API.md gives it", () => {
      assert.deepEqual([...OBJECTS_ROUTES].sort(), ["DELETE /v1/objects", "GET /v1/objects", "GET /v1/objects/url"]);
    });

    it("reads the routing, the presign lifetime and the default tenant claim", () => {
      assert.deepEqual(loadObjectsConfig(ENV), { tenantRouting: ROUTING, presignTtlSeconds: 120, tenantClaim: "custom:tenant", scan: CLAMAV_VOCABULARY });
      assert.deepEqual(loadObjectsConfig({ ...ENV, SCANNER: "guardduty" }).scan, GUARDDUTY_VOCABULARY);
    });

    it("takes the sandbox's endpoint, tenant claim and token settings when they are set", () => {
      const jwks = { keys: [{ kty: "RSA", n: "x", e: "AQAB", kid: "k1" }] };
      const { config, settings } = objectsFunction.load({
        ...ENV,
        S3_ENDPOINT: "http://127.0.0.1:8000",
        TENANT_CLAIM: "custom:org",
        JWT_ISSUER: "http://127.0.0.1:4000/issuer",
        JWT_AUDIENCE: "sandbox-app",
        JWT_JWKS: JSON.stringify(jwks),
      });
      assert.equal(settings.s3.endpoint, "http://127.0.0.1:8000");
      assert.equal(config.tenantClaim, "custom:org");
      assert.deepEqual(settings.token, { issuer: "http://127.0.0.1:4000/issuer", audience: "sandbox-app", jwks });
    });

    const refused: [string, Record<string, string | undefined>, string, RegExp][] = [
      ["no routing", { TENANT_ROUTING: undefined }, "TENANT_ROUTING", /is required/],
      ["routing of the wrong shape", { TENANT_ROUTING: '{"default":"pooled"}' }, "TENANT_ROUTING", /pooledBucket/],
      ["no presign lifetime", { PRESIGN_TTL_SECONDS: undefined }, "PRESIGN_TTL_SECONDS", /is required/],
      ["a presign lifetime over 15 minutes", { PRESIGN_TTL_SECONDS: "3600" }, "PRESIGN_TTL_SECONDS", /from 1 to 900/],
      ["an endpoint that is not a URL", { S3_ENDPOINT: "127.0.0.1:8000" }, "S3_ENDPOINT", /http\(s\) URL/],
      ["a tenant claim with spaces", { TENANT_CLAIM: "custom tenant" }, "TENANT_CLAIM", /claim name/],
      ["an issuer without an audience", { JWT_ISSUER: "https://issuer.example" }, "JWT_AUDIENCE", /required when JWT_ISSUER/],
      ["an audience without an issuer", { JWT_AUDIENCE: "app" }, "JWT_AUDIENCE", /JWT_ISSUER is not/],
      ["a key set that is not JSON", { JWT_ISSUER: "https://i.example", JWT_AUDIENCE: "a", JWT_JWKS: "{keys" }, "JWT_JWKS", /JSON key set/],
      ["an empty key set", { JWT_ISSUER: "https://i.example", JWT_AUDIENCE: "a", JWT_JWKS: '{"keys":[]}' }, "JWT_JWKS", /at least one key/],
    ];
    for (const [name, change, variable, message] of refused) {
      it(`refuses to start with ${name}, naming ${variable}`, () => {
        assert.throws(
          () => objectsFunction.load({ ...ENV, ...change }),
          (err: unknown) => err instanceof ConfigurationError && err.variable === variable && message.test(err.message),
        );
      });
    }
  });

  describe("limit", () => {
    it(`defaults to ${DEFAULT_LIST_LIMIT} and serves at most ${MAX_LIST_LIMIT}`, () => {
      assert.equal(parseLimit(undefined), DEFAULT_LIST_LIMIT);
      assert.equal(parseLimit(""), DEFAULT_LIST_LIMIT);
      assert.equal(parseLimit("1"), 1);
      assert.equal(parseLimit("1000"), 1000);
      assert.equal(parseLimit("5000"), MAX_LIST_LIMIT);
    });

    for (const text of ["0", "-1", "2.5", "1e3", "ten", " 5", "0x10", "9999999999"]) {
      it(`refuses limit=${JSON.stringify(text)} with InvalidLimit`, () => {
        assert.throws(() => parseLimit(text), codeOf("InvalidLimit"));
      });
    }
  });

  describe("cursor", () => {
    const prefix = "tenants/acme/home/u1/photos/";

    it("round-trips S3's token without showing it", () => {
      const cursor = encodeCursor("tenants/acme/home/u1/photos/p03.jpg", prefix);
      assert.match(cursor, /^[A-Za-z0-9_-]+$/);
      assert.ok(!cursor.includes("photos"));
      assert.equal(decodeCursor(cursor, prefix), "tenants/acme/home/u1/photos/p03.jpg");
    });

    const forged: [string, string][] = [
      ["another prefix", encodeCursor("t", "tenants/acme/home/u1/docs/")],
      ["another user's home", encodeCursor("t", "tenants/acme/home/u2/photos/")],
      ["not base64url", "a+b/c=="],
      ["not JSON", Buffer.from("tenants/acme/home/u1/photos/p03.jpg").toString("base64url")],
      ["JSON null", Buffer.from("null").toString("base64url")],
      ["an empty token", Buffer.from(JSON.stringify({ v: 1, p: "", t: "" })).toString("base64url")],
      ["another version", encodeCursor("t", prefix).replace(/^eyJ2Ijox/, "eyJ2Ijoy")],
      ["an oversized cursor", "A".repeat(5000)],
    ];
    for (const [name, cursor] of forged) {
      it(`refuses a cursor from ${name} with InvalidCursor`, () => {
        assert.throws(() => decodeCursor(cursor, prefix), codeOf("InvalidCursor"));
      });
    }
  });

  describe("requests", () => {
    const config = loadObjectsConfig(ENV);

    it("routes each tenant to its bucket or access point", async () => {
      const buckets: string[] = [];
      const s = store({ delete: async ({ bucket }) => void buckets.push(bucket) });
      for (const tenant of ["acme", "globex", "initech"]) {
        const caller = { sub: "u1", claims: { sub: "u1", "custom:tenant": tenant } };
        const response = await handleObjectsRequest(apiRequest("DELETE /v1/objects", { caller, query: { path: "a.txt" } }), config, s);
        assert.equal(response.status, 204);
      }
      assert.deepEqual(buckets, [ROUTING.pooledBucket, `${ROUTING.accessPointArnPrefix}globex`, ROUTING.dedicatedBuckets.initech]);
    });

    it("answers InvalidCursor when S3 refuses the token inside a cursor", async () => {
      const refusal = Object.assign(new Error("invalid continuation token"), { $metadata: { httpStatusCode: 400 } });
      const s = store({ list: () => Promise.reject(refusal) });
      const home = `tenants/acme/home/${apiRequest("GET /v1/objects").caller!.sub}/`;
      const response = await handleObjectsRequest(apiRequest("GET /v1/objects", { query: { cursor: encodeCursor("zzz", home) } }), config, s);
      assert.equal(response.status, 400);
      assert.equal((response.body as { error: { code: string } }).error.code, "InvalidCursor");
    });

    it("lets any other store failure through to the adapter's bare 500", async () => {
      const s = store({ list: () => Promise.reject(Object.assign(new Error("boom"), { $metadata: { httpStatusCode: 503 } })) });
      await assert.rejects(handleObjectsRequest(apiRequest("GET /v1/objects"), config, s), /boom/);
    });

    it("leaves out an object deleted between the listing and its tag read", async () => {
      const home = `tenants/acme/home/${apiRequest("GET /v1/objects").caller!.sub}/`;
      const object = (key: string) => ({ key: `${home}${key}`, size: 1, etag: '"e"', lastModified: "2026-01-01T00:00:00.000Z" });
      const s = store({
        list: async () => ({ objects: [object("kept.txt"), object("gone.txt")] }),
        getTags: async ({ key }) => {
          if (key.endsWith("gone.txt")) {
            throw Object.assign(new Error("NoSuchKey"), { $metadata: { httpStatusCode: 404 } });
          }
          return { "scan-status": "clean" };
        },
      });
      const response = await handleObjectsRequest(apiRequest("GET /v1/objects"), config, s);
      assert.deepEqual(response.body, { objects: [{ path: "kept.txt", size: 1, etag: '"e"', lastModified: "2026-01-01T00:00:00.000Z", scanStatus: "clean" }] });
    });
  });
});
