import * as assert from "node:assert/strict";
import { ofType, runProgram } from "../harness/program";

/**
 * What `pulumi destroy` keeps. Outside throwaway stacks: the user pool and the object index's table
 * (Cognito's and DynamoDB's deletion protection would otherwise fail the destroy half-way) and every
 * KMS key (nothing orders a key's deletion after its bucket's, so a destroy stopped by a non-empty
 * bucket would still schedule the key of the objects it left behind; the table's key is its only
 * way to be read). Throwaway stacks (`forceDestroy`) delete everything.
 */
describe("infra: what pulumi destroy keeps", function () {
  this.timeout(120_000);

  it("prod keeps the user pool and every bucket's KMS key, and refuses to delete buckets that hold objects", async () => {
    const run = await runProgram({ stack: "prod" });
    const [pool] = ofType(run, "aws:cognito/userPool:UserPool");
    assert.equal(pool.retainOnDelete, true);
    assert.equal(pool.inputs.deletionProtection, "ACTIVE");
    assert.deepEqual(pool.inputs.usernameConfiguration, { caseSensitive: false });
    // The alarm topic's key encrypts only messages in flight; the buckets' keys encrypt what users stored.
    const keys = ofType(run, "aws:kms/key:Key").filter((k) => !k.name.includes("alarms"));
    assert.ok(keys.length > 0);
    for (const key of keys) {
      assert.equal(key.retainOnDelete, true, key.name);
    }
    for (const bucket of ofType(run, "aws:s3/bucket:Bucket")) {
      assert.equal(bucket.inputs.forceDestroy, false, bucket.name);
    }
    const [table] = ofType(run, "aws:dynamodb/table:Table");
    assert.equal(table.retainOnDelete, true);
    assert.equal(table.inputs.deletionProtectionEnabled, true);
    assert.ok(keys.some((k) => k.name.endsWith("-index-key")), "the table's key is among those kept");
  });

  it("a throwaway full-profile stack (prod's config with forceDestroy) deletes the object index and its key", async () => {
    const run = await runProgram({ stack: "prod", config: { forceDestroy: true } });
    const [table] = ofType(run, "aws:dynamodb/table:Table");
    assert.equal(table.retainOnDelete, false);
    assert.equal(table.inputs.deletionProtectionEnabled, false);
    for (const key of ofType(run, "aws:kms/key:Key")) {
      assert.equal(key.retainOnDelete, false, key.name);
    }
  });

  it("a throwaway stack (dev, forceDestroy) deletes them all", async () => {
    const run = await runProgram({ stack: "dev" });
    const [pool] = ofType(run, "aws:cognito/userPool:UserPool");
    assert.equal(pool.retainOnDelete, false);
    assert.equal(pool.inputs.deletionProtection, "INACTIVE");
    for (const key of ofType(run, "aws:kms/key:Key")) {
      assert.equal(key.retainOnDelete, false, key.name);
    }
  });
});
