import * as assert from "node:assert/strict";
import { handleUploadsRequest, loadUploadsConfig, UPLOADS_ROUTES } from "../../../functions/uploads/core";
import { describeApiCore } from "../fixtures";

const ENV = {
  TENANT_ROUTING: '{"default":"pooled"}',
  PRESIGN_TTL_SECONDS: "300",
  MAX_OBJECT_BYTES: "5368709120",
  SINGLE_PUT_MAX_BYTES: "16777216",
  ALLOWED_CONTENT_TYPES: '["image/jpeg","video/mp4"]',
  PART_URL_BATCH_MAX: "20",
};

describe("functions/uploads/core", () => {
  describeApiCore({
    apiMdRoutes: [
      "POST /v1/uploads",
      "POST /v1/uploads/{uploadId}/parts",
      "GET /v1/uploads/{uploadId}/parts",
      "POST /v1/uploads/{uploadId}/complete",
      "DELETE /v1/uploads/{uploadId}",
    ],
    declaredRoutes: UPLOADS_ROUTES,
    env: ENV,
    load: loadUploadsConfig,
    handle: handleUploadsRequest,
  });

  it("reads its limits from the environment", () => {
    assert.deepEqual(loadUploadsConfig(ENV), {
      tenantRouting: { default: "pooled" },
      presignTtlSeconds: 300,
      maxObjectBytes: 5368709120,
      singlePutMaxBytes: 16777216,
      allowedContentTypes: ["image/jpeg", "video/mp4"],
      partUrlBatchMax: 20,
    });
  });

  const refused: [string, Record<string, string>, RegExp][] = [
    ["a presign lifetime over 15 minutes", { PRESIGN_TTL_SECONDS: "901" }, /PRESIGN_TTL_SECONDS must be an integer from 1 to 900, got "901"/],
    ["a presign lifetime of 0", { PRESIGN_TTL_SECONDS: "0" }, /PRESIGN_TTL_SECONDS must be an integer from 1 to 900/],
    ["a fractional size", { MAX_OBJECT_BYTES: "1.5" }, /MAX_OBJECT_BYTES must be an integer/],
    ["a part batch over 100", { PART_URL_BATCH_MAX: "101" }, /PART_URL_BATCH_MAX must be an integer from 1 to 100/],
    ["a wildcard content type", { ALLOWED_CONTENT_TYPES: '["image/*"]' }, /ALLOWED_CONTENT_TYPES holds an invalid entry "image\/\*"/],
    ["an empty content-type list", { ALLOWED_CONTENT_TYPES: "[]" }, /ALLOWED_CONTENT_TYPES must be a non-empty JSON array/],
    ["tenant routing that is not JSON", { TENANT_ROUTING: "pooled" }, /TENANT_ROUTING must be valid JSON/],
  ];
  for (const [label, change, message] of refused) {
    it(`refuses ${label}`, () => {
      assert.throws(() => loadUploadsConfig({ ...ENV, ...change }), message);
    });
  }
});
