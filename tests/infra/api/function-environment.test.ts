import * as assert from "node:assert/strict";
import { loadCdnSessionConfig } from "../../../functions/cdn-session/core";
import { loadObjectsConfig } from "../../../functions/objects/core";
import { loadProxyConfig } from "../../../functions/proxy/core";
import { loadScanConfig } from "../../../functions/scan/core";
import { loadUploadsConfig } from "../../../functions/uploads/core";
import { type FunctionName } from "../../../infra/api/catalog";
import { functionEnvironment, type FunctionEnvironmentInput } from "../../../infra/api/function-environment";
import { VALID_LIMITS } from "./fixtures";

const INPUT: FunctionEnvironmentInput = {
  logLevel: "INFO",
  tenantRoutingJson: '{"tenants":{"acme":{"tier":"pooled"}}}',
  limits: VALID_LIMITS,
  bucketNames: ["mobile-s3-dev-storage-abc1234"],
  cdn: {
    domainName: "d111111abcdef8.cloudfront.net",
    keyPairId: "K2JCJMDEHXQW5F",
    privateKeySecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:cdn-key-AbCdEf",
  },
};

describe("infra/api/function-environment", () => {
  // The program writes the variables and each core reads them: a renamed or missing variable fails here.
  const loaders: Record<FunctionName, (env: Record<string, string>) => unknown> = {
    uploads: loadUploadsConfig,
    objects: loadObjectsConfig,
    "cdn-session": loadCdnSessionConfig,
    proxy: loadProxyConfig,
    scan: loadScanConfig,
  };
  const expected: Record<FunctionName, unknown> = {
    uploads: {
      tenantRouting: { tenants: { acme: { tier: "pooled" } } },
      presignTtlSeconds: 300,
      maxObjectBytes: VALID_LIMITS.maxObjectBytes,
      singlePutMaxBytes: VALID_LIMITS.singlePutMaxBytes,
      allowedContentTypes: VALID_LIMITS.allowedContentTypes,
      partUrlBatchMax: 20,
    },
    objects: { tenantRouting: { tenants: { acme: { tier: "pooled" } } }, presignTtlSeconds: 300 },
    "cdn-session": {
      tenantRouting: { tenants: { acme: { tier: "pooled" } } },
      domainName: "d111111abcdef8.cloudfront.net",
      keyPairId: "K2JCJMDEHXQW5F",
      privateKeySecretArn: INPUT.cdn!.privateKeySecretArn,
      sessionTtlSeconds: 3600,
    },
    proxy: { tenantRouting: { tenants: { acme: { tier: "pooled" } } }, proxyMaxBytes: VALID_LIMITS.proxyMaxBytes, allowedContentTypes: VALID_LIMITS.allowedContentTypes },
    scan: { buckets: new Set(["mobile-s3-dev-storage-abc1234"]) },
  };
  for (const fn of Object.keys(loaders) as FunctionName[]) {
    it(`${fn}: sets exactly what its core reads, and the core reads back the program's values`, () => {
      const env = functionEnvironment(fn, INPUT);
      assert.deepEqual(loaders[fn](env), expected[fn]);
      assert.equal(env.LOG_LEVEL, "INFO");
      for (const variable of Object.keys(env).filter((v) => v !== "LOG_LEVEL")) {
        const without = { ...env };
        delete without[variable];
        assert.throws(() => loaders[fn](without), new RegExp(variable), `${fn} needs ${variable}: the program sets nothing unused`);
      }
    });
  }

  it("gives only cdn-session the CDN settings, and nobody the private key", () => {
    for (const fn of ["uploads", "objects", "proxy", "scan"] as const) {
      assert.ok(!Object.keys(functionEnvironment(fn, INPUT)).some((v) => v.startsWith("CDN_")), fn);
    }
    assert.throws(() => functionEnvironment("cdn-session", { ...INPUT, cdn: undefined }), /\[cdn\] is required for the cdn-session function/);
  });

  it("refuses an environment over Lambda's 4 KB, naming the argument to shrink", () => {
    const tenants = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`tenant-${i}`, { tier: "pooled" }]));
    assert.throws(
      () => functionEnvironment("objects", { ...INPUT, tenantRoutingJson: JSON.stringify(tenants) }),
      /^Error: \[tenantRoutingJson\] makes the objects function's environment \d+ bytes, over Lambda's 4096; TENANT_ROUTING alone is \d+ bytes/,
    );
    // The scanner does not carry the routing, so it is unaffected.
    assert.doesNotThrow(() => functionEnvironment("scan", { ...INPUT, tenantRoutingJson: JSON.stringify(tenants) }));
  });
});
