import { API_FUNCTIONS, FUNCTION_NAMES, type FunctionName, GUARDDUTY_VOCABULARY } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { bundleHandler } from "../../../infra/api/bundle";
import { functionSizing } from "../../../infra/api/catalog";
import { ControlPlane, type ControlPlaneArgs } from "../../../infra/api/control-plane";
import { functionPolicy, lambdaTrustPolicy } from "../../../infra/api/function-policies";
import { MOCK_ACCOUNT_ID, ofType, onlyOfType, type ProgramRun, type RegisteredResource, runUnderMocks } from "../../harness/program";
import { ACCESS_POINT_ARN, AUDIENCE, controlPlaneArgs, INDEX_TABLE_ARN, INDEX_TABLE_NAME, ISSUER, LOADERS, POOLED_BUCKET, PRIVATE_KEY_PEM, SILO_BUCKET } from "./fixtures";
import { TYPE } from "../../../offline/resource-types";

const NAME = "mobile-s3-dev-api";
const T = { ...TYPE, component: "mobile-s3:api:ControlPlane" };

/** API.md's table, written out here rather than read from the code under test. */
const API_MD: [routeKey: string, fn: FunctionName][] = [
  ["POST /v1/uploads", "uploads"],
  ["POST /v1/uploads/{uploadId}/parts", "uploads"],
  ["GET /v1/uploads/{uploadId}/parts", "uploads"],
  ["POST /v1/uploads/{uploadId}/complete", "uploads"],
  ["DELETE /v1/uploads/{uploadId}", "uploads"],
  ["GET /v1/objects", "objects"],
  ["GET /v1/objects/meta", "objects"],
  ["GET /v1/objects/url", "objects"],
  ["DELETE /v1/objects", "objects"],
  ["POST /v1/objects/copy", "objects"],
  ["POST /v1/objects/move", "objects"],
  ["GET /v1/usage", "objects"],
  ["POST /v1/cdn-session", "cdn-session"],
  ["GET /v1/objects/cdn-url", "cdn-session"],
  ["POST /v1/proxy/objects", "proxy"],
  ["POST /v1/admin/users/{sub}/revoke", "admin"],
];


function build(args: ControlPlaneArgs = controlPlaneArgs(), name = NAME, preview = false): Promise<ProgramRun> {
  return runUnderMocks(
    () => {
      const cp = new ControlPlane(name, args);
      return {
        apiUrl: cp.apiUrl,
        apiId: cp.apiId,
        apiExecutionArn: cp.apiExecutionArn,
        functionRoleArns: cp.functionRoleArns,
        bucketKeyUserArns: cp.bucketKeyUserArns,
        indexKeyUserArns: cp.indexKeyUserArns,
        scanFunctionArn: cp.scanFunctionArn,
        indexerFunctionArn: cp.indexerFunctionArn,
        indexerFailureQueueArn: cp.indexerFailureQueue.arn,
      };
    },
    { stack: "dev", preview },
  );
}

