import * as assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import { BundleError, bundleHandler, handlerArchive } from "../../../infra/api/bundle";
import { API_FUNCTIONS, FUNCTION_NAMES, ROUTES } from "../../../infra/api/catalog";
import { httpApiEvent } from "../../functions/fixtures";

const REPO_ROOT = path.resolve(__dirname, "../../..");

/** Complete environments, as the program sets them (see function-environment.test.ts for that claim). */
const ENVIRONMENTS: Record<string, Record<string, string>> = {
  uploads: {
    TENANT_ROUTING: "{}",
    PRESIGN_TTL_SECONDS: "300",
    MAX_OBJECT_BYTES: "1000000",
    SINGLE_PUT_MAX_BYTES: "1000",
    ALLOWED_CONTENT_TYPES: '["image/jpeg"]',
    PART_URL_BATCH_MAX: "10",
  },
  objects: { TENANT_ROUTING: "{}", PRESIGN_TTL_SECONDS: "300" },
  "cdn-session": {
    TENANT_ROUTING: "{}",
    CDN_DOMAIN_NAME: "d111111abcdef8.cloudfront.net",
    CDN_KEY_PAIR_ID: "K2JCJMDEHXQW5F",
    CDN_PRIVATE_KEY_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf",
    CDN_SESSION_TTL_SECONDS: "3600",
  },
  proxy: { TENANT_ROUTING: "{}", PROXY_MAX_BYTES: "1000", ALLOWED_CONTENT_TYPES: '["image/png"]' },
  scan: { SCAN_BUCKETS: '["mobile-s3-dev-storage-abc1234"]' },
};

/**
 * Evaluates a bundle as the Lambda runtime would load `index.js`: CommonJS, with `process.env`.
 * Any `require` fails the test: these bundles must be self-contained (the SDK is not used yet).
 */
function load(code: string, env: Record<string, string>, logged: unknown[] = []): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const log = (line: unknown) => logged.push(line);
  const sandbox = {
    module,
    exports: module.exports,
    require: (id: string) => {
      throw new Error(`the bundle requires "${id}" at run time`);
    },
    process: { env },
    console: { debug: log, info: log, warn: log, error: log, log },
  };
  vm.runInNewContext(code, sandbox, { filename: "index.js" });
  return module.exports;
}

describe("infra/api/bundle", () => {
  const bundles = new Map(FUNCTION_NAMES.map((fn) => [fn, bundleHandler(fn)]));

  for (const fn of API_FUNCTIONS) {
    it(`${fn}: is a self-contained CommonJS module whose handler answers every route it serves`, async () => {
      const { handler } = load(bundles.get(fn)!, ENVIRONMENTS[fn]);
      assert.equal(typeof handler, "function");
      for (const routeKey of ROUTES[fn]) {
        const result = await (handler as (e: unknown) => Promise<{ statusCode: number; body: string }>)(httpApiEvent(routeKey));
        assert.equal(result.statusCode, 501, routeKey);
        assert.equal(JSON.parse(result.body).error.code, "NotImplemented");
      }
    });
  }

  it("scan: is a self-contained CommonJS module whose handler takes an EventBridge event", async () => {
    const logged: unknown[] = [];
    const { handler } = load(bundles.get("scan")!, ENVIRONMENTS.scan, logged);
    const event = {
      source: "aws.s3",
      "detail-type": "Object Created",
      detail: { bucket: { name: "mobile-s3-dev-storage-abc1234" }, object: { key: "tenants/acme/home/u1/x", size: 1 } },
    };
    assert.equal(await (handler as (e: unknown) => Promise<unknown>)(event), undefined);
    assert.equal(logged.length, 1);
    assert.match(JSON.stringify(logged[0]), /"key":"tenants\/acme\/home\/u1\/x"/);
  });

  it("fails the cold start, naming the variable, when the environment lacks a setting", () => {
    const env = { ...ENVIRONMENTS.uploads };
    delete env.PRESIGN_TTL_SECONDS;
    assert.throws(() => load(bundles.get("uploads")!, env), /environment variable PRESIGN_TTL_SECONDS is required but not set/);
  });

  it("is deterministic and carries no source map or path of the machine that built it", () => {
    for (const [fn, code] of bundles) {
      assert.equal(bundleHandler(fn), code, `${fn} bundles to the same bytes twice`);
      assert.ok(!code.includes(REPO_ROOT), `${fn} holds no absolute path`);
      assert.ok(!code.includes("sourceMappingURL"), `${fn} has no source map`);
    }
  });

  it("packages the bundle as index.js, the only file of the archive (handler index.handler)", async () => {
    const archive = handlerArchive("objects");
    const assets = await archive.assets;
    assert.deepEqual(Object.keys(assets), ["index.js"]);
    assert.equal(await (assets["index.js"] as { text: Promise<string> }).text, bundles.get("objects"));
  });

  describe("with handlers outside the repository", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), "mobile-s3-bundle-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    function handler(name: string, source: string): void {
      mkdirSync(path.join(dir, name), { recursive: true });
      writeFileSync(path.join(dir, name, "handler.ts"), source);
    }

    it("leaves the AWS SDK v3 to the runtime instead of bundling it", () => {
      handler("sdk", 'import { S3Client } from "@aws-sdk/client-s3";\nexport const handler = async () => new S3Client({}).config.region;\n');
      const code = bundleHandler("sdk", dir);
      assert.match(code, /require\("@aws-sdk\/client-s3"\)/);
      assert.ok(code.length < 2_000, `the client stays out of the bundle (${code.length} bytes)`);
    });

    it("targets Node 22 as CommonJS", () => {
      handler("modern", "export const handler = async (e?: { a?: { b?: number } }) => e?.a?.b ?? 1;\n");
      const code = bundleHandler("modern", dir);
      assert.match(code, /module\.exports/);
      assert.match(code, /\?\./, "optional chaining kept: Node 22 needs no down-levelling");
    });

    it("fails loudly, naming the function, when its handler.ts is missing", () => {
      assert.throws(
        () => bundleHandler("nope", dir),
        (err: unknown) => err instanceof BundleError && err.functionName === "nope" && /function "nope".*nope\/handler\.ts does not exist/.test(err.message),
      );
    });

    it("fails loudly, naming the function and the file and line, when the build fails", () => {
      handler("broken", "export const handler = async () => {\n  return ;;; )\n};\n");
      assert.throws(() => bundleHandler("broken", dir), /cannot bundle function "broken": .*broken\/handler\.ts:2:/);
      handler("unresolved", 'import { x } from "./missing";\nexport const handler = async () => x;\n');
      assert.throws(() => bundleHandler("unresolved", dir), /cannot bundle function "unresolved": .*Could not resolve "\.\/missing"/);
    });
  });
});
