import * as assert from "node:assert/strict";
import { handleProxyRequest, loadProxyConfig, PROXY_ROUTES } from "../../../functions/proxy/core";
import { describeApiCore } from "../fixtures";

const ENV = { TENANT_ROUTING: '{"default":"pooled"}', PROXY_MAX_BYTES: "1048576", ALLOWED_CONTENT_TYPES: '["image/png"]' };

describe("functions/proxy/core", () => {
  describeApiCore({
    apiMdRoutes: ["POST /v1/proxy/objects"],
    declaredRoutes: PROXY_ROUTES,
    env: ENV,
    load: loadProxyConfig,
    handle: handleProxyRequest,
  });

  it("refuses a proxied body cap over 4 MiB (it arrives base64-encoded in a 6 MB request)", () => {
    assert.equal(loadProxyConfig({ ...ENV, PROXY_MAX_BYTES: String(4 * 1024 ** 2) }).proxyMaxBytes, 4194304);
    assert.throws(() => loadProxyConfig({ ...ENV, PROXY_MAX_BYTES: String(4 * 1024 ** 2 + 1) }), /PROXY_MAX_BYTES must be an integer from 1 to 4194304/);
  });

  it("refuses a content type listed twice", () => {
    assert.throws(() => loadProxyConfig({ ...ENV, ALLOWED_CONTENT_TYPES: '["image/png","image/png"]' }), /ALLOWED_CONTENT_TYPES lists an entry twice/);
  });
});