function named(run: ProgramRun, type: string, name: string): RegisteredResource {
  const found = ofType(run, type).filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one ${type} named ${name}`);
  return found[0];
}

const fnOf = (run: ProgramRun, fn: FunctionName) => named(run, T.fn, `${NAME}-${fn}`);
const slug = (routeKey: string) => routeKey.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
type Env = Record<string, string>;
const envOf = (r: RegisteredResource) => (r.inputs.environment as { variables: Env }).variables;

describe("infra/api/control-plane (component under mocks)", () => {
  let run: ProgramRun;
  before(async () => (run = await build()));

  it("parents every child to the mobile-s3:api:ControlPlane component", () => {
    const component = onlyOfType(run, T.component);
    assert.equal(component.name, NAME);
    for (const r of run.resources.filter((r) => r !== component)) {
      assert.equal(r.parent, component.urn, `${r.type} ${r.name}`);
    }
  });

  it("serves every API.md route, and no other, each behind the user-pool JWT authorizer", () => {
    const api = onlyOfType(run, T.api);
    const authorizer = onlyOfType(run, T.authorizer);
    const routes = ofType(run, T.route);
    assert.deepEqual(routes.map((r) => r.inputs.routeKey).sort(), API_MD.map(([routeKey]) => routeKey).sort());
    for (const [routeKey, fn] of API_MD) {
      const route = routes.find((r) => r.inputs.routeKey === routeKey)!;
      assert.equal(route.inputs.apiId, api.id, routeKey);
      assert.equal(route.inputs.authorizationType, "JWT", routeKey);
      assert.equal(route.inputs.authorizerId, authorizer.id, routeKey);
      assert.equal(route.inputs.target, `integrations/${named(run, T.integration, `${NAME}-${fn}`).id}`, `${routeKey} goes to ${fn}`);
    }
  });

  it("authorizes with the user pool's issuer and audience, from the Authorization header", () => {
    const authorizer = onlyOfType(run, T.authorizer);
    assert.equal(authorizer.inputs.apiId, onlyOfType(run, T.api).id);
    assert.equal(authorizer.inputs.authorizerType, "JWT");
    assert.deepEqual(authorizer.inputs.identitySources, ["$request.header.Authorization"]);
    assert.deepEqual(authorizer.inputs.jwtConfiguration, { issuer: ISSUER, audiences: AUDIENCE });
  });

  it("integrates each API function as a Lambda proxy, payload format 2.0", () => {
    const integrations = ofType(run, T.integration);
    assert.equal(integrations.length, API_FUNCTIONS.length);
    for (const fn of ["uploads", "objects", "cdn-session", "proxy"] as const) {
      const integration = named(run, T.integration, `${NAME}-${fn}`);
      assert.equal(integration.inputs.integrationType, "AWS_PROXY");
      assert.equal(integration.inputs.payloadFormatVersion, "2.0");
      assert.equal(integration.inputs.integrationUri, fnOf(run, fn).outputs.invokeArn);
    }
  });

  it("lets API Gateway invoke each function only for its own routes of this API, and only once the route may call it", () => {
    const executionArn = onlyOfType(run, T.api).outputs.executionArn as string;
    assert.equal(ofType(run, T.permission).length, API_MD.length);
    for (const [routeKey, fn] of API_MD) {
      const permission = named(run, T.permission, `${NAME}-${slug(routeKey)}`);
      assert.equal(permission.inputs.action, "lambda:InvokeFunction");
      assert.equal(permission.inputs.principal, "apigateway.amazonaws.com");
      assert.equal(permission.inputs.function, fnOf(run, fn).outputs.arn, `${routeKey} may invoke ${fn} only`);
      const [method, path] = routeKey.split(" ");
      assert.equal(permission.inputs.sourceArn, `${executionArn}/*/${method}${path.replace(/\{\w+\}/g, "*")}`);
      const route = named(run, T.route, `${NAME}-${slug(routeKey)}`);
      assert.ok(route.dependencies.includes(permission.urn), `${routeKey} waits for its permission`);
    }
  });

  it("gives each function its own role, trusted by Lambda for this account only, with its own least-privilege policy", () => {
    const roles = ofType(run, T.role);
    assert.equal(roles.length, FUNCTION_NAMES.length);
    assert.equal(new Set(roles.map((r) => r.outputs.arn)).size, roles.length, "no role is shared");
    const secretArn = onlyOfType(run, T.secret).outputs.arn as string;
    for (const fn of FUNCTION_NAMES) {
      const role = named(run, T.role, `${NAME}-${fn}`);
      const lambda = fnOf(run, fn);
      const policy = named(run, T.rolePolicy, `${NAME}-${fn}`);
      assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy as string), lambdaTrustPolicy(MOCK_ACCOUNT_ID));
      assert.equal(lambda.inputs.role, role.outputs.arn, `${fn} runs as its own role`);
      assert.equal(policy.inputs.role, role.id, `${fn}'s policy is on its own role`);
      assert.deepEqual(
        JSON.parse(policy.inputs.policy as string),
        functionPolicy(fn, {
          bucketArns: [`arn:aws:s3:::${POOLED_BUCKET}`, `arn:aws:s3:::${SILO_BUCKET}`],
          accessPointArns: [ACCESS_POINT_ARN],
          logGroupArn: named(run, T.logGroup, `${NAME}-${fn}`).outputs.arn as string,
          cdnPrivateKeySecretArn: secretArn,
          scan: GUARDDUTY_VOCABULARY,
          indexTableArn: INDEX_TABLE_ARN,
          failureQueueArn: onlyOfType(run, T.queue).outputs.arn as string,
          // The pool behind the JWT issuer, which the admin function signs users out of.
          userPoolArn: `arn:aws:cognito-idp:us-east-1:${MOCK_ACCOUNT_ID}:userpool/us-east-1_AbCdEfGhI`,
        }),
      );
      assert.ok(lambda.dependencies.includes(policy.urn), `${fn} is created after its permissions`);
    }
  });

  it("runs every function on nodejs22.x, arm64, from its own bundle, logging JSON to its own log group", () => {
    for (const fn of FUNCTION_NAMES) {
      const lambda = fnOf(run, fn);
      const logGroup = named(run, T.logGroup, `${NAME}-${fn}`);
      assert.equal(lambda.inputs.runtime, "nodejs22.x");
      assert.deepEqual(lambda.inputs.architectures, ["arm64"]);
      assert.equal(lambda.inputs.handler, "index.handler");
      assert.equal(lambda.inputs.packageType, "Zip");
      assert.equal(lambda.inputs.memorySize, functionSizing(fn, { scanner: "guardduty" }).memorySize);
      assert.equal(lambda.inputs.timeout, functionSizing(fn, { scanner: "guardduty" }).timeout);
      const code = lambda.inputs.code as { assets: Record<string, { text: string }> };
      assert.deepEqual(Object.keys(code.assets), ["index.js"]);
      assert.equal(code.assets["index.js"].text, bundleHandler(fn), `${fn} ships its own handler`);
      assert.equal(logGroup.inputs.name, `/${NAME}/${fn}`);
      assert.equal(logGroup.inputs.retentionInDays, 30);
      assert.deepEqual(lambda.inputs.loggingConfig, {
        logFormat: "JSON",
        logGroup: `/${NAME}/${fn}`,
        applicationLogLevel: "INFO",
        systemLogLevel: "WARN",
      });
      assert.ok(lambda.dependencies.includes(logGroup.urn));
      assert.deepEqual(lambda.inputs.tags, controlPlaneArgs().tags);
    }
  });

  it("hands each function exactly the settings its core reads, and the private key to none", () => {
    for (const fn of FUNCTION_NAMES) {
      const env = envOf(fnOf(run, fn));
      assert.doesNotThrow(() => LOADERS[fn](env), `${fn} starts with what the program sets`);
      assert.equal(env.LOG_LEVEL, "INFO");
      assert.ok(!Object.values(env).some((v) => v.includes("PRIVATE KEY")), `${fn} holds no key material`);
    }
    assert.equal(envOf(fnOf(run, "uploads")).PRESIGN_TTL_SECONDS, "300");
    for (const fn of ["uploads", "objects", "proxy"] as const) {
      assert.equal(envOf(fnOf(run, fn)).TENANT_ROUTING, controlPlaneArgs().tenantRoutingJson, fn);
    }
    assert.deepEqual(JSON.parse(envOf(fnOf(run, "scan")).SCAN_BUCKETS), [POOLED_BUCKET, SILO_BUCKET]);
    for (const fn of FUNCTION_NAMES) {
      assert.equal(envOf(fnOf(run, fn)).INDEX_TABLE, ["uploads", "objects", "proxy", "indexer"].includes(fn) ? INDEX_TABLE_NAME : undefined, fn);
    }
    assert.equal(envOf(fnOf(run, "indexer")).TENANT_ROUTING, controlPlaneArgs().tenantRoutingJson);
    assert.equal(envOf(fnOf(run, "cdn-session")).CDN_PRIVATE_KEY_SECRET_ARN, onlyOfType(run, T.secret).outputs.arn);
    assert.ok(!("TENANT_ROUTING" in envOf(fnOf(run, "cdn-session"))), "cdn-session needs no routing");
  });

  it("hands the users' settings to the functions that apply them", async () => {
    const users = { tenantClaim: "custom:org", quotaBytes: 1024 ** 3, abortIncompleteUploadDays: 7 };
    const withUsers = await build({ ...controlPlaneArgs(), users });
    const uploads = envOf(fnOf(withUsers, "uploads"));
    assert.deepEqual([uploads.TENANT_CLAIM, uploads.USER_QUOTA_BYTES, uploads.ABORT_INCOMPLETE_UPLOAD_DAYS], ["custom:org", String(1024 ** 3), "7"]);
    for (const fn of ["objects", "cdn-session", "proxy"] as const) {
      assert.equal(envOf(fnOf(withUsers, fn)).TENANT_CLAIM, "custom:org", fn);
    }
    for (const fn of ["objects", "proxy", "indexer"] as const) {
      assert.equal(envOf(fnOf(withUsers, fn)).USER_QUOTA_BYTES, String(1024 ** 3), fn);
    }
    for (const fn of ["scan", "indexer"] as const) {
      assert.ok(!("TENANT_CLAIM" in envOf(fnOf(withUsers, fn))), fn);
    }
    for (const fn of FUNCTION_NAMES) {
      assert.doesNotThrow(() => LOADERS[fn](envOf(fnOf(withUsers, fn))), `${fn} starts with what the program sets`);
    }
  });

  it("keeps the CloudFront private key in Secrets Manager, secret in state, readable by cdn-session alone", () => {
    const secret = onlyOfType(run, T.secret);
    const version = onlyOfType(run, T.secretVersion);
    assert.equal(version.inputs.secretId, secret.id);
    assert.equal(version.inputs.secretString, PRIVATE_KEY_PEM);
    const wire = (version.wire.inputs as Record<string, Record<string, unknown>>).secretString;
    assert.equal(wire[pulumi.runtime.specialSigKey], pulumi.runtime.specialSecretSig, "the PEM is a secret in state");
    for (const fn of FUNCTION_NAMES) {
      const policy = named(run, T.rolePolicy, `${NAME}-${fn}`).inputs.policy as string;
      assert.equal(policy.includes(secret.outputs.arn as string), fn === "cdn-session", `${fn} and the key secret`);
    }
    assert.ok(fnOf(run, "cdn-session").dependencies.includes(version.urn), "cdn-session starts once its key is stored");
  });

  it("No secrets in logs: the $default stage auto-deploys, throttles, and access-logs to its own group without tokens or query strings", () => {
    const stage = onlyOfType(run, T.stage);
    const accessLogs = named(run, T.logGroup, `${NAME}-access`);
    assert.equal(stage.inputs.apiId, onlyOfType(run, T.api).id);
    assert.equal(stage.inputs.name, "$default");
    assert.equal(stage.inputs.autoDeploy, true);
    assert.deepEqual(stage.inputs.defaultRouteSettings, { throttlingRateLimit: 50, throttlingBurstLimit: 100, detailedMetricsEnabled: false });
    const settings = stage.inputs.accessLogSettings as { destinationArn: string; format: string };
    assert.equal(settings.destinationArn, accessLogs.outputs.arn);
    assert.equal(accessLogs.inputs.retentionInDays, 30);
    const format = JSON.parse(settings.format) as Record<string, string>;
    assert.ok(Object.values(format).includes("$context.routeKey"));
    for (const variable of Object.values(format)) {
      assert.doesNotMatch(variable, /authorization|header|querystring|path|cookie|\$request/i);
    }
  });

  it("is an HTTP API whose CORS lets the listed origins send the bearer token, never any origin", () => {
    const api = onlyOfType(run, T.api);
    assert.equal(api.inputs.protocolType, "HTTP");
    const cors = api.inputs.corsConfiguration as { allowOrigins: string[]; allowHeaders: string[]; allowCredentials: boolean };
    assert.deepEqual(cors.allowOrigins, ["https://app.example.com"]);
    assert.deepEqual(cors.allowHeaders, ["authorization", "content-type"]);
    assert.equal(cors.allowCredentials, false);
  });

  it("outputs the API's URL, id and execution ARN, every function role, the keys' users, the scanner and the indexer", () => {
    const api = onlyOfType(run, T.api);
    const roleArn = (fn: FunctionName) => named(run, T.role, `${NAME}-${fn}`).outputs.arn;
    assert.deepEqual(run.outputs, {
      apiUrl: api.outputs.apiEndpoint,
      apiId: api.id,
      apiExecutionArn: api.outputs.executionArn,
      functionRoleArns: FUNCTION_NAMES.map(roleArn),
      // The indexer reads metadata only: it is no user of the buckets' keys.
      bucketKeyUserArns: FUNCTION_NAMES.filter((fn) => fn !== "indexer" && fn !== "admin").map(roleArn),
      // cdn-session and admin read (admin also writes) users' revocation items only.
      indexKeyUserArns: (["uploads", "objects", "cdn-session", "proxy", "admin", "indexer"] as const).map(roleArn),
      scanFunctionArn: fnOf(run, "scan").outputs.arn,
      indexerFunctionArn: fnOf(run, "indexer").outputs.arn,
      indexerFailureQueueArn: onlyOfType(run, T.queue).outputs.arn,
    });
    assert.match(run.outputs.apiUrl as string, /^https:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com$/);
    assert.deepEqual(onlyOfType(run, T.component).outputs, run.outputs, "registered as the component's outputs too");
  });

  it("keeps what the indexer could not index: Lambda retries a failed event twice, then sends it to an encrypted queue its role alone may send to", () => {
    const queue = onlyOfType(run, T.queue);
    assert.equal(queue.name, `${NAME}-indexer-failures`);
    assert.equal(queue.inputs.sqsManagedSseEnabled, true);
    assert.equal(queue.inputs.messageRetentionSeconds, 14 * 24 * 3600, "SQS's longest retention");
    const config = onlyOfType(run, T.invokeConfig);
    const indexer = fnOf(run, "indexer");
    assert.equal(config.inputs.functionName, indexer.outputs.name);
    assert.equal(config.inputs.maximumRetryAttempts, 2);
    assert.deepEqual(config.inputs.destinationConfig, { onFailure: { destination: queue.outputs.arn } });
    assert.ok(config.dependencies.includes(named(run, T.rolePolicy, `${NAME}-indexer`).urn), "the role may send before Lambda is told to");
    for (const fn of FUNCTION_NAMES) {
      const policy = named(run, T.rolePolicy, `${NAME}-${fn}`).inputs.policy as string;
      assert.equal(policy.includes(queue.outputs.arn as string), fn === "indexer", fn);
    }
  });

  it("runs the indexer for as long as a reconciliation takes, and every other function within API Gateway's 30 seconds", () => {
    assert.deepEqual([fnOf(run, "indexer").inputs.memorySize, fnOf(run, "indexer").inputs.timeout], [512, 900]);
    for (const fn of ["uploads", "objects", "cdn-session", "proxy"] as const) {
      assert.ok((fnOf(run, fn).inputs.timeout as number) < 30, fn);
    }
  });

  describe("without a CDN", () => {
    let plain: ProgramRun;
    before(async () => (plain = await build({ ...controlPlaneArgs(), cdn: undefined })));

    it("has no cdn-session function, role, route or secret, and every other route", () => {
      assert.equal(ofType(plain, T.fn).filter((r) => r.name.endsWith("cdn-session")).length, 0);
      assert.equal(ofType(plain, T.role).length, FUNCTION_NAMES.length - 1);
      assert.equal(ofType(plain, T.secret).length + ofType(plain, T.secretVersion).length, 0);
      assert.deepEqual(
        ofType(plain, T.route).map((r) => r.inputs.routeKey).sort(),
        API_MD.filter(([, fn]) => fn !== "cdn-session").map(([routeKey]) => routeKey).sort(),
      );
      assert.equal((plain.outputs.functionRoleArns as string[]).length, FUNCTION_NAMES.length - 1);
    });
  });

  it("takes storage, routing, the index and issuer as outputs of other components, as the program passes them", async () => {
    const plainArgs = controlPlaneArgs();
    const fromOutputs = await build({
      ...plainArgs,
      storage: pulumi.output(plainArgs.storage),
      tenantRoutingJson: pulumi.output(plainArgs.tenantRoutingJson),
      objectIndex: { tableName: pulumi.output(INDEX_TABLE_NAME), tableArn: pulumi.output(INDEX_TABLE_ARN) },
      jwt: { issuer: pulumi.output(ISSUER), audience: AUDIENCE.map((a) => pulumi.output(a)) },
    });
    // The same resources with the same inputs; the order they register in follows when their inputs resolve.
    const view = (r: ProgramRun) => r.resources.map((x) => [x.type, x.name, x.inputs]).sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
    assert.deepEqual(view(fromOutputs), view(run));
  });

  it("builds in preview, where ARNs are still unknown", async () => {
    const preview = await build(controlPlaneArgs(), NAME, true);
    assert.equal(ofType(preview, T.route).length, API_MD.length);
    assert.ok(ofType(preview, T.route).every((r) => r.inputs.authorizationType === "JWT"));
  });

  describe("refuses arguments it cannot deploy, naming the one to change", () => {
    const limits = controlPlaneArgs().limits;
    const cases: [string, Partial<ControlPlaneArgs>, RegExp][] = [
      ["presigned URLs living over 15 minutes", { limits: { ...limits, presignTtlSeconds: 901 } }, /\[limits\.presignTtlSeconds\] must be an integer from 1 to 900/],
      ["presigned URLs living 0 seconds", { limits: { ...limits, presignTtlSeconds: 0 } }, /\[limits\.presignTtlSeconds\] must be/],
      ["a wildcard CORS origin", { corsOrigins: ["*"] }, /\[corsOrigins\] must list exact origins/],
      ["a retention CloudWatch does not offer", { logRetentionDays: 8 }, /\[logRetentionDays\] must be one of/],
      ["no audience", { jwt: { issuer: ISSUER, audience: [] } }, /\[jwt\.audience\] must name at least one/],
      ["a plain-http issuer", { jwt: { issuer: "http://issuer.example.com", audience: AUDIENCE } }, /\[jwt\.issuer\] must be the user pool's https issuer URL/],
      ["no storage", { storage: [] }, /\[storage\] must name at least one bucket/],
      ["an unknown log level", { logLevel: "VERBOSE" as never }, /\[logLevel\] must be one of DEBUG, INFO, WARN, ERROR/],
      ["no throttling", { throttling: { rateLimit: 0, burstLimit: 10 } }, /\[throttling\.rateLimit\]/],
    ];
    for (const [label, change, message] of cases) {
      it(`refuses ${label}`, async () => {
        await assert.rejects(build({ ...controlPlaneArgs(), ...change }), message);
      });
    }

    it("refuses a component name that makes function or role names over 64 characters", async () => {
      await assert.rejects(build(controlPlaneArgs(), `${"a".repeat(20)}-${"e".repeat(12)}-control-plane`), /makes function and role names 67 characters, over AWS's 64: shorten \[app\] or \[environment\]/);
      // The longest app and environment config allows, with a short purpose, fits.
      await build(controlPlaneArgs(), `${"a".repeat(20)}-${"e".repeat(12)}-api`);
    });
  });
});
