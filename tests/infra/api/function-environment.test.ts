import { API_FUNCTIONS, FUNCTION_NAMES, type FunctionName, GUARDDUTY_VOCABULARY } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { readLogLevel } from "../../../functions/shared/log";
import { readAdapterSettings } from "../../../functions/shared/settings";
import { functionEnvironment, type FunctionEnvironmentInput } from "../../../infra/api/function-environment";
import { ENVIRONMENT_INPUT as INPUT, INDEX_TABLE_NAME, LOADERS, POOLED_BUCKET, SILO_BUCKET, TENANT_ROUTING, VALID_LIMITS } from "./fixtures";

/** Each function's own loader: the program writes the variables, these read them at cold start. */

const USERS = { tenantClaim: "custom:org", quotaBytes: 10 * 1024 ** 3, abortIncompleteUploadDays: 3 };

describe("infra/api/function-environment", () => {
  // What each loader makes of the program's values, written out here rather than derived.
  const expected: Record<FunctionName, unknown> = {
    uploads: {
      routing: TENANT_ROUTING,
      tenantClaim: "custom:tenant",
      presignTtlSeconds: 300,
      maxObjectBytes: VALID_LIMITS.maxObjectBytes,
      singlePutMaxBytes: VALID_LIMITS.singlePutMaxBytes,
      allowedContentTypes: VALID_LIMITS.allowedContentTypes,
      partUrlBatchMax: 20,
      table: INDEX_TABLE_NAME,
      userQuotaBytes: undefined,
      abortIncompleteUploadDays: 1,
    },
    objects: { tenantRouting: TENANT_ROUTING, presignTtlSeconds: 300, tenantClaim: "custom:tenant", scan: GUARDDUTY_VOCABULARY, table: INDEX_TABLE_NAME },
    "cdn-session": {
      domainName: "d111111abcdef8.cloudfront.net",
      keyPairId: "K2JCJMDEHXQW5F",
      privateKey: { secretArn: INPUT.cdn!.privateKeySecretArn },
      sessionTtlSeconds: 3600,
      tenantClaim: "custom:tenant",
    },
    proxy: {
      tenantRouting: TENANT_ROUTING,
      proxyMaxBytes: VALID_LIMITS.proxyMaxBytes,
      allowedContentTypes: VALID_LIMITS.allowedContentTypes,
      tenantClaim: "custom:tenant",
      scan: GUARDDUTY_VOCABULARY,
      table: INDEX_TABLE_NAME,
    },
    admin: { table: INDEX_TABLE_NAME, userPoolId: "us-east-1_AbCdEfGhI", adminGroup: "admins", tenantClaim: "custom:tenant" },
    scan: { buckets: new Set([POOLED_BUCKET, SILO_BUCKET]), scan: GUARDDUTY_VOCABULARY },
    indexer: { routing: TENANT_ROUTING, table: INDEX_TABLE_NAME, scan: GUARDDUTY_VOCABULARY },
  };

  for (const fn of FUNCTION_NAMES) {
    it(`${fn}: sets exactly what its loader requires, and the loader reads back the program's values`, () => {
      const env = functionEnvironment(fn, INPUT);
      assert.deepEqual(LOADERS[fn](env), expected[fn]);
      assert.equal(readLogLevel(env), "INFO");
      // The program sets nothing unused: without a variable the loader (or the runtime, for the
      // adapter's own settings such as REVOCATION_TABLE) either refuses to start, naming it, or
      // reads something else (an optional setting such as USER_QUOTA_BYTES).
      const readAll = (e: Record<string, string>) => [LOADERS[fn](e), readAdapterSettings(e)];
      for (const variable of Object.keys(env).filter((v) => v !== "LOG_LEVEL")) {
        const without = { ...env };
        delete without[variable];
        let read: unknown;
        try {
          read = readAll(without);
        } catch (err) {
          assert.match((err as Error).message, new RegExp(`environment variable ${variable} `), `${fn} without ${variable}`);
          continue;
        }
        assert.notDeepEqual(read, readAll(env), `${fn} ignores ${variable}: the program sets nothing unused`);
      }
    });
  }

  describe("users' settings", () => {
    it("uploads: hands over the tenant claim, the quota and the multipart lifetime, and the loader reads them", () => {
      const env = functionEnvironment("uploads", { ...INPUT, users: USERS });
      assert.equal(env.TENANT_CLAIM, "custom:org");
      assert.equal(env.USER_QUOTA_BYTES, String(10 * 1024 ** 3));
      assert.equal(env.ABORT_INCOMPLETE_UPLOAD_DAYS, "3");
      assert.deepEqual(LOADERS.uploads(env), {
        ...(expected.uploads as object),
        tenantClaim: "custom:org",
        userQuotaBytes: 10 * 1024 ** 3,
        abortIncompleteUploadDays: 3,
      });
    });

    for (const fn of ["objects", "proxy"] as const) {
      it(`${fn}: reads the tenant claim and the quota (it reserves against it), and nothing else of them`, () => {
        const env = functionEnvironment(fn, { ...INPUT, users: USERS });
        assert.deepEqual(env, { ...functionEnvironment(fn, INPUT), TENANT_CLAIM: "custom:org", USER_QUOTA_BYTES: String(10 * 1024 ** 3) });
        assert.deepEqual(LOADERS[fn](env), { ...(expected[fn] as object), tenantClaim: "custom:org", userQuotaBytes: 10 * 1024 ** 3 });
      });
    }

    it("cdn-session: reads the tenant claim, and only the tenant claim", () => {
      const env = functionEnvironment("cdn-session", { ...INPUT, users: USERS });
      assert.deepEqual(env, { ...functionEnvironment("cdn-session", INPUT), TENANT_CLAIM: "custom:org" });
      assert.deepEqual(LOADERS["cdn-session"](env), { ...(expected["cdn-session"] as object), tenantClaim: "custom:org" });
    });

    it("indexer: reads the quota alone (it flags a home past it; it serves no caller, so no claim)", () => {
      const env = functionEnvironment("indexer", { ...INPUT, users: USERS });
      assert.deepEqual(env, { ...functionEnvironment("indexer", INPUT), USER_QUOTA_BYTES: String(10 * 1024 ** 3) });
      assert.deepEqual(LOADERS.indexer(env), { ...(expected.indexer as object), userQuotaBytes: 10 * 1024 ** 3 });
    });

    it("every API function refuses tokens issued before revokeSessionsIssuedBefore; the event functions get no such variable", () => {
      const users = { sessionsRevokedBefore: "2026-05-01T12:00:00Z" };
      for (const fn of FUNCTION_NAMES) {
        const env = functionEnvironment(fn, { ...INPUT, users });
        if ((API_FUNCTIONS as readonly string[]).includes(fn)) {
          assert.deepEqual(env, { ...functionEnvironment(fn, INPUT), SESSIONS_REVOKED_BEFORE: "2026-05-01T12:00:00Z" }, fn);
          assert.equal(readAdapterSettings(env).sessionsRevokedBefore, Date.parse("2026-05-01T12:00:00Z"), fn);
        } else {
          assert.deepEqual(env, functionEnvironment(fn, INPUT), fn);
        }
      }
    });

    it("scan: gets none of them (it serves no caller)", () => {
      assert.deepEqual(functionEnvironment("scan", { ...INPUT, users: USERS }), functionEnvironment("scan", INPUT));
    });

    const defaults: [string, FunctionEnvironmentInput["users"]][] = [
      ["absent", undefined],
      ["Cognito's own claim and no quota", { tenantClaim: "custom:tenant", quotaBytes: 0 }],
    ];
    for (const [label, users] of defaults) {
      it(`sets no variable for settings left at the functions' defaults (${label})`, () => {
        for (const fn of FUNCTION_NAMES) {
          const names = Object.keys(functionEnvironment(fn, { ...INPUT, users }));
          for (const variable of ["TENANT_CLAIM", "USER_QUOTA_BYTES", "ABORT_INCOMPLETE_UPLOAD_DAYS"]) {
            assert.ok(!names.includes(variable), `${fn}: ${variable}`);
          }
        }
      });
    }
  });

  it("names the object index to exactly the functions that use it, and to none without a table", () => {
    const named = FUNCTION_NAMES.filter((fn) => "INDEX_TABLE" in functionEnvironment(fn, INPUT));
    assert.deepEqual(named, ["uploads", "objects", "proxy", "indexer"]);
    for (const fn of named) {
      assert.equal(functionEnvironment(fn, INPUT).INDEX_TABLE, INDEX_TABLE_NAME, fn);
      const without = { ...INPUT, indexTableName: undefined };
      assert.ok(!("INDEX_TABLE" in functionEnvironment(fn, without)), fn);
      // The function then refuses to start, naming the variable: a deployment without the index fails closed.
      assert.throws(() => LOADERS[fn](functionEnvironment(fn, without)), /environment variable INDEX_TABLE /, fn);
    }
  });

  it("gives only cdn-session the CDN settings, nobody the private key, and cdn-session no routing", () => {
    for (const fn of ["uploads", "objects", "proxy", "scan", "indexer"] as const) {
      assert.ok(!Object.keys(functionEnvironment(fn, INPUT)).some((v) => v.startsWith("CDN_")), fn);
    }
    const cdnSession = functionEnvironment("cdn-session", INPUT);
    assert.ok(!("CDN_PRIVATE_KEY_PEM" in cdnSession));
    assert.ok(!("TENANT_ROUTING" in cdnSession), "the cookie path is the home in every tier");
    assert.throws(() => functionEnvironment("cdn-session", { ...INPUT, cdn: undefined }), /\[cdn\] is required for the cdn-session function/);
  });

  it("never sets a sandbox-only variable", () => {
    for (const fn of FUNCTION_NAMES) {
      const names = Object.keys(functionEnvironment(fn, { ...INPUT, users: USERS }));
      for (const variable of ["S3_ENDPOINT", "DYNAMODB_ENDPOINT", "JWT_ISSUER", "JWT_AUDIENCE", "JWT_JWKS", "CDN_PRIVATE_KEY_PEM"]) {
        assert.ok(!names.includes(variable), `${fn}: ${variable}`);
      }
    }
  });

  it("refuses an environment over Lambda's 4 KB, naming the argument to shrink", () => {
    const crowded = JSON.stringify({ ...TENANT_ROUTING, accessPointTenants: Array.from({ length: 400 }, (_, i) => `tenant-${i}`) });
    assert.throws(
      () => functionEnvironment("objects", { ...INPUT, tenantRoutingJson: crowded }),
      /^Error: \[tenantRoutingJson\] makes the objects function's environment \d+ bytes, over Lambda's 4096; TENANT_ROUTING alone is \d+ bytes/,
    );
    // Neither the scanner nor cdn-session carries the routing, so they are unaffected.
    for (const fn of ["scan", "cdn-session"] as const) {
      assert.doesNotThrow(() => functionEnvironment(fn, { ...INPUT, tenantRoutingJson: crowded }), fn);
    }
  });
});
