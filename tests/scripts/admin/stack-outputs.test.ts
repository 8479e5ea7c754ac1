import * as assert from "node:assert/strict";
import { AdminError } from "../../../scripts/admin/errors";
import { loadTarget, targetFromStackOutputs } from "../../../scripts/admin/stack-outputs";

const APP_CONFIG = {
  region: "eu-west-1",
  userPoolId: "eu-west-1_Abc123",
  tenantClaim: "custom:tenant",
  storage: { pooledBucket: "pooled", tenants: { globex: { tier: "accessPoint", bucket: "pooled", accessPointArn: "arn:aws:s3:eu-west-1:1:accesspoint/globex" } } },
};

describe("scripts/admin/stack-outputs", () => {
  it("reads the target from `pulumi stack output --json` and from `pulumi stack output appConfig --json` alike", () => {
    const expected = { region: "eu-west-1", userPoolId: "eu-west-1_Abc123", tenantClaim: "custom:tenant", pooledBucket: "pooled", tenants: { globex: { tier: "accessPoint", bucket: "pooled" } }, origin: "f.json" };
    assert.deepEqual(targetFromStackOutputs({ appConfig: APP_CONFIG, storage: {} }, "f.json"), expected);
    assert.deepEqual(targetFromStackOutputs(APP_CONFIG, "f.json"), expected);
  });

  it("lets --region and --user-pool-id override the outputs", () => {
    const target = targetFromStackOutputs({ appConfig: APP_CONFIG }, "f.json", { region: "us-east-1", userPoolId: "us-east-1_Other1" });
    assert.equal(target.region, "us-east-1");
    assert.equal(target.userPoolId, "us-east-1_Other1");
  });

  it("takes a stack without non-pooled tenants as having none", () => {
    assert.deepEqual(targetFromStackOutputs({ appConfig: { ...APP_CONFIG, storage: { pooledBucket: "pooled", tenants: {} } } }, "f").tenants, {});
  });

  const refused: [string, unknown, object, RegExp][] = [
    ["outputs without appConfig", { storage: {} }, {}, /f\.json has no appConfig output/],
    ["a missing userPoolId", { appConfig: { ...APP_CONFIG, userPoolId: undefined } }, {}, /appConfig\.userPoolId is missing.*or pass --user-pool-id/],
    ["a missing region", { appConfig: { ...APP_CONFIG, region: "" } }, {}, /appConfig\.region is missing.*or pass --region/],
    ["a missing tenantClaim", { appConfig: { ...APP_CONFIG, tenantClaim: undefined } }, {}, /appConfig\.tenantClaim is missing/],
    ["a tenantClaim that is no custom attribute", { appConfig: { ...APP_CONFIG, tenantClaim: "tenant" } }, {}, /appConfig\.tenantClaim must be a custom attribute/],
    ["a pool in another Region than the region", { appConfig: APP_CONFIG }, { region: "us-east-1" }, /user pool eu-west-1_Abc123 is in eu-west-1 but the region is us-east-1: pass --region eu-west-1/],
  ];
  for (const [label, outputs, overrides, message] of refused) {
    it(`refuses ${label} with an AdminError naming the field`, () => {
      assert.throws(() => targetFromStackOutputs(outputs, "f.json", overrides), (err: unknown) => err instanceof AdminError && message.test(err.message));
    });
  }

  it("asks the Pulumi CLI for the named stack when no file is given, and reads a file otherwise", async () => {
    const asked: (string | undefined)[] = [];
    const target = await loadTarget({ stack: "prod" }, async (stack) => {
      asked.push(stack);
      return { appConfig: APP_CONFIG };
    });
    assert.deepEqual(asked, ["prod"]);
    assert.equal(target.origin, "pulumi stack output --stack prod");
    await assert.rejects(loadTarget({ stackOutputsFile: "/nonexistent/stack.json" }), /--stack-outputs \/nonexistent\/stack\.json cannot be read \(ENOENT\); write it with `pulumi stack output --json > /);
  });
});
