import * as assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runProgram } from "../harness/program";

describe("offline/run-program (harness: program under mocks)", () => {
  it("returns every registered resource with type, name, parent, inputs, outputs, and the stack outputs", async () => {
    const run = await runProgram({ stack: "dev" });
    assert.equal(run.project, "mobile-s3");
    assert.equal(run.stack, "dev");
    assert.ok(run.resources.length >= 9);
    for (const r of run.resources) {
      assert.match(r.urn, /^urn:pulumi:dev::mobile-s3::/);
      assert.ok(r.parent, `${r.urn} has a parent`);
      assert.equal(typeof r.inputs, "object");
      assert.equal(typeof r.outputs, "object");
    }
    const bucket = run.resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "mobile-s3-dev-storage")!;
    const key = run.resources.find((r) => r.type === "aws:kms/key:Key" && r.name === "mobile-s3-dev-storage-key")!;
    assert.deepEqual(run.outputs.storage, { bucketName: bucket.id, bucketArn: `arn:aws:s3:::${bucket.id}`, kmsKeyArn: key.outputs.arn });
    assert.match(key.outputs.arn as string, /^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f-]{36}$/);
    assert.equal((run.outputs.appConfig as { region: string }).region, "us-east-1");
  });

  it("is deterministic: two runs give the same ids and ARNs", async () => {
    const a = await runProgram({ stack: "dev" });
    const b = await runProgram({ stack: "dev" });
    assert.deepEqual(
      a.resources.map((r) => [r.urn, r.id, r.outputs.arn]),
      b.resources.map((r) => [r.urn, r.id, r.outputs.arn]),
    );
    assert.deepEqual(a.outputs, b.outputs);
  });

  it("takes config as an object laid over the stack file, and the region from aws:region", async () => {
    const run = await runProgram({ stack: "dev", config: { app: "photos", "aws:region": "eu-west-1" } });
    const key = run.resources.find((r) => r.type === "aws:kms/key:Key" && r.name === "photos-dev-storage-key")!;
    assert.ok(key, "keys are named after the app");
    assert.match(key.outputs.arn as string, /^arn:aws:kms:eu-west-1:/);
  });

  it("takes config from any file in the stack-file format", async () => {
    const file = path.join(os.tmpdir(), `mobile-s3-config-${process.pid}.yaml`);
    writeFileSync(file, "config:\n  mobile-s3:environment: qa\n  mobile-s3:abortIncompleteUploadDays: 9\n");
    const run = await runProgram({ stack: "anything", configFile: file }).finally(() => rmSync(file, { force: true }));
    const lifecycle = run.resources.find((r) => r.type.includes("bucketLifecycleConfiguration"))!;
    assert.match(lifecycle.urn, /::mobile-s3-qa-storage$/);
    assert.equal((lifecycle.inputs.rules as { abortIncompleteMultipartUpload?: { daysAfterInitiation: number } }[])[0].abortIncompleteMultipartUpload?.daysAfterInitiation, 9);
  });

  it("in preview, leaves computed values unknown as `pulumi preview` does", async () => {
    const run = await runProgram({ stack: "dev", preview: true });
    const bucket = run.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
    assert.equal(bucket.id, undefined);
    assert.equal(bucket.outputs.arn, undefined);
    assert.deepEqual(run.outputs.storage, { bucketName: undefined, bucketArn: undefined, kmsKeyArn: undefined });
  });

  const refused: [string, Record<string, unknown>, RegExp][] = [
    ["a key Pulumi.yaml does not declare", { abortIncompleteUploadsDays: 3 }, /config key mobile-s3:abortIncompleteUploadsDays is not declared in Pulumi.yaml/],
    ["a value of the wrong type", { forceDestroy: "maybe" }, /config key mobile-s3:forceDestroy must be of type boolean/],
    ["a value the program rejects", { noncurrentVersionExpirationDays: 0 }, /\[mobile-s3:noncurrentVersionExpirationDays\] must be/],
  ];
  for (const [label, config, message] of refused) {
    it(`refuses ${label}, naming the key`, async () => {
      await assert.rejects(runProgram({ stack: "dev", config }), message);
    });
  }

  it("refuses a stack without a stack file", async () => {
    await assert.rejects(runProgram({ stack: "nope" }), /no stack config file at .*Pulumi\.nope\.yaml/);
  });
});
