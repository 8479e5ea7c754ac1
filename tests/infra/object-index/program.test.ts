import { API_FUNCTIONS } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../../offline/stack-config";
import { TYPE } from "../../../offline/resource-types";
import { type IamRequest, simulate, simulateThroughAccessPoint } from "../../harness/iam";
import { MOCK_ACCOUNT_ID, ofType, onlyOfType, type ProgramRun, type RegisteredResource, runProgram } from "../../harness/program";

const MULTI_TENANT = path.join(PROJECT_ROOT, "examples/multi-tenant.yaml");
const INDEX_USERS = ["uploads", "objects", "proxy", "indexer"];

const policyOf = (run: ProgramRun, type: string, bucket: RegisteredResource) =>
  JSON.parse(run.resources.find((r) => r.type === type && r.propertyDependencies.bucket?.includes(bucket.urn))!.inputs.policy as string);
const named = (run: ProgramRun, type: string, name: string) => {
  const found = ofType(run, type).filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one ${type} named ${name}`);
  return found[0];
};
/** The buckets that hold users' objects: not the audit trail's, not ClamAV's definitions. */
const dataBuckets = (run: ProgramRun) => ofType(run, TYPE.bucket).filter((b) => !/audit|clamav/.test(b.name));
const envOf = (fn: RegisteredResource) => (fn.inputs.environment as { variables: Record<string, string> }).variables;

describe("infra/object-index in the program (mocks + IAM simulator)", function () {
  this.timeout(120_000);

  describe("the multi-tenant example (full profile, GuardDuty, every tier)", () => {
    let run: ProgramRun;
    before(async () => (run = await runProgram({ stack: "demo", configFile: MULTI_TENANT })));
    const table = () => onlyOfType(run, TYPE.table);
    const role = (fn: string) => named(run, TYPE.role, `photos-demo-api-${fn}`);

    it("plans one object index, exported as a stack output with its ARN and the indexer `npm run admin -- reindex` invokes", () => {
      assert.deepEqual(run.outputs.objectIndex, { tableName: table().outputs.name, tableArn: table().outputs.arn, indexerFunction: named(run, TYPE.fn, "photos-demo-api-indexer").outputs.arn });
      assert.equal(table().name, "photos-demo-index");
    });

    it("names the table to the functions that use it, and grants them its items and indexes", () => {
      for (const fn of ["uploads", "objects", "cdn-session", "proxy", "admin", "scan", "indexer"]) {
        const uses = INDEX_USERS.includes(fn);
        assert.equal(envOf(named(run, TYPE.fn, `photos-demo-api-${fn}`)).INDEX_TABLE, uses ? table().outputs.name : undefined, fn);
        // Every API function reads its callers' revocation items there (README "Revocation plan").
        const readsRevocations = (API_FUNCTIONS as readonly string[]).includes(fn);
        assert.equal(envOf(named(run, TYPE.fn, `photos-demo-api-${fn}`)).REVOCATION_TABLE, readsRevocations ? table().outputs.name : undefined, fn);
        const policy = named(run, TYPE.rolePolicy, `photos-demo-api-${fn}`).inputs.policy as string;
        assert.equal(policy.includes(table().outputs.arn as string), uses || readsRevocations, fn);
      }
    });

    it("lets exactly those functions' roles use the table's key, through DynamoDB only", async () => {
      const key = named(run, TYPE.key, "photos-demo-index-key");
      const keyPolicy = JSON.parse(key.inputs.policy as string);
      const via = (service: string) => ({ "kms:ViaService": `${service}.eu-central-1.amazonaws.com`, "kms:CallerAccount": MOCK_ACCOUNT_ID });
      for (const fn of ["uploads", "objects", "cdn-session", "proxy", "admin", "scan", "indexer"]) {
        const decrypt = async (context: Record<string, string>) =>
          (await simulate({ resourcePolicy: keyPolicy }, { principal: role(fn).outputs.arn as string, action: "kms:Decrypt", resource: key.outputs.arn as string, context })).decision;
        assert.equal(await decrypt(via("dynamodb")), INDEX_USERS.includes(fn) || (API_FUNCTIONS as readonly string[]).includes(fn) ? "Allowed" : "ImplicitlyDenied", `${fn} through DynamoDB`);
        assert.equal(await decrypt(via("s3")), "ImplicitlyDenied", `${fn} through S3`);
      }
      const app = named(run, TYPE.role, "photos-demo-identity-app-user");
      assert.equal(
        (await simulate({ resourcePolicy: keyPolicy }, { principal: app.outputs.arn as string, action: "kms:Decrypt", resource: key.outputs.arn as string, context: via("dynamodb") })).decision,
        "ImplicitlyDenied",
        "the app's users never reach the index",
      );
    });

    it("sends every data bucket's events to EventBridge, with one notification per bucket", () => {
      for (const bucket of dataBuckets(run)) {
        const notifications = ofType(run, TYPE.notification).filter((n) => n.propertyDependencies.bucket?.includes(bucket.urn));
        assert.equal(notifications.length, 1, bucket.name);
        assert.equal(notifications[0].inputs.eventbridge, true, bucket.name);
      }
    });

    it("invokes the indexer on every data bucket's object events and on the daily schedule, and nothing else does", () => {
      const rule = named(run, TYPE.rule, "photos-demo-indexer");
      const pattern = JSON.parse(rule.inputs.eventPattern as string);
      assert.deepEqual([...pattern.detail.bucket.name].sort(), dataBuckets(run).map((b) => b.id).sort());
      assert.equal(named(run, TYPE.rule, "photos-demo-indexer-reconcile").inputs.scheduleExpression, "rate(1 day)");
      const indexer = named(run, TYPE.fn, "photos-demo-api-indexer");
      const invokers = ofType(run, TYPE.permission).filter((p) => p.inputs.function === indexer.outputs.arn);
      assert.deepEqual(invokers.map((p) => p.inputs.sourceArn).sort(), [rule.outputs.arn, named(run, TYPE.rule, "photos-demo-indexer-reconcile").outputs.arn].sort());
    });

    it("lets the indexer read what is not scanned yet in every tier, past every bucket and access point policy, and write nothing", async () => {
      const principal = `arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/${role("indexer").outputs.name as string}/indexer`;
      const identity = JSON.parse(named(run, TYPE.rolePolicy, "photos-demo-api-indexer").inputs.policy as string);
      const context = { "aws:SecureTransport": "true", "aws:PrincipalArn": role("indexer").outputs.arn as string };
      const pooled = named(run, TYPE.bucket, "photos-demo-storage");
      const dedicated = ofType(run, TYPE.bucket).find((b) => /t-initech$/.test(b.name))!;
      for (const [bucket, tenant] of [[pooled, "acme"], [dedicated, "initech"]] as const) {
        const object = `${bucket.outputs.arn as string}/tenants/${tenant}/home/sub-1/photo.jpg`;
        const ask = async (action: string, resource = object, extra: Record<string, string> = {}) =>
          (await simulate({ identityPolicies: [identity], resourcePolicy: policyOf(run, TYPE.policy, bucket) }, { principal, action, resource, context: { ...context, ...extra } })).decision;
        assert.equal(await ask("s3:GetObject"), "Allowed", `${bucket.name}: HeadObject, never scanned`);
        assert.equal(await ask("s3:GetObjectVersion"), "Allowed", `${bucket.name}: HeadObject of a version`);
        assert.equal(await ask("s3:GetObjectTagging"), "Allowed", `${bucket.name}: tags`);
        assert.equal(await ask("s3:ListBucketVersions", bucket.outputs.arn as string, { "s3:prefix": `tenants/${tenant}/home/sub-1/` }), "Allowed", `${bucket.name}: versions`);
        assert.notEqual(await ask("s3:PutObject"), "Allowed", `${bucket.name}: write`);
        assert.notEqual(await ask("s3:DeleteObject"), "Allowed", `${bucket.name}: delete`);
        assert.equal(await ask("s3:GetObject", object, { "aws:SecureTransport": "false" }), "ExplicitlyDenied", `${bucket.name}: plain HTTP`);
      }
      // The access-point tenant, addressed through its access point as the functions address it.
      const ap = onlyOfType(run, TYPE.accessPoint);
      const through = (action: string, key: string, extra: Record<string, string> = {}) => {
        const isList = action.startsWith("s3:ListBucket");
        const request: IamRequest = {
          principal,
          action,
          resource: isList ? (ap.outputs.arn as string) : `${ap.outputs.arn as string}/object/${key}`,
          context: { ...context, ...extra },
        };
        return simulateThroughAccessPoint(
          { identityPolicies: [identity], accessPointPolicy: JSON.parse(ap.inputs.policy as string), bucketPolicy: policyOf(run, TYPE.policy, pooled) },
          { ...request, accessPointArn: ap.outputs.arn as string, bucketResource: isList ? (pooled.outputs.arn as string) : `${pooled.outputs.arn as string}/${key}` },
        );
      };
      const key = "tenants/globex/home/sub-1/photo.jpg";
      for (const action of ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectVersionTagging"]) {
        assert.equal(await through(action, key), "Allowed", `${action} through the access point, never scanned`);
      }
      assert.equal(await through("s3:ListBucketVersions", key, { "s3:prefix": "tenants/globex/home/sub-1/" }), "Allowed", "versions through the access point");
      assert.notEqual(await through("s3:PutObject", key), "Allowed", "write through the access point");
    });

    it("still lets the app's users read only clean objects through their access point, now that the pool delegates version reads", async () => {
      const ap = onlyOfType(run, TYPE.accessPoint);
      const pooled = named(run, TYPE.bucket, "photos-demo-storage");
      const app = named(run, TYPE.role, "photos-demo-identity-app-user");
      const appPolicy = JSON.parse(named(run, TYPE.rolePolicy, "photos-demo-storage-app-user").inputs.policy as string);
      const key = "tenants/globex/home/sub-1/photo.jpg";
      const read = (action: string, tag?: string) =>
        simulateThroughAccessPoint(
          { identityPolicies: [appPolicy], accessPointPolicy: JSON.parse(ap.inputs.policy as string), bucketPolicy: policyOf(run, TYPE.policy, pooled) },
          {
            principal: `arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/${app.outputs.name as string}/CognitoIdentityCredentials`,
            action,
            resource: `${ap.outputs.arn as string}/object/${key}`,
            accessPointArn: ap.outputs.arn as string,
            bucketResource: `${pooled.outputs.arn as string}/${key}`,
            context: {
              "aws:SecureTransport": "true",
              "aws:PrincipalArn": app.outputs.arn as string,
              "aws:PrincipalTag/tenant": "globex",
              "aws:PrincipalTag/home": "sub-1",
              "aws:ResourceAccount": MOCK_ACCOUNT_ID,
              ...(tag ? { "s3:ExistingObjectTag/GuardDutyMalwareScanStatus": tag } : {}),
            },
          },
        );
      assert.equal(await read("s3:GetObject", "NO_THREATS_FOUND"), "Allowed");
      assert.notEqual(await read("s3:GetObject"), "Allowed");
      assert.notEqual(await read("s3:GetObjectVersion", "NO_THREATS_FOUND"), "Allowed", "the app role reads no versions");
      assert.notEqual(await read("s3:GetObjectVersionTagging"), "Allowed");
    });
  });

  it("the ClamAV stack: one notification per data bucket serves both the scanner and the indexer", async () => {
    const run = await runProgram({ stack: "prod", config: { scanner: "clamav" } });
    for (const bucket of dataBuckets(run)) {
      const notifications = ofType(run, TYPE.notification).filter((n) => n.propertyDependencies.bucket?.includes(bucket.urn));
      assert.equal(notifications.length, 1, bucket.name);
    }
    const names = ofType(run, TYPE.rule).map((r) => r.name).sort();
    assert.ok(names.includes("mobile-s3-prod-scan") && names.includes("mobile-s3-prod-indexer") && names.includes("mobile-s3-prod-indexer-reconcile"), names.join());
    onlyOfType(run, TYPE.table);
  });

  it("takes the stack's reconciliation schedule", async () => {
    const run = await runProgram({ stack: "prod", config: { indexReconcileSchedule: "cron(30 3 * * ? *)" } });
    assert.equal(named(run, TYPE.rule, "mobile-s3-prod-indexer-reconcile").inputs.scheduleExpression, "cron(30 3 * * ? *)");
  });

  it("the minimal profile has no index: no table, no indexer, no notification", async () => {
    const run = await runProgram({ stack: "dev", config: { profile: "minimal" } });
    assert.deepEqual([ofType(run, TYPE.table).length, ofType(run, TYPE.rule).length, ofType(run, TYPE.notification).length, ofType(run, TYPE.queue).length], [0, 0, 0, 0]);
    assert.equal(run.outputs.objectIndex, undefined);
  });
});
