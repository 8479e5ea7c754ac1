import { CLAMAV_VOCABULARY, ConfigurationError, GUARDDUTY_VOCABULARY, OBJECTS_ROUTES } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { objectsFunction } from "../../../functions/objects/app";
import { loadObjectsConfig } from "../../../functions/objects/config";
import { decodeCursor, DEFAULT_LIST_LIMIT, encodeCursor, MAX_LIST_LIMIT, parseLimit } from "../../../functions/objects/core";
import { type ApiRequest } from "../../../functions/shared/api";
import { ApiError } from "../../../functions/shared/errors";
import { type HomeRef, objectIndex, type ObjectIndex, type ObjectItem } from "../../../functions/shared/object-index";
import { type ObjectStore } from "../../../functions/shared/store";
import { createIndexTable, dynamoDbClient } from "../../harness/dynamodb";
import { apiRequest, CALLER } from "../fixtures";

const ROUTING = {
  pooledBucket: "mobile-s3-dev-storage-abc1234",
  accessPointArnPrefix: "arn:aws:s3:us-east-1:123456789012:accesspoint/mobile-s3-dev-",
  accessPointTenants: ["globex"],
  dedicatedBuckets: { initech: "mobile-s3-dev-initech-7654321" },
};
const ENV = { TENANT_ROUTING: JSON.stringify(ROUTING), PRESIGN_TTL_SECONDS: "120", SCANNER: "clamav", INDEX_TABLE: "mobile-s3-dev-index" };

