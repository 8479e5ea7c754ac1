import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../offline/stack-config";

/** Runs `npm run plan -- …` as a user would (the same node command, without npm's banner). */
function plan(...args: string[]) {
  const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "offline/plan.ts", ...args], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("offline/plan (npm run plan)", function () {
  this.timeout(60_000);

  it("prints a table of what would be created, with parents, and the stack outputs", () => {
    const { code, stdout, stderr } = plan("--stack", "dev");
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^TYPE\s+NAME\s+PARENT$/m);
    assert.match(stdout, /^aws:s3\/bucket:Bucket\s+mobile-s3-dev-storage\s+mobile-s3-dev-storage$/m);
    assert.match(stdout, /^aws:s3\/bucketPolicy:BucketPolicy\s+mobile-s3-dev-storage\s+mobile-s3-dev-storage$/m);
    assert.match(stdout, /^ {2}storage\.bucketArn: \[unknown\]$/m);
  });

  it("prints JSON with urn, type, name, parent, id, inputs and outputs when asked", () => {
    const { code, stdout } = plan("--stack", "prod", "--json");
    assert.equal(code, 0);
    const doc = JSON.parse(stdout) as { resources: Record<string, unknown>[]; outputs: Record<string, unknown> };
    assert.ok(doc.resources.length >= 9);
    for (const r of doc.resources) {
      assert.deepEqual(Object.keys(r), ["urn", "type", "name", "parent", "id", "inputs", "outputs"]);
    }
    const bucket = doc.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
    assert.equal(bucket.id, "[unknown]");
    assert.equal((bucket.inputs as { forceDestroy: boolean }).forceDestroy, false);
    assert.deepEqual((doc.outputs as { storage: unknown }).storage, { bucketArn: "[unknown]", bucketName: "[unknown]", kmsKeyArn: "[unknown]" });
    assert.equal((doc.outputs as { appConfig: unknown }).appConfig, "[unknown]", "built from values unknown in a preview");
  });

  it("plans the prod stack to deploy on a real account: GuardDuty on every data bucket, functions within 3,008 MB, its own Cognito domain", () => {
    const { code, stdout, stderr } = plan("--stack", "prod", "--mock-ids", "--json");
    assert.equal(code, 0, stderr);
    const doc = JSON.parse(stdout) as { resources: { type: string; name: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }[] };
    const ofType = (type: string) => doc.resources.filter((r) => r.type === type);
    const dataBuckets = ofType("aws:s3/bucket:Bucket").filter((b) => !b.name.includes("audit"));
    const plans = ofType("aws:guardduty/malwareProtectionPlan:MalwareProtectionPlan");
    assert.deepEqual(
      plans.map((p) => (p.inputs.protectedResource as { s3Bucket: { bucketName: string } }).s3Bucket.bucketName).sort(),
      dataBuckets.map((b) => b.outputs.bucket as string).sort(),
    );
    for (const p of plans) {
      assert.deepEqual(p.inputs.actions, [{ taggings: [{ status: "ENABLED" }] }]);
    }
    // "Lambda quotas": new accounts may give a function at most 3,008 MB.
    for (const fn of ofType("aws:lambda/function:Function")) {
      assert.ok((fn.inputs.memorySize as number) <= 3008, `${fn.name}: ${String(fn.inputs.memorySize)} MB`);
    }
    // A domain prefix is unique per region across all accounts: <app>-<env> would collide with the next adopter's.
    const [domain] = ofType("aws:cognito/userPoolDomain:UserPoolDomain");
    assert.notEqual(domain.inputs.domain, "mobile-s3-prod");
    assert.match(domain.inputs.domain as string, /^mobile-s3-prod-[0-9a-f]{8}$/);
  });

  it("shows stable placeholder ids with --mock-ids", () => {
    const { stdout } = plan("--stack", "dev", "--json", "--mock-ids");
    const doc = JSON.parse(stdout) as { outputs: { storage: { bucketArn: string } } };
    assert.match(doc.outputs.storage.bucketArn, /^arn:aws:s3:::mobile-s3-dev-storage-[0-9a-f]{7}$/);
  });

  it("runs the policy pack over the plan and reports its findings by level", () => {
    const { code, stdout } = plan("--stack", "demo", "--config", "examples/multi-tenant.yaml");
    assert.equal(code, 0);
    assert.match(stdout, /^Policy pack:\nmandatory \(0\):\n {2}none\nadvisory \(\d+\):/m);
  });

  it("exits 3 on a mandatory violation (a stricter organisation setting), and 0 once `all` makes it advisory", () => {
    const strict = path.join(os.tmpdir(), `mobile-s3-strict-${process.pid}.json`);
    writeFileSync(strict, JSON.stringify({ "aws-s3-bucket-missing-tls-policy": { minimumTlsVersion: "1.3" } }));
    const refused = plan("--stack", "dev", "--policy-config", strict);
    assert.equal(refused.code, 3);
    assert.match(refused.stdout, /mandatory \([1-9]\d*\):\n {2}aws-s3-bucket-missing-tls-policy {2}mobile-s3-dev-storage\n/);
    writeFileSync(strict, JSON.stringify({ all: "advisory", "aws-s3-bucket-missing-tls-policy": { minimumTlsVersion: "1.3" } }));
    const downgraded = plan("--stack", "dev", "--policy-config", strict);
    assert.equal(downgraded.code, 0);
    assert.match(downgraded.stdout, /mandatory \(0\)[\s\S]*advisory \([1-9]\d*\):\n {2}aws-s3-bucket-missing-tls-policy/);
  });

  const failures: [string, string[], RegExp, number][] = [
    ["a bad value", ["--stack", "dev", "--config", "BAD"], /^plan: \[mobile-s3:abortIncompleteUploadDays\] must be an integer from 1 to 365, got "0"\n$/, 1],
    ["a misspelt key", ["--stack", "dev", "--config", "TYPO"], /^plan: config key mobile-s3:owners is not declared in Pulumi.yaml; check its spelling\n$/, 1],
    ["a missing stack", ["--stack", "nope"], /^plan: no stack config file at .*Pulumi\.nope\.yaml\n$/, 1],
    ["no --stack", [], /^plan: --stack is required\n/, 2],
    ["an unknown flag", ["--stack", "dev", "--yes"], /^plan: Unknown option '--yes'/, 2],
  ];
  const files: Record<string, string> = {
    BAD: "config:\n  mobile-s3:abortIncompleteUploadDays: 0\n",
    TYPO: "config:\n  mobile-s3:owners: me\n",
  };
  for (const [label, args, message, exitCode] of failures) {
    it(`fails on ${label} with one line naming it and exit code ${exitCode}`, () => {
      const resolved = args.map((a) => {
        if (!(a in files)) {
          return a;
        }
        const file = path.join(os.tmpdir(), `mobile-s3-plan-${a}-${process.pid}.yaml`);
        writeFileSync(file, files[a]);
        return file;
      });
      const { code, stdout, stderr } = plan(...resolved);
      assert.equal(code, exitCode);
      assert.equal(stdout, "");
      assert.match(stderr, message);
    });
  }
});
