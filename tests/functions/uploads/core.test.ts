import { ConfigurationError, UPLOADS_ROUTES } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type ObjectStore } from "../../../functions/shared/store";
import { type ApiRequest } from "../../../functions/shared/api";
import { objectIndex, type ObjectIndex } from "../../../functions/shared/object-index";
import { s3ClientConfig } from "../../../functions/shared/settings";
import { uploadsFunction } from "../../../functions/uploads/app";
import { loadUploadsConfig } from "../../../functions/uploads/config";
import { type UploadsDeps } from "../../../functions/uploads/core";
import { createIndexTable, dynamoDbClient } from "../../harness/dynamodb";
import { apiRequest, CALLER } from "../fixtures";

const ROUTING = { pooledBucket: "mobile-s3-dev-storage", accessPointArnPrefix: "arn:aws:s3:us-east-1:123456789012:accesspoint/mobile-s3-dev-", accessPointTenants: [], dedicatedBuckets: {} };

/** A complete environment as the program writes it (infra/api/function-environment.ts). */
const ENV = {
  TENANT_ROUTING: JSON.stringify(ROUTING),
  PRESIGN_TTL_SECONDS: "300",
  MAX_OBJECT_BYTES: "5368709120",
  SINGLE_PUT_MAX_BYTES: "16777216",
  ALLOWED_CONTENT_TYPES: '["image/jpeg","video/mp4"]',
  PART_URL_BATCH_MAX: "20",
  INDEX_TABLE: "mobile-s3-dev-index",
};

/** The core behind the runtime's route and caller checks, as the handler calls it. */
const handleUploadsRequest = (request: ApiRequest, config: ReturnType<typeof loadUploadsConfig>, deps: UploadsDeps) => uploadsFunction.serve(request, { config, deps });

/** A port that must never be reached: any call fails the test. */
const untouchable = <T extends object>(name: string) =>
  new Proxy({} as T, {
    get: (_target, method) => () => {
      throw new Error(`the ${name} was asked to ${String(method)}`);
    },
  });
const nothing = { store: untouchable<ObjectStore>("store"), index: untouchable<ObjectIndex>("index") };

