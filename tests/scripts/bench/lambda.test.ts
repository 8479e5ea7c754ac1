import { API_FUNCTIONS, FUNCTION_NAMES, type FunctionName, ROUTES } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadCdnSessionConfig } from "../../../functions/cdn-session/config";
import { loadIndexerConfig } from "../../../functions/indexer/config";
import { loadObjectsConfig } from "../../../functions/objects/config";
import { loadProxyConfig } from "../../../functions/proxy/config";
import { loadAdminConfig } from "../../../functions/admin/config";
import { loadScanConfig } from "../../../functions/scan/config";
import { loadUploadsConfig } from "../../../functions/uploads/config";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { s3Client } from "../../../functions/shared/s3-client";
import { type HttpApiEvent } from "../../../functions/shared/http-api";
import { type FirstRequestMeasurement, measureInit, measureTasks, parseProbeOutput, probeEnvironment, probeScript } from "../../../scripts/bench/cold-start";
import { lambdaBench, runtimeSdkRequires } from "../../../scripts/bench/lambda";
import { benchFunctionEnvironment } from "../../../scripts/bench/lambda-environment";
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { BENCH_INDEX_TABLE } from "../../../scripts/bench/lambda-environment";
import { firstRequestEnvironment, firstRequests, storedUpload } from "../../../scripts/bench/lambda-requests";
import { startLoopbackAws } from "../../../scripts/bench/loopback-aws";

const LOADERS: Record<FunctionName, (env: Record<string, string>) => unknown> = {
  uploads: loadUploadsConfig,
  objects: loadObjectsConfig,
  "cdn-session": loadCdnSessionConfig,
  proxy: loadProxyConfig,
  admin: loadAdminConfig,
  scan: loadScanConfig,
  indexer: loadIndexerConfig,
};

/** The SDK packages each function's first request loads: the object index's, S3's, Secrets Manager's. */
const NEEDED_SDK: Record<FunctionName, string[]> = {
  uploads: ["@aws-sdk/client-dynamodb", "@aws-sdk/client-s3"],
  objects: ["@aws-sdk/client-dynamodb"],
  // Every API function reads its caller's revocation item.
  "cdn-session": ["@aws-sdk/client-dynamodb", "@aws-sdk/client-secrets-manager"],
  proxy: ["@aws-sdk/client-dynamodb", "@aws-sdk/client-s3"],
  admin: ["@aws-sdk/client-cognito-identity-provider", "@aws-sdk/client-dynamodb"],
  scan: ["@aws-sdk/client-s3"],
  indexer: ["@aws-sdk/client-dynamodb", "@aws-sdk/client-s3"],
};