/** The core behind the runtime's route and caller checks, as the handler calls it. */
const handleObjectsRequest = (request: ApiRequest, config: ReturnType<typeof loadObjectsConfig>, store: ObjectStore, index: ObjectIndex, now?: () => number) =>
  objectsFunction.serve(request, { config, deps: { store, index, ...(now === undefined ? {} : { now }) } });

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
      assert.deepEqual(
        [...OBJECTS_ROUTES].sort(),
        ["DELETE /v1/objects", "GET /v1/objects", "GET /v1/objects/meta", "GET /v1/objects/url", "GET /v1/usage", "POST /v1/objects/copy", "POST /v1/objects/move"],
      );
    });

    it("reads the routing, the presign lifetime, the index table and the default tenant claim, with no quota", () => {
      assert.deepEqual(loadObjectsConfig(ENV), { tenantRouting: ROUTING, presignTtlSeconds: 120, tenantClaim: "custom:tenant", scan: CLAMAV_VOCABULARY, table: "mobile-s3-dev-index" });
      assert.deepEqual(loadObjectsConfig({ ...ENV, SCANNER: "guardduty" }).scan, GUARDDUTY_VOCABULARY);
      assert.equal(loadObjectsConfig({ ...ENV, USER_QUOTA_BYTES: "1073741824" }).userQuotaBytes, 1073741824);
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
      ["no index table", { INDEX_TABLE: undefined }, "INDEX_TABLE", /object index's DynamoDB table/],
      ["a quota of 0", { USER_QUOTA_BYTES: "0" }, "USER_QUOTA_BYTES", /from 1/],
      ["a DynamoDB endpoint that is not a URL", { DYNAMODB_ENDPOINT: "dynamodb:8000" }, "DYNAMODB_ENDPOINT", /http\(s\) URL/],
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

  describe("requests (the index in a local DynamoDB)", () => {
    const config = loadObjectsConfig(ENV);
    const home: HomeRef = { tenant: "acme", home: CALLER.sub };
    let dynamodb: DynamoDBClient;
    let index: ObjectIndex;
    const item = (path: string, size: number, extra: Partial<ObjectItem> = {}): ObjectItem => ({
      path,
      size,
      etag: "0123456789abcdef0123456789abcdef",
      lastModified: "2026-01-01T00:00:00.000Z",
      contentType: "image/jpeg",
      metadata: {},
      scanStatus: "pending" as ObjectItem["scanStatus"],
      created: "2026-01-01T00:00:00.000Z",
      rev: 1,
      ...extra,
    });

    before(async () => {
      dynamodb = await dynamoDbClient();
      index = objectIndex(dynamodb, await createIndexTable(dynamodb));
      // Written as the indexer writes them.
      await index.putObject(home, item("photos/a.jpg", 3, { metadata: { album: "Été" }, scanStatus: "clean" as ObjectItem["scanStatus"] }));
      await index.putObject(home, item("photos/2024/b.jpg", 5));
      await index.touchFolders(home, ["photos/", "photos/2024/"]);
      await index.putObject({ tenant: "acme", home: "0b0b0000-0000-4000-8000-000000000002" }, item("photos/theirs.jpg", 7));
    });
    after(() => dynamodb?.destroy());

    it("routes each tenant to its bucket or access point", async () => {
      const buckets: string[] = [];
      const s = store({ delete: async ({ bucket }) => void buckets.push(bucket) });
      for (const tenant of ["acme", "globex", "initech"]) {
        const caller = { sub: "u1", claims: { sub: "u1", "custom:tenant": tenant } };
        const response = await handleObjectsRequest(apiRequest("DELETE /v1/objects", { caller, query: { path: "a.txt" } }), config, s, index);
        assert.equal(response.status, 204);
      }
      assert.deepEqual(buckets, [ROUTING.pooledBucket, `${ROUTING.accessPointArnPrefix}globex`, ROUTING.dedicatedBuckets.initech]);
    });

    it("lists from the index alone, never asking S3 (a store that fails on any call)", async () => {
      const flat = await handleObjectsRequest(apiRequest("GET /v1/objects"), config, store(), index);
      assert.deepEqual(flat, {
        status: 200,
        body: {
          objects: [
            { path: "photos/2024/b.jpg", size: 5, etag: "0123456789abcdef0123456789abcdef", lastModified: "2026-01-01T00:00:00.000Z", scanStatus: "pending", contentType: "image/jpeg", metadata: {} },
            { path: "photos/a.jpg", size: 3, etag: "0123456789abcdef0123456789abcdef", lastModified: "2026-01-01T00:00:00.000Z", scanStatus: "clean", contentType: "image/jpeg", metadata: { album: "Été" } },
          ],
          folders: [],
        },
      });
      const folder = await handleObjectsRequest(apiRequest("GET /v1/objects", { query: { prefix: "photos/", delimiter: "/" } }), config, store(), index);
      assert.deepEqual((folder.body as { folders: string[] }).folders, ["photos/2024/"]);
      assert.deepEqual((folder.body as { objects: { path: string }[] }).objects.map((o) => o.path), ["photos/a.jpg"]);
    });

    /*
     * A cursor is not secret: its binding is a digest of the caller's home and query, which anybody
     * who knows them can compute. What keeps a forged one inside the caller's home is that the index
     * key it carries must lie in the caller's own partitions.
     */
    const forgedCursor = (lastKey: Record<string, { S: string }>, query = { prefix: "", delimiter: "", sort: "name", order: "asc" }) =>
      Buffer.from(
        JSON.stringify({
          v: 1,
          p: createHash("sha256").update(`tenants/acme/home/${CALLER.sub}/\0${query.prefix}\0${query.delimiter}\0${query.sort}\0${query.order}`, "utf8").digest("base64url").slice(0, 22),
          t: JSON.stringify(lastKey),
        }),
      ).toString("base64url");

    it("continues from a cursor it issued, and the forged copy of one is equivalent (the binding is no secret)", async () => {
      const first = await handleObjectsRequest(apiRequest("GET /v1/objects", { query: { limit: "1" } }), config, store(), index);
      const { nextCursor } = first.body as { nextCursor: string };
      const next = await handleObjectsRequest(apiRequest("GET /v1/objects", { query: { limit: "1", cursor: nextCursor } }), config, store(), index);
      assert.deepEqual((next.body as { objects: { path: string }[] }).objects.map((o) => o.path), ["photos/a.jpg"]);
      const forged = forgedCursor({ pk: { S: `acme/${CALLER.sub}` }, sk: { S: "o#photos/2024/b.jpg" } });
      const same = await handleObjectsRequest(apiRequest("GET /v1/objects", { query: { limit: "1", cursor: forged } }), config, store(), index);
      assert.deepEqual(same.body, next.body);
    });

    const foreign: [string, Record<string, { S: string }>, Parameters<typeof forgedCursor>[1]?][] = [
      ["another user's partition", { pk: { S: "acme/0b0b0000-0000-4000-8000-000000000002" }, sk: { S: "o#photos/" } }],
      ["another tenant's partition", { pk: { S: `globex/${CALLER.sub}` }, sk: { S: "o#" } }],
      ["a partition that only starts with the caller's", { pk: { S: `acme/${CALLER.sub}0` }, sk: { S: "o#" } }],
      ["another user's folder view", { fp: { S: "acme/0b0b0000-0000-4000-8000-000000000002/photos/" }, fn: { S: "a" }, pk: { S: `acme/${CALLER.sub}` }, sk: { S: "o#a" } }, { prefix: "photos/", delimiter: "/", sort: "name", order: "asc" }],
      ["no partition at all", { sk: { S: "o#photos/a.jpg" } }],
      ["a value that is not a string", { pk: { N: "1" } as unknown as { S: string }, sk: { S: "o#" } }],
    ];
    for (const [name, lastKey, query] of foreign) {
      it(`refuses a cursor naming ${name} with InvalidCursor, even with the right binding`, async () => {
        const q = query ?? { prefix: "", delimiter: "", sort: "name", order: "asc" };
        const request = apiRequest("GET /v1/objects", { query: { ...(q.prefix ? { prefix: q.prefix } : {}), ...(q.delimiter ? { delimiter: q.delimiter } : {}), cursor: forgedCursor(lastKey, q) } });
        const response = await handleObjectsRequest(request, config, store(), index);
        assert.equal(response.status, 400, JSON.stringify(response.body));
        assert.equal((response.body as { error: { code: string } }).error.code, "InvalidCursor");
      });
    }

    it("lets a store failure through to the adapter's bare 500", async () => {
      const s = store({ getTags: () => Promise.reject(Object.assign(new Error("boom"), { $metadata: { httpStatusCode: 503 } })) });
      await assert.rejects(handleObjectsRequest(apiRequest("GET /v1/objects/url", { query: { path: "photos/a.jpg" } }), config, s, index), /boom/);
    });

    it("counts in GET /v1/usage only the promises that have not lapsed", async () => {
      const h: HomeRef = { tenant: "acme", home: "0c0c0000-0000-4000-8000-000000000003" };
      const caller = { sub: h.home, claims: { ...CALLER.claims, sub: h.home } };
      const now = Date.parse("2026-01-01T00:00:00Z");
      await index.reserve(h, { id: "p-live", kind: "put", path: "a.jpg", bytes: 10, createdAt: now - 1000, expiresAt: now + 60_000 }, {});
      await index.reserve(h, { id: "p-lapsed", kind: "put", path: "b.jpg", bytes: 1000, createdAt: now - 3_600_000, expiresAt: now - 1 }, {});
      const response = await handleObjectsRequest(apiRequest("GET /v1/usage", { caller }), loadObjectsConfig({ ...ENV, USER_QUOTA_BYTES: "5000" }), store(), index, () => now);
      assert.deepEqual(response, { status: 200, body: { storedBytes: 0, reservedBytes: 10, quotaBytes: 5000, objects: 0, openUploads: 0 } });
    });
  });
});
