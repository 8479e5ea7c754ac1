import * as assert from "node:assert/strict";
import * as library from "mobile-s3";
import { consumerProgram, EXPIRE_SCRATCH } from "../../examples/consumer-program";
import { HardenedBucket } from "../../infra/storage/hardened-bucket";
import { ofType, onlyOfType, type ProgramRun, type RegisteredResource, runUnderMocks } from "../harness/program";

const T = {
  bucket: "aws:s3/bucket:Bucket",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  key: "aws:kms/key:Key",
  userPool: "aws:cognito/userPool:UserPool",
  accessPoint: "aws:s3/accessPoint:AccessPoint",
};

function named(run: ProgramRun, type: string, name: string): RegisteredResource {
  const found = ofType(run, type).filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one ${type} named ${name}`);
  return found[0];
}

describe("the component library, imported by name from another program (examples/consumer-program)", () => {
  let run: ProgramRun;
  before(async () => (run = await runUnderMocks(() => consumerProgram(), { stack: "dev" })));

  it("resolves `mobile-s3` to this package's components", () => {
    assert.equal(library.HardenedBucket, HardenedBucket);
    for (const component of ["Identity", "TenantStorage", "HardenedBucket", "ControlPlane", "ReadDistribution", "AuditTrail", "Alarms", "ClamAvImage", "GuardDutyProtection", "ScanTrigger", "ObjectIndexTable", "IndexTrigger"]) {
      assert.equal(typeof (library as Record<string, unknown>)[component], "function", component);
    }
  });

  it("builds the program's own components with its own names, parented as components", () => {
    assert.deepEqual(
      run.resources.filter((r) => !r.custom).map((r) => `${r.type} ${r.name}`).sort(),
      [
        "mobile-s3:identity:Identity photos-qa-identity",
        "mobile-s3:storage:HardenedBucket photos-qa-media",
        "mobile-s3:storage:HardenedBucket photos-qa-storage",
        "mobile-s3:tenancy:TenantStorage photos-qa-storage",
      ],
    );
    assert.equal(named(run, T.accessPoint, "photos-qa-acme").inputs.name, "photos-qa-acme");
  });

  it("applies a function transform to the pooled bucket: its tag reaches the bucket's registered inputs", () => {
    const pooled = named(run, T.bucket, "photos-qa-storage");
    assert.deepEqual(pooled.inputs.tags, { team: "media", env: "qa", backup: "daily" });
    assert.deepEqual(named(run, T.bucket, "photos-qa-media").inputs.tags, { team: "media", env: "qa" }, "the other bucket keeps the component's tags only");
  });

  it("applies a replacing transform to the pooled bucket's lifecycle, keeping the component's rules", () => {
    const rules = named(run, T.lifecycle, "photos-qa-storage").inputs.rules as { id: string }[];
    assert.deepEqual(rules.map((r) => r.id), ["abort-incomplete-multipart-uploads", "expire-noncurrent-versions", EXPIRE_SCRATCH.id]);
    assert.deepEqual(rules.at(-1), EXPIRE_SCRATCH);
    const media = named(run, T.lifecycle, "photos-qa-media").inputs.rules as { id: string }[];
    assert.ok(!media.some((r) => r.id === EXPIRE_SCRATCH.id));
  });

  it("merges a partial transform over the media bucket's key, and leaves the pooled bucket's key alone", () => {
    assert.equal(named(run, T.key, "photos-qa-media-key").inputs.deletionWindowInDays, 7);
    assert.equal(named(run, T.key, "photos-qa-media-key").inputs.enableKeyRotation, true, "the rest of the component's args stay");
    assert.equal(named(run, T.key, "photos-qa-storage-key").inputs.deletionWindowInDays, 30);
  });

  it("tags every taggable child from one `tags` argument per component", () => {
    assert.deepEqual(onlyOfType(run, T.userPool).inputs.tags, { team: "media", env: "qa" });
    assert.equal(onlyOfType(run, T.accessPoint).inputs.tags, undefined, "access points are not tagged");
  });

  it("exposes the children for wiring", () => {
    assert.deepEqual(Object.keys(run.outputs).sort(), ["mediaBucket", "pooledBucket", "userPoolId"]);
    assert.equal(run.outputs.pooledBucket, named(run, T.bucket, "photos-qa-storage").outputs.bucket);
  });
});
