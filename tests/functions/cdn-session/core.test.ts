import * as assert from "node:assert/strict";
import { CDN_SESSION_ROUTES, handleCdnSessionRequest, loadCdnSessionConfig } from "../../../functions/cdn-session/core";
import { describeApiCore } from "../fixtures";

const ENV = {
  TENANT_ROUTING: '{"default":"pooled"}',
  CDN_DOMAIN_NAME: "d111111abcdef8.cloudfront.net",
  CDN_KEY_PAIR_ID: "K2JCJMDEHXQW5F",
  CDN_PRIVATE_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:cdn-key-AbCdEf",
  CDN_SESSION_TTL_SECONDS: "3600",
};

describe("functions/cdn-session/core", () => {
  describeApiCore({
    apiMdRoutes: ["POST /v1/cdn-session"],
    declaredRoutes: CDN_SESSION_ROUTES,
    env: ENV,
    load: loadCdnSessionConfig,
    handle: handleCdnSessionRequest,
  });

  it("reads where the key is, never the key itself", () => {
    const config = loadCdnSessionConfig(ENV);
    assert.equal(config.privateKeySecretArn, ENV.CDN_PRIVATE_KEY_SECRET_ARN);
    assert.equal(config.sessionTtlSeconds, 3600);
    assert.ok(!JSON.stringify(config).includes("PRIVATE KEY"));
  });

  it("refuses a session shorter than a minute or longer than 12 hours", () => {
    for (const ttl of ["59", "43201"]) {
      assert.throws(() => loadCdnSessionConfig({ ...ENV, CDN_SESSION_TTL_SECONDS: ttl }), /CDN_SESSION_TTL_SECONDS must be an integer from 60 to 43200/);
    }
  });
});
