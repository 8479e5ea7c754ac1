import { API_FUNCTIONS, FUNCTION_NAMES, type FunctionName, ROUTES } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, verify } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import { BUNDLED_SDK_PACKAGES, BundleError, bundleHandler, handlerArchive, RUNTIME_SDK_SCOPE } from "../../../infra/api/bundle";
import { functionEnvironment } from "../../../infra/api/function-environment";
import { httpApiEvent } from "../../functions/fixtures";
import { ENVIRONMENT_INPUT } from "./fixtures";

const REPO_ROOT = path.resolve(__dirname, "../../..");

/** What the Lambda runtime provides a bundle: Node's built-ins, and the SDK v3 minus what must be bundled. */
function runtimeProvides(id: string): boolean {
  return isBuiltin(id) || (id.startsWith(RUNTIME_SDK_SCOPE) && !BUNDLED_SDK_PACKAGES.includes(id));
}

/** Every module a bundle names in a literal `require("…")`. */
function requiredModules(code: string): string[] {
  return [...new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
}

/** The runtime's SDK packages the functions load on first use, never at module init. */
const LOADED_ON_FIRST_USE = ["@aws-sdk/client-dynamodb", "@aws-sdk/client-s3", "@aws-sdk/client-secrets-manager", "@aws-sdk/s3-request-presigner"];

/**
 * The `@aws-sdk/*` modules a bundle requires while it is loaded, as the runtime loads `index.js`:
 * in a fresh Node process (nothing already in the module cache), with a hook on Node's module
 * loader that records every request, the SDK resolving from the repository's node_modules as it
 * does from the runtime's.
 */
function sdkRequiredAtInit(code: string, env: Record<string, string>, dir: string): string[] {
  const file = path.join(dir, `index-${Date.now()}-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(file, code);
  const script = [
    'const Module = require("node:module");',
    "const seen = new Set();",
    "const load = Module._load;",
    'Module._load = function (request, ...rest) { if (request.startsWith("@aws-sdk/")) seen.add(request); return load.call(this, request, ...rest); };',
    `require(${JSON.stringify(file)});`,
    "process.stdout.write(JSON.stringify([...seen].sort()));",
  ].join("\n");
  const child = spawnSync(process.execPath, ["-e", script], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NODE_PATH: path.join(REPO_ROOT, "node_modules"), NODE_NO_WARNINGS: "1", AWS_REGION: "eu-central-1", ...env },
  });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as string[];
}

/** An SDK call a stub received: `<module>:<export>` of the command or function. */
type SdkCall = string;

/** How a stubbed SDK answers `client.send(command)`; the default refuses, as there is no AWS here. */
type SendAnswer = (command: { constructor: { name: string }; input: unknown }) => Promise<unknown>;

/**
 * A stand-in for one SDK v3 module with the real module's export names: every class or function
 * export is a stub that records being called, and a client's `send` answers through `answer`.
 * Nothing reaches AWS, and an import of a name the SDK does not export stays `undefined`.
 */
function sdkStub(id: string, calls: SdkCall[], answer: SendAnswer): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const real = require(id) as Record<string, unknown>;
  const stub: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(real)) {
    if (typeof value !== "function") {
      stub[name] = value;
      continue;
    }
    const Stub = {
      [name]: function (this: { input?: unknown } | undefined, input?: unknown): unknown {
        if (new.target !== undefined) {
          this!.input = input;
          return undefined;
        }
        calls.push(`${id}:${name}`);
        return Promise.reject(new Error(`${name} is a stub: no AWS in this test`));
      },
    }[name] as unknown as { prototype: Record<string, unknown> };
    stub[name] = Stub;
    Stub.prototype.send = (command: { constructor: { name: string }; input: unknown }) => {
      calls.push(`${id}:${command.constructor.name}`);
      return answer(command);
    };
  }
  return stub;
}

interface Loaded {
  handler: (event: unknown) => Promise<unknown>;
  /** SDK commands sent and SDK functions called. */
  calls: SdkCall[];
  /** The runtime's SDK packages the bundle required, in order. */
  required: string[];
  /** What the bundle wrote to the console. */
  logged: unknown[];
}

/** Variables the runtime reads with a default, so that a cold start without them succeeds. */
const RUNTIME_OPTIONAL = ["LOG_LEVEL", "REVOCATION_TABLE"];

/** The caller's revocation item every API function reads first: none (never revoked). */
const noRevocation = (command: { constructor: { name: string } }) => (command.constructor.name === "GetItemCommand" ? Promise.resolve({}) : undefined);

const refuse: SendAnswer = (command) => Promise.reject(new Error(`${command.constructor.name} sent to a stub: no AWS in this test`));

/**
 * Runs a bundle as the Lambda runtime loads `index.js` (CommonJS, `process.env`), in a context of its
 * own whose `require` gives Node's built-ins and stubs of the runtime's SDK packages, and refuses
 * anything else: a package left out of the bundle fails here, not in the first cold start.
 */
function load(code: string, env: Record<string, string>, answer: SendAnswer = refuse): Loaded {
  const calls: SdkCall[] = [];
  const required: string[] = [];
  const logged: unknown[] = [];
  const log = (line: unknown) => logged.push(line);
  const module = { exports: {} as Record<string, unknown> };
  const sandbox = {
    module,
    exports: module.exports,
    require: (id: string): unknown => {
      if (!runtimeProvides(id)) {
        throw new Error(`the bundle requires "${id}", which the Lambda runtime does not provide`);
      }
      if (isBuiltin(id)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(id);
      }
      required.push(id);
      return sdkStub(id, calls, answer);
    },
    process: { env },
    console: { debug: log, info: log, warn: log, error: log, log },
    Buffer,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    AbortController,
    setTimeout,
    clearTimeout,
    setImmediate,
    clearImmediate,
    queueMicrotask,
  };
  vm.runInNewContext(code, sandbox, { filename: "index.js" });
  const { handler } = module.exports;
  assert.equal(typeof handler, "function", "index.js exports handler");
  return { handler: handler as Loaded["handler"], calls, required, logged };
}

/** Each function's environment exactly as the program sets it. */
const environment = (fn: FunctionName) => functionEnvironment(fn, ENVIRONMENT_INPUT);

describe("infra/api/bundle", () => {
  const bundles = new Map(FUNCTION_NAMES.map((fn) => [fn, bundleHandler(fn)]));
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "mobile-s3-bundle-init-"));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  for (const fn of FUNCTION_NAMES) {
    describe(fn, () => {
      const code = () => bundles.get(fn)!;

      it("bundles to the same bytes every time, without a source map or a path of the machine that built it", () => {
        assert.equal(bundleHandler(fn), code());
        assert.ok(!code().includes(REPO_ROOT), "no absolute path");
        assert.ok(!code().includes("sourceMappingURL"), "no source map");
      });

      it("requires only Node built-ins and the SDK packages the runtime ships", () => {
        const required = requiredModules(code());
        assert.deepEqual(
          required.filter((id) => !runtimeProvides(id)),
          [],
          `${fn} requires ${required.join(", ")}`,
        );
      });

      // A fresh process each: a second load in this one would find the SDK in the module cache.
      it("loads no S3, Secrets Manager or presigner SDK at module init, in a fresh Node process", function () {
        this.timeout(60_000);
        const atInit = sdkRequiredAtInit(code(), environment(fn), scratch);
        assert.deepEqual(
          atInit.filter((id) => LOADED_ON_FIRST_USE.includes(id)),
          [],
          `${fn} requires ${atInit.join(", ")} at init`,
        );
      });

      it("starts in a sandbox with the environment the program sets, and fails the cold start naming a missing variable", () => {
        assert.doesNotThrow(() => load(code(), environment(fn)));
        // LOG_LEVEL has a default (INFO); REVOCATION_TABLE is optional to the runtime (no table: no per-user revocation).
        for (const variable of Object.keys(environment(fn)).filter((v) => !RUNTIME_OPTIONAL.includes(v) || (fn === "admin" && v === "REVOCATION_TABLE"))) {
          const without = { ...environment(fn) };
          delete without[variable];
          assert.throws(() => load(code(), without), new RegExp(`environment variable ${variable} `), `${fn} without ${variable}`);
        }
      });
    });
  }

  for (const fn of API_FUNCTIONS) {
    it(`${fn}: answers every route it serves 401 when no authorizer vouched for the caller, touching no AWS`, async () => {
      const { handler, calls, logged } = load(bundles.get(fn)!, environment(fn));
      for (const routeKey of ROUTES[fn]) {
        const result = (await handler(httpApiEvent(routeKey, null))) as { statusCode: number; body: string };
        assert.equal(result.statusCode, 401, routeKey);
        assert.equal(JSON.parse(result.body).error.code, "Unauthorized", routeKey);
      }
      assert.deepEqual(calls, []);
      assert.deepEqual(logged, [], "nothing failed");
    });
  }

  it("objects: lists from the object index, requiring the DynamoDB client with its first read, once, and never S3's", async () => {
    const query: SendAnswer = async (command) => {
      const revocation = noRevocation(command);
      if (revocation !== undefined) {
        return revocation;
      }
      if (command.constructor.name !== "QueryCommand") {
        throw new Error(`unexpected ${command.constructor.name}`);
      }
      return { Items: [] };
    };
    const { handler, calls, required, logged } = load(bundles.get("objects")!, environment("objects"), query);
    assert.deepEqual(required, [], "nothing from the SDK at init");
    await handler(httpApiEvent("GET /v1/objects", null));
    assert.deepEqual(required, [], "a request that never reaches the index loads nothing");
    for (let i = 0; i < 2; i++) {
      const result = (await handler(httpApiEvent("GET /v1/objects"))) as { statusCode: number };
      assert.equal(result.statusCode, 200, JSON.stringify(logged));
    }
    assert.deepEqual(required, ["@aws-sdk/client-dynamodb"]);
    assert.ok(calls.filter((c) => c === "@aws-sdk/client-dynamodb:QueryCommand").length >= 2, calls.join(", "));
    // One read of the caller's revocation item, kept for the next request (REVOCATION_CACHE_SECONDS).
    assert.deepEqual(calls.filter((c) => c !== "@aws-sdk/client-dynamodb:QueryCommand"), ["@aws-sdk/client-dynamodb:GetItemCommand"]);
  });

  it("cdn-session: signs cookies with the bundled CloudFront signer and the key the runtime SDK reads from Secrets Manager", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const env = environment("cdn-session");
    const secretsManager: SendAnswer = async (command) => {
      const revocation = noRevocation(command);
      if (revocation !== undefined) {
        return revocation;
      }
      // The sandbox's objects have its own prototypes: compare them as JSON.
      if (command.constructor.name !== "GetSecretValueCommand" || JSON.stringify(command.input) !== JSON.stringify({ SecretId: env.CDN_PRIVATE_KEY_SECRET_ARN })) {
        throw new Error(`unexpected ${command.constructor.name} ${JSON.stringify(command.input)}`);
      }
      return { SecretString: pem };
    };
    const { handler, calls, required, logged } = load(bundles.get("cdn-session")!, env, secretsManager);
    assert.deepEqual(required, [], "Secrets Manager's client loads with the first request");
    const result = (await handler(httpApiEvent("POST /v1/cdn-session"))) as { statusCode: number; body: string };
    assert.deepEqual([...required].sort(), ["@aws-sdk/client-dynamodb", "@aws-sdk/client-secrets-manager"]);
    assert.equal(result.statusCode, 200, JSON.stringify(logged));
    assert.deepEqual(calls, ["@aws-sdk/client-dynamodb:GetItemCommand", "@aws-sdk/client-secrets-manager:GetSecretValueCommand"]);
    const { cookies } = JSON.parse(result.body) as { cookies: Record<string, string> };
    assert.equal(cookies["CloudFront-Key-Pair-Id"], env.CDN_KEY_PAIR_ID);
    // CloudFront's URL-safe base64: + → -, = → _, / → ~.
    const unsafe = (text: string) => Buffer.from(text.replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"), "base64");
    const policy = unsafe(cookies["CloudFront-Policy"]);
    assert.match(policy.toString(), /"Resource":"https:\/\/d111111abcdef8\.cloudfront\.net\/tenants\/acme\/home\/[^"]+\/\*"/);
    assert.ok(verify("RSA-SHA1", policy, publicKey, unsafe(cookies["CloudFront-Signature"])), "signed with the secret's key");
  });

  it("scan: takes an EventBridge event, and ignores one for a bucket it does not scan without touching S3", async () => {
    const { handler, calls, logged } = load(bundles.get("scan")!, environment("scan"));
    const event = {
      source: "aws.s3",
      "detail-type": "Object Created",
      detail: { bucket: { name: "someone-elses-bucket" }, object: { key: "tenants/acme/home/u1/x.jpg", size: 1 } },
    };
    assert.equal(await handler(event), undefined);
    assert.deepEqual(calls, []);
    assert.equal(logged.length, 1);
    assert.match(JSON.stringify(logged[0]), /"message":"event ignored"/);
  });

  it("indexer: takes an S3 event from a bucket it does not index, and ignores it touching neither S3 nor the index", async () => {
    const { handler, calls, required } = load(bundles.get("indexer")!, environment("indexer"));
    const event = {
      source: "aws.s3",
      "detail-type": "Object Created",
      detail: { bucket: { name: "someone-elses-bucket" }, object: { key: "tenants/acme/home/u1/x.jpg", size: 1 } },
    };
    assert.equal(await handler(event), undefined);
    assert.deepEqual(calls, []);
    assert.deepEqual(required, []);
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
      assert.deepEqual(requiredModules(code), ["@aws-sdk/client-s3"]);
      assert.ok(code.length < 2_000, `the client stays out of the bundle (${code.length} bytes)`);
    });

    it("turns a lazy import() of the SDK into a require inside the function, which a fresh process does not run at init", function () {
      this.timeout(60_000);
      handler("eager", 'import { S3Client } from "@aws-sdk/client-s3";\nexport const handler = async () => new S3Client({}).config.region;\n');
      handler("lazy", 'export const handler = async () => new (await import("@aws-sdk/client-s3")).S3Client({}).config.region;\n');
      const lazy = bundleHandler("lazy", dir);
      assert.deepEqual(requiredModules(lazy), ["@aws-sdk/client-s3"]);
      assert.doesNotMatch(lazy, /\bimport\(/, "no ES module import: it would not find the runtime's SDK through NODE_PATH");
      // The eager one shows the probe sees a top-level require (and what the client requires in turn).
      assert.ok(sdkRequiredAtInit(bundleHandler("eager", dir), {}, dir).includes("@aws-sdk/client-s3"));
      assert.deepEqual(sdkRequiredAtInit(lazy, {}, dir), []);
    });

    it("bundles the SDK packages the runtime is not guaranteed to ship, with what they import", () => {
      assert.deepEqual(BUNDLED_SDK_PACKAGES, ["@aws-sdk/cloudfront-signer"]);
      handler(
        "signer",
        'import { getSignedCookies } from "@aws-sdk/cloudfront-signer";\nimport { S3Client } from "@aws-sdk/client-s3";\n' +
          "export const handler = async () => [getSignedCookies, S3Client];\n",
      );
      const code = bundleHandler("signer", dir);
      const required = requiredModules(code);
      assert.ok(required.every(runtimeProvides), required.join(", "));
      assert.ok(!required.includes("@aws-sdk/cloudfront-signer"), "the signer is inlined");
      assert.ok(required.includes("@aws-sdk/client-s3"), "the client is still the runtime's");
      assert.ok(!code.includes(REPO_ROOT), "aliased by path, yet no path in the code");
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