// Spawns fresh node processes; no assertion is about how long they take.
describe("scripts/bench/lambda", function () {
  this.timeout(120_000);

  it("finds the runtime's SDK packages a bundle requires, once each, and nothing else", () => {
    const code = 'var a=require("@aws-sdk/client-s3"),b=require("node:crypto"),c=require("@aws-sdk/client-s3");require("@aws-sdk/s3-request-presigner");';
    assert.deepEqual(runtimeSdkRequires(code), ["@aws-sdk/client-s3", "@aws-sdk/s3-request-presigner"]);
  });

  for (const fn of FUNCTION_NAMES) {
    it(`gives ${fn} an environment its own config loader accepts at cold start`, () => {
      assert.doesNotThrow(() => LOADERS[fn](benchFunctionEnvironment(fn)));
    });
  }

  it("builds the child's environment from nothing, so an inherited NODE_OPTIONS is not timed", () => {
    const previous = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = "-r ts-node/register";
    try {
      const env = probeEnvironment({ AWS_REGION: "eu-central-1" });
      assert.equal(env.NODE_OPTIONS, undefined);
      assert.equal(env.AWS_REGION, "eu-central-1");
      assert.match(env.NODE_PATH, /node_modules$/);
    } finally {
      if (previous === undefined) {
        delete process.env.NODE_OPTIONS;
      } else {
        process.env.NODE_OPTIONS = previous;
      }
    }
  });

  it("reads the probe's output, with or without a first request, and refuses anything else", () => {
    assert.deepEqual(parseProbeOutput('{"bootMs":20.5,"initMs":3,"sdkAtInit":[]}\n'), { bootMs: 20.5, initMs: 3, sdkAtInit: [] });
    assert.deepEqual(
      parseProbeOutput('{"bootMs":20.5,"initMs":3,"sdkAtInit":[],"firstRequestMs":40,"outcome":"200","sdkAfterRequest":["@aws-sdk/client-s3"]}'),
      { bootMs: 20.5, initMs: 3, sdkAtInit: [], firstRequestMs: 40, outcome: "200", sdkAfterRequest: ["@aws-sdk/client-s3"] },
    );
    assert.throws(() => parseProbeOutput('{"initMs":3,"sdkAtInit":[]}'), /instead of \{bootMs, initMs, sdkAtInit\}/);
    assert.throws(() => parseProbeOutput('{"bootMs":20.5,"initMs":3}'), /instead of \{bootMs, initMs, sdkAtInit\}/);
  });

  describe("first requests", () => {
    const requests = firstRequests();

    for (const fn of API_FUNCTIONS) {
      it(`gives ${fn} one of its own routes, with the claims API Gateway's JWT authorizer passes (strings)`, () => {
        const { route, event } = requests[fn];
        const e = event as HttpApiEvent;
        assert.ok(ROUTES[fn].includes(route), route);
        assert.equal(e.version, "2.0");
        assert.equal(e.routeKey, route);
        const claims = e.requestContext.authorizer?.jwt?.claims ?? {};
        assert.equal(claims["custom:tenant"], "acme");
        assert.equal(claims.token_use, "id");
        assert.ok(Object.values(claims).every((v) => typeof v === "string"), JSON.stringify(claims));
        assert.match(e.headers?.authorization ?? "", /^Bearer ey/);
      });
    }

    it("gives scan (GuardDuty, the default scanner) a scan result that found threats, for a bucket it watches", () => {
      const event = requests.scan.event as { source: string; detail: { s3ObjectDetails: { bucketName: string; objectKey: string }; scanResultDetails: { scanResultStatus: string } } };
      assert.equal(event.source, "aws.guardduty");
      assert.equal(benchFunctionEnvironment("scan").SCANNER, "guardduty");
      assert.ok(JSON.parse(benchFunctionEnvironment("scan").SCAN_BUCKETS).includes(event.detail.s3ObjectDetails.bucketName));
      assert.match(event.detail.s3ObjectDetails.objectKey, /^tenants\/acme\/home\//);
      assert.equal(event.detail.scanResultDetails.scanResultStatus, "THREATS_FOUND");
    });

    it("gives indexer S3's Object Created for an upload the stand-in holds, in a bucket the routing names", () => {
      const event = requests.indexer.event as { source: string; "detail-type": string; detail: { bucket: { name: string }; object: { key: string; size: number } } };
      const upload = storedUpload();
      assert.equal(event.source, "aws.s3");
      assert.equal(event["detail-type"], "Object Created");
      assert.equal(event.detail.bucket.name, upload.bucket);
      assert.equal(event.detail.object.key, upload.key);
      assert.equal(event.detail.object.size, upload.size);
      assert.equal(JSON.parse(benchFunctionEnvironment("indexer").TENANT_ROUTING).pooledBucket, upload.bucket);
    });

    it("points S3 and DynamoDB at the stand-in, and names the index table only where the program's settings do not", () => {
      const env = firstRequestEnvironment("http://127.0.0.1:1", "/bin/true", {});
      assert.equal(env.S3_ENDPOINT, "http://127.0.0.1:1");
      assert.equal(env.DYNAMODB_ENDPOINT, "http://127.0.0.1:1");
      assert.equal(env.INDEX_TABLE, BENCH_INDEX_TABLE);
      assert.equal(firstRequestEnvironment("http://127.0.0.1:1", "/bin/true", { INDEX_TABLE: "the-programs" }).INDEX_TABLE, undefined);
    });
  });

  describe("the loopback stand-in for AWS", () => {
    const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret-for-signing-only" };

    it("answers S3, Secrets Manager and DynamoDB in their own formats, on 127.0.0.1, and lists the calls", async () => {
      const upload = storedUpload();
      const aws = await startLoopbackAws("-----BEGIN PRIVATE KEY-----\nbench\n-----END PRIVATE KEY-----\n", [upload]);
      const s3 = s3Client({ endpoint: aws.endpoint, forcePathStyle: true, region: "eu-central-1", credentials });
      const secrets = new SecretsManagerClient({ endpoint: aws.endpoint, region: "eu-central-1", credentials });
      const dynamodb = new DynamoDBClient({ endpoint: aws.endpoint, region: "eu-central-1", credentials });
      try {
        assert.match(aws.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
        const listing = await s3.send(new ListObjectsV2Command({ Bucket: "b", Prefix: "tenants/" }));
        assert.equal(listing.KeyCount, 0);
        assert.equal(listing.IsTruncated, false);
        const put = await s3.send(new PutObjectCommand({ Bucket: "b", Key: "k", Body: "x" }));
        assert.match(put.ETag ?? "", /^"[0-9a-f]{32}"$/);
        await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: "b", Key: "k" })), (err: { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode === 404);
        const secret = await secrets.send(new GetSecretValueCommand({ SecretId: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:x" }));
        assert.match(secret.SecretString ?? "", /BEGIN PRIVATE KEY/);
        assert.deepEqual(aws.take(), ["s3 ListObjectsV2", "s3 PutObject", "s3 HeadObject", "secretsmanager GetSecretValue"]);
        assert.deepEqual(aws.take(), []);

        // The upload it holds: one version, its headers, its tags.
        const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: upload.bucket, Prefix: upload.key }));
        assert.deepEqual(
          (versions.Versions ?? []).map((v) => [v.Key, v.VersionId, v.Size, v.IsLatest]),
          [[upload.key, upload.versionId, upload.size, true]],
        );
        const head = await s3.send(new HeadObjectCommand({ Bucket: upload.bucket, Key: upload.key }));
        assert.deepEqual([head.ContentLength, head.ETag, head.ContentType, head.VersionId], [upload.size, upload.etag, upload.contentType, upload.versionId]);
        const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: upload.bucket, Key: upload.key }));
        assert.deepEqual(tags.TagSet, Object.entries(upload.tags).map(([Key, Value]) => ({ Key, Value })));
        const none = await s3.send(new ListObjectVersionsCommand({ Bucket: upload.bucket, Prefix: "tenants/other/" }));
        assert.equal(none.Versions, undefined);

        // DynamoDB: an empty table that takes every write.
        const key = { pk: { S: "acme/home" }, sk: { S: "u" } };
        assert.equal((await dynamodb.send(new GetItemCommand({ TableName: "t", Key: key }))).Item, undefined);
        await dynamodb.send(new UpdateItemCommand({ TableName: "t", Key: key, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": { N: "1" } } }));
        await dynamodb.send(new PutItemCommand({ TableName: "t", Item: key }));
        const query = await dynamodb.send(new QueryCommand({ TableName: "t", KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": { S: "acme/home" } } }));
        assert.deepEqual([query.Items, query.Count], [[], 0]);
        assert.deepEqual(aws.take(), [
          "s3 ListObjectVersions",
          "s3 HeadObject",
          "s3 GetObjectTagging",
          "s3 ListObjectVersions",
          "dynamodb GetItem",
          "dynamodb UpdateItem",
          "dynamodb PutItem",
          "dynamodb Query",
        ]);
      } finally {
        s3.destroy();
        secrets.destroy();
        dynamodb.destroy();
        await aws.close();
      }
    });
  });

  describe("in fresh processes", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), "mobile-s3-bench-test-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("requires the module in a fresh process with the given environment, once per run", async () => {
      const file = path.join(dir, "probe-target.js");
      writeFileSync(file, 'if (process.env.MARK !== "yes") throw new Error("no MARK");\nglobalThis.loaded = (globalThis.loaded || 0) + 1;\n');
      const init = await measureInit([file], probeEnvironment({ MARK: "yes" }), dir, 2);
      assert.equal(init.samplesMs.length, 2);
      assert.ok(init.initMs >= 0 && init.bootMs > 0);
      assert.deepEqual(init.sdkAtInit, []);
      assert.match(probeScript({ modules: [file] }), /require\(id\)/);
    });

    it("invokes the handler once after init, and reports what it answered and which SDK packages each phase loaded", async () => {
      const file = path.join(dir, "handler.js");
      // Logs on stdout, as a function does, and loads an SDK package in its first request.
      writeFileSync(
        file,
        'console.log("a log line on stdout");\n' +
          'exports.handler = async (event) => { require("@aws-sdk/cloudfront-signer"); console.log("handled"); return { statusCode: event.status }; };\n',
      );
      const throwing = path.join(dir, "throwing.js");
      writeFileSync(throwing, "exports.handler = async () => { throw new RangeError(\"no\"); };\n");
      const [ok, threw] = (await measureTasks(
        [
          { modules: [file], event: { status: 201 } },
          { modules: [throwing], event: {} },
        ],
        probeEnvironment({}),
        dir,
        1,
      )) as FirstRequestMeasurement[];
      assert.deepEqual(ok.outcomes, ["201"]);
      assert.deepEqual(ok.sdkAtInit, []);
      assert.ok(ok.sdkAfterRequest.includes("@aws-sdk/cloudfront-signer"), ok.sdkAfterRequest.join(", "));
      assert.ok(ok.firstRequestMs > 0 && ok.coldStartMs >= ok.initMs);
      assert.deepEqual(threw.outcomes, ["threw RangeError"]);
    });

    it("fails naming the module when the fresh process cannot require it", async () => {
      const file = path.join(dir, "throws.js");
      writeFileSync(file, 'throw new Error("environment variable TENANT_ROUTING is required but not set");\n');
      await assert.rejects(measureInit([file], probeEnvironment({}), dir, 1), /could not require .*throws\.js: .*TENANT_ROUTING/);
    });
  });

  it("reports size, init and init + a first request that succeeds, per function, in the JSON shape the issue asks for", async () => {
    const { json, rows } = await lambdaBench(1)({ quick: true, note: () => undefined });
    assert.deepEqual(
      json.map((j) => j.name),
      [...FUNCTION_NAMES],
    );
    const lazy = ["@aws-sdk/client-dynamodb", "@aws-sdk/client-s3", "@aws-sdk/client-secrets-manager", "@aws-sdk/s3-request-presigner"];
    for (const j of json) {
      assert.ok(j.bytes > 0 && j.bytes < (j.inlinedSdkBytes as number), `${j.name}: the SDK stays out of the bundle`);
      assert.ok(j.initMs > 0);
      assert.ok(j.firstRequestMs! > j.initMs, `${j.name}: the first request comes after init`);
      assert.deepEqual((j.sdkLoadedAtInit as string[]).filter((id) => lazy.includes(id)), [], `${j.name}: no SDK client at init`);
      for (const needed of NEEDED_SDK[j.name as FunctionName]) {
        assert.ok((j.sdkPackages as string[]).includes(needed), j.name);
        assert.ok((j.sdkLoadedByFirstRequest as string[]).includes(needed), `${j.name}: the first request loads ${needed}`);
      }
      assert.ok(!(j.sdkLoadedByFirstRequest as string[]).includes("@aws-sdk/s3-request-presigner"), `${j.name}: the fallback presigner stays unloaded`);
      assert.match((j.firstRequest as { outcome: string }).outcome, /^(2\d\d|resolved)$/);
    }
    assert.deepEqual(
      json.map((j) => (j.firstRequest as { awsCalls: string[] }).awsCalls),
      // Every API function first reads its caller's revocation item (README "Revocation plan").
      [
        ["dynamodb GetItem", "dynamodb UpdateItem"],
        ["dynamodb GetItem", "dynamodb Query"],
        ["dynamodb GetItem", "secretsmanager GetSecretValue"],
        ["dynamodb GetItem", "dynamodb UpdateItem", "s3 PutObject"],
        ["dynamodb GetItem", "cognito-idp AdminGetUser", "dynamodb UpdateItem", "cognito-idp AdminUserGlobalSignOut"],
        ["s3 HeadObject"],
        ["dynamodb GetItem", "s3 ListObjectVersions", "s3 HeadObject", "s3 GetObjectTagging", "dynamodb PutItem", "dynamodb UpdateItem"],
      ],
    );
    assert.deepEqual(
      rows.filter((r) => r.met !== undefined).map((r) => [r.measure.split(":")[0], r.target]),
      FUNCTION_NAMES.flatMap((fn) => [
        [`lambda ${fn}`, "≤ 300 KB"],
        [`lambda ${fn}`, "≤ 50 ms"],
      ]),
    );
    assert.ok(rows.some((r) => /^lambda objects: module init \+ first request, GET \/v1\/objects → 200/.test(r.measure) && r.target === ""));
  });
});
