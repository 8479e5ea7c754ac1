import { CLAMAV_ENV, DEFINITIONS_LAYOUT } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { CLAMAV_EPHEMERAL_STORAGE_MB, DEFINITIONS_UPDATER_TIMEOUT_S, writeImageContext } from "../../../infra/scanning/clamav-image";
import { definitionsReadStatements, definitionsUpdaterPolicy } from "../../../infra/scanning/clamav-policies";
import { tempDir } from "../../functions/scan/clamd-fixture";
import { ofType, onlyOfType, type ProgramRun, runProgram } from "../../harness/program";

/**
 * `scanner: clamav` under mocks. The image cannot be built here (no registry, no AWS base image),
 * so what is checked is everything the program decides: the build's inputs (context, platform,
 * push to its own immutable repository), the functions that run the image and with what, the
 * definitions bucket and its updater, and the policies, read as documents.
 */
describe("infra/scanning/clamav-image (scanner: clamav)", function () {
  this.timeout(180_000);
  let run: ProgramRun;
  before(async () => (run = await runProgram({ stack: "prod", config: { scanner: "clamav" } })));

  const fn = (suffix: string) => {
    const found = ofType(run, "aws:lambda/function:Function").filter((f) => f.name.endsWith(suffix));
    assert.equal(found.length, 1, `one function named *${suffix}`);
    return found[0];
  };

  it("builds one arm64 image from functions/scan/Dockerfile and pushes it to an immutable, scanned ECR repository", () => {
    const image = onlyOfType(run, "docker-build:index:Image");
    assert.deepEqual(image.inputs.platforms, ["linux/arm64"]);
    assert.equal(image.inputs.push, true);
    const repo = onlyOfType(run, "aws:ecr/repository:Repository");
    assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
    assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
    assert.equal(repo.inputs.forceDelete, false);
    const [tag] = image.inputs.tags as string[];
    assert.match(tag, new RegExp(`^${String(repo.outputs.repositoryUrl).replace(/\./g, "\\.")}:[0-9a-f]{32}$`));
    const context = (image.inputs.context as { location: string }).location;
    for (const file of ["Dockerfile", "scan.js", "proxy.js", "definitions.js"]) {
      assert.ok(existsSync(path.join(context, file)), `${file} in the build context`);
    }
    assert.match(readFileSync(path.join(context, "Dockerfile"), "utf8"), /dnf -y install clamav clamd clamav-update/);
  });

  it("runs scan, proxy and the updater from that image by digest, each with its own command", () => {
    const image = onlyOfType(run, "docker-build:index:Image");
    const repo = onlyOfType(run, "aws:ecr/repository:Repository");
    const uri = `${String(repo.outputs.repositoryUrl)}@${String(image.outputs.digest)}`;
    for (const [suffix, command] of [
      ["-scan", "scan.handler"],
      ["-proxy", "proxy.handler"],
      ["-updater", "definitions.handler"],
    ] as const) {
      const f = fn(suffix);
      assert.equal(f.inputs.packageType, "Image", suffix);
      assert.equal(f.inputs.imageUri, uri, suffix);
      assert.deepEqual((f.inputs.imageConfig as { commands: string[] }).commands, [command], suffix);
      assert.deepEqual(f.inputs.architectures, ["arm64"]);
      assert.equal((f.inputs.ephemeralStorage as { size: number }).size, CLAMAV_EPHEMERAL_STORAGE_MB, suffix);
      assert.ok(Number(f.inputs.memorySize) <= 3008, `${suffix} within a new account's 3,008 MB`);
    }
    // The other functions stay zip bundles.
    assert.equal(fn("-objects").inputs.packageType, "Zip");
    assert.equal(fn("-updater").inputs.timeout, DEFINITIONS_UPDATER_TIMEOUT_S);
    assert.ok(DEFINITIONS_UPDATER_TIMEOUT_S <= 900, "within Lambda's 15 minutes");
  });

  it("points the scanners and the updater at the definitions bucket, which is hardened like every bucket", () => {
    const buckets = ofType(run, "aws:s3/bucket:Bucket").filter((b) => b.name.includes("clamav-defs"));
    assert.equal(buckets.length, 1);
    const bucketName = String(buckets[0].outputs.bucket ?? buckets[0].id);
    for (const suffix of ["-scan", "-proxy", "-updater"]) {
      const variables = (fn(suffix).inputs.environment as { variables: Record<string, string> }).variables;
      assert.equal(variables[CLAMAV_ENV.definitionsBucket], bucketName, suffix);
    }
    const block = ofType(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").filter((b) => b.inputs.bucket === bucketName);
    assert.equal(block.length, 1);
    assert.equal(block[0].inputs.restrictPublicBuckets, true);
  });

  it("runs the updater on a schedule and once at deploy, for each new image", () => {
    const rule = ofType(run, "aws:cloudwatch/eventRule:EventRule").find((r) => r.name.endsWith("clamav-updater"));
    assert.equal(rule?.inputs.scheduleExpression, "rate(3 hours)");
    const target = ofType(run, "aws:cloudwatch/eventTarget:EventTarget").find((t) => t.name.endsWith("clamav-updater"));
    assert.equal(target?.inputs.arn, fn("-updater").outputs.arn);
    const invocation = onlyOfType(run, "aws:lambda/invocation:Invocation");
    assert.equal(invocation.inputs.functionName, fn("-updater").outputs.name);
    assert.equal((invocation.inputs.triggers as { image: string }).image, fn("-scan").inputs.imageUri);
    assert.equal(fn("-updater").inputs.reservedConcurrentExecutions, 1);
  });

  it("lets the scanners read the manifest and signatures only, and the updater write only there", () => {
    const bucketArn = "arn:aws:s3:::defs";
    const [read] = definitionsReadStatements(bucketArn);
    assert.deepEqual(read.Action, ["s3:GetObject", "s3:GetObjectVersion"]);
    assert.deepEqual(read.Resource, [`${bucketArn}/${DEFINITIONS_LAYOUT.manifestKey}`, `${bucketArn}/${DEFINITIONS_LAYOUT.signaturesPrefix}*`]);
    const scanPolicy = ofType(run, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name.endsWith("-scan"));
    const scanStatements = JSON.parse(String(scanPolicy?.inputs.policy)).Statement as { Sid: string }[];
    assert.ok(scanStatements.some((s) => s.Sid === "ReadClamAvDefinitions"), "the scan role reads the definitions");
    const updater = definitionsUpdaterPolicy({ bucketArn, logGroupArn: "arn:aws:logs:eu-west-1:111122223333:log-group:u" });
    const resources = updater.Statement.flatMap((s) => [s.Resource].flat());
    assert.ok(resources.every((r) => String(r).startsWith(`${bucketArn}/`) || String(r).startsWith("arn:aws:logs:")), "nothing outside its bucket and logs");
    assert.ok(!updater.Statement.some((s) => [s.Action].flat().some((a) => a === "s3:*" || a === "s3:DeleteObject")));
  });

  it("writes the same build context for the same sources", () => {
    const a = tempDir("clamav-context-");
    try {
      const first = writeImageContext(a.dir);
      const second = writeImageContext(a.dir);
      assert.equal(first.contentHash, second.contentHash);
      assert.equal(first.dir, second.dir);
    } finally {
      a.remove();
    }
  });

  it("the GuardDuty stack builds no image", async () => {
    const guardDuty = await runProgram({ stack: "prod" });
    assert.equal(ofType(guardDuty, "docker-build:index:Image").length, 0);
    assert.equal(ofType(guardDuty, "aws:ecr/repository:Repository").length, 0);
  });
});