describe("functions/uploads/core", () => {
  it("declares exactly the routes docs/API.md gives it", () => {
    assert.deepEqual(
      [...UPLOADS_ROUTES].sort(),
      [
        "DELETE /v1/uploads/{uploadId}",
        "GET /v1/uploads/{uploadId}/parts",
        "POST /v1/uploads",
        "POST /v1/uploads/{uploadId}/complete",
        "POST /v1/uploads/{uploadId}/parts",
      ],
    );
  });

  it("reads its limits from the environment, with no quota and Cognito's tenant claim by default", () => {
    assert.deepEqual(loadUploadsConfig(ENV), {
      routing: ROUTING,
      tenantClaim: "custom:tenant",
      presignTtlSeconds: 300,
      maxObjectBytes: 5368709120,
      singlePutMaxBytes: 16777216,
      allowedContentTypes: ["image/jpeg", "video/mp4"],
      partUrlBatchMax: 20,
      table: "mobile-s3-dev-index",
      userQuotaBytes: undefined,
      abortIncompleteUploadDays: 1,
    });
  });

  it("reads the optional quota, tenant claim and lifecycle days", () => {
    const config = loadUploadsConfig({ ...ENV, USER_QUOTA_BYTES: "1073741824", TENANT_CLAIM: "custom:org", ABORT_INCOMPLETE_UPLOAD_DAYS: "7" });
    assert.equal(config.userQuotaBytes, 1073741824);
    assert.equal(config.tenantClaim, "custom:org");
    assert.equal(config.abortIncompleteUploadDays, 7);
  });

  for (const variable of Object.keys(ENV)) {
    it(`refuses to start without ${variable}, naming it`, () => {
      const env: Record<string, string> = { ...ENV };
      delete env[variable];
      assert.throws(
        () => loadUploadsConfig(env),
        (err: unknown) => err instanceof ConfigurationError && err.variable === variable && err.message.includes(variable),
      );
    });
  }

  const refused: [string, Record<string, string>, RegExp][] = [
    ["a presign lifetime over 15 minutes", { PRESIGN_TTL_SECONDS: "901" }, /PRESIGN_TTL_SECONDS must be an integer from 1 to 900, got "901"/],
    ["a presign lifetime of 0", { PRESIGN_TTL_SECONDS: "0" }, /PRESIGN_TTL_SECONDS must be an integer from 1 to 900/],
    ["a fractional size", { MAX_OBJECT_BYTES: "1.5" }, /MAX_OBJECT_BYTES must be an integer/],
    ["a part batch over 100", { PART_URL_BATCH_MAX: "101" }, /PART_URL_BATCH_MAX must be an integer from 1 to 100/],
    ["a wildcard content type", { ALLOWED_CONTENT_TYPES: '["image/*"]' }, /ALLOWED_CONTENT_TYPES holds an invalid entry "image\/\*"/],
    ["an empty content-type list", { ALLOWED_CONTENT_TYPES: "[]" }, /ALLOWED_CONTENT_TYPES must be a non-empty JSON array/],
    ["a content type without an extension rule", { ALLOWED_CONTENT_TYPES: '["image/jpeg","image/tiff"]' }, /ALLOWED_CONTENT_TYPES lists "image\/tiff", which has no extension rule/],
    ["tenant routing that is not JSON", { TENANT_ROUTING: "pooled" }, /TENANT_ROUTING must be valid JSON/],
    ["tenant routing without a pooled bucket", { TENANT_ROUTING: "{}" }, /TENANT_ROUTING must hold pooledBucket/],
    ["a quota of 0", { USER_QUOTA_BYTES: "0" }, /USER_QUOTA_BYTES must be an integer from 1/],
    ["a quota in other units", { USER_QUOTA_BYTES: "10GB" }, /USER_QUOTA_BYTES must be an integer/],
    ["lifecycle days over a year", { ABORT_INCOMPLETE_UPLOAD_DAYS: "366" }, /ABORT_INCOMPLETE_UPLOAD_DAYS must be an integer from 1 to 365/],
    ["a tenant claim that is not a claim name", { TENANT_CLAIM: "custom tenant" }, /TENANT_CLAIM must be a claim name/],
    ["an index table name DynamoDB would refuse", { INDEX_TABLE: "my table" }, /INDEX_TABLE must name the object index's DynamoDB table/],
  ];
  for (const [label, change, message] of refused) {
    it(`refuses ${label}`, () => {
      assert.throws(() => loadUploadsConfig({ ...ENV, ...change }), message);
    });
  }

  it("answers 401 to a request without verified claims, before touching S3 or the index", async () => {
    const response = await handleUploadsRequest(apiRequest("POST /v1/uploads", { caller: undefined }), loadUploadsConfig(ENV), nothing);
    assert.equal(response.status, 401);
    assert.equal((response.body as { error: { code: string } }).error.code, "Unauthorized");
  });

  it("answers 404 to a route it does not serve", async () => {
    const response = await handleUploadsRequest(apiRequest("GET /v1/elsewhere"), loadUploadsConfig(ENV), nothing);
    assert.equal(response.status, 404);
    assert.equal((response.body as { error: { code: string } }).error.code, "RouteNotFound");
  });

  describe("with the object index (a local DynamoDB)", () => {
    let dynamodb: DynamoDBClient;
    let index: ObjectIndex;
    before(async () => {
      dynamodb = await dynamoDbClient();
      index = objectIndex(dynamodb, await createIndexTable(dynamodb));
    });
    after(() => dynamodb?.destroy());

    it("promises a multipart upload until the bucket's lifecycle would abort it, with the first batch of part URLs, and records its declared size in the home's usage item", async () => {
      const now = Date.parse("2026-01-01T00:00:00Z");
      // Only the calls a multipart start makes; any other (a listing that counts the home) fails the test.
      const store = new Proxy(
        {
          createMultipartUpload: async () => "upload-1",
          presignUploadPart: async (p: { partNumber: number; uploadId: string; contentLength: number; expiresIn: number }) => ({
            url: `https://s3.example/clip.mp4?uploadId=${p.uploadId}&partNumber=${p.partNumber}`,
            method: "PUT",
            headers: { "content-length": String(p.contentLength) },
            expiresAt: new Date(now + p.expiresIn * 1000).toISOString(),
          }),
        } as unknown as ObjectStore,
        { get: (target, name: string) => target[name as keyof ObjectStore] ?? (() => assert.fail(`unexpected store.${name}`)) },
      );
      const body = JSON.stringify({ path: "clip.mp4", contentType: "video/mp4", size: 20 * 1024 ** 2 });
      const config = loadUploadsConfig({ ...ENV, ABORT_INCOMPLETE_UPLOAD_DAYS: "3" });
      const response = await handleUploadsRequest(apiRequest("POST /v1/uploads", { body }), config, { store, index, now: () => now });
      assert.deepEqual(response.body, {
        mode: "multipart",
        path: "clip.mp4",
        uploadId: "upload-1",
        partSize: 5 * 1024 ** 2,
        partCount: 4,
        expiresAt: "2026-01-04T00:00:00.000Z",
        parts: [1, 2, 3, 4].map((n) => ({
          partNumber: n,
          url: `https://s3.example/clip.mp4?uploadId=upload-1&partNumber=${n}`,
          // Each part's exact length is part of its signature.
          size: 5 * 1024 ** 2,
          expiresAt: new Date(now + config.presignTtlSeconds * 1000).toISOString(),
        })),
      });
      const usage = await index.usage({ tenant: "acme", home: CALLER.sub });
      assert.deepEqual(
        usage.reservations.map(({ kind, path, bytes, createdAt, expiresAt, uploadId }) => ({ kind, path, bytes, createdAt, expiresAt, uploadId })),
        [{ kind: "multipart", path: "clip.mp4", bytes: 20 * 1024 ** 2, createdAt: now, expiresAt: Date.parse("2026-01-04T00:00:00Z"), uploadId: "upload-1" }],
      );
      assert.deepEqual([usage.reservedBytes, usage.openUploads, usage.storedBytes], [20 * 1024 ** 2, 1, 0]);
    });

    it("withdraws the promise when S3 refuses to start the upload", async () => {
      const caller = { sub: "5f2d1c3e-0000-4000-8000-00000000000b", claims: { ...CALLER.claims, sub: "5f2d1c3e-0000-4000-8000-00000000000b" } };
      const store = { createMultipartUpload: () => Promise.reject(Object.assign(new Error("SlowDown"), { $metadata: { httpStatusCode: 503 } })) } as unknown as ObjectStore;
      const body = JSON.stringify({ path: "clip.mp4", contentType: "video/mp4", size: 20 * 1024 ** 2 });
      await assert.rejects(handleUploadsRequest(apiRequest("POST /v1/uploads", { caller, body }), loadUploadsConfig(ENV), { store, index }), /SlowDown/);
      const usage = await index.usage({ tenant: "acme", home: caller.sub });
      assert.deepEqual([usage.reservations, usage.reservedBytes, usage.openUploads], [[], 0, 0]);
    });
  });

  it("talks to AWS's S3 by default and to S3_ENDPOINT, path-style, when set", () => {
    assert.deepEqual(s3ClientConfig({}), {});
    assert.deepEqual(s3ClientConfig({ S3_ENDPOINT: "http://127.0.0.1:8000" }), { endpoint: "http://127.0.0.1:8000", forcePathStyle: true });
    assert.throws(() => s3ClientConfig({ S3_ENDPOINT: "127.0.0.1:8000" }), /S3_ENDPOINT must be an http\(s\) URL/);
  });
});
