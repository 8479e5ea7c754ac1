import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { buildProgram, readStackConfig } from "../../infra/program";
import { checkWithPolicyPack } from "../../offline/policy-check";
import { policyPackForSuite } from "../harness/policy-pack";
import { runProgram, runUnderMocks } from "../harness/program";

describe("offline/policy-check (the pack over a planned stack)", function () {
  this.timeout(120_000);
  const pack = policyPackForSuite();

  it("passes every stack the project ships, in preview and with computed values, with zero mandatory findings", async () => {
    for (const opts of [
      { stack: "dev" },
      { stack: "prod" },
      { stack: "demo", configFile: "examples/multi-tenant.yaml" },
      { stack: "dev", config: { homeKey: "identityId", profile: "full", tenants: ["a:accessPoint", "b:bucket+dedicatedKey"] } },
    ]) {
      for (const preview of [true, false]) {
        const run = await runProgram({ ...opts, preview });
        const findings = await checkWithPolicyPack(run, {}, pack());
        assert.deepEqual(findings.mandatory, [], `${JSON.stringify(opts)} preview=${preview}`);
      }
    }
  });

  it("stops a deliberately broken copy of the program: a public, unguarded bucket added to it", async () => {
    const broken = await runUnderMocks(() => {
      const outputs = buildProgram(readStackConfig());
      const naked = new aws.s3.Bucket("naked", {});
      new aws.s3.BucketAcl("naked", { bucket: naked.id, acl: "public-read" });
      return outputs;
    }, { stack: "dev" });
    const findings = await checkWithPolicyPack(broken, {}, pack());
    const naked = broken.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "naked")!;
    const onNaked = findings.mandatory.filter((d) => d.urn === naked.urn).map((d) => d.policyName);
    for (const expected of ["aws-s3-bucket-missing-public-access-block", "aws-s3-bucket-missing-tls-policy"]) {
      assert.ok(onNaked.includes(expected), `${expected} in ${JSON.stringify(onNaked)}`);
    }
    assert.ok(findings.mandatory.some((d) => d.policyName === "aws-s3-bucket-disallow-public-acl"));
    // The rest of the program is still clean.
    const others = findings.mandatory.filter((d) => d.urn !== naked.urn && !d.urn.includes("::naked"));
    assert.deepEqual(others, []);
  });
});
