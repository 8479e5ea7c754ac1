import * as assert from "node:assert/strict";
import { handleObjectsRequest, loadObjectsConfig, OBJECTS_ROUTES } from "../../../functions/objects/core";
import { describeApiCore } from "../fixtures";

const ENV = { TENANT_ROUTING: '{"default":"pooled"}', PRESIGN_TTL_SECONDS: "120" };

describe("functions/objects/core", () => {
  describeApiCore({
    apiMdRoutes: ["GET /v1/objects", "GET /v1/objects/url", "DELETE /v1/objects"],
    declaredRoutes: OBJECTS_ROUTES,
    env: ENV,
    load: loadObjectsConfig,
    handle: handleObjectsRequest,
  });

  it("reads the presign lifetime and refuses one over 15 minutes", () => {
    assert.equal(loadObjectsConfig(ENV).presignTtlSeconds, 120);
    assert.throws(() => loadObjectsConfig({ ...ENV, PRESIGN_TTL_SECONDS: "3600" }), /PRESIGN_TTL_SECONDS must be an integer from 1 to 900/);
  });
});
