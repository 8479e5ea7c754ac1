import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ControlPlane } from "../../../infra/api/control-plane";
import { ScanTrigger, type ScanTriggerArgs } from "../../../infra/scanning/scan-trigger";
import { ofType, onlyOfType, type ProgramRun, runUnderMocks } from "../../harness/program";
import { controlPlaneArgs, POOLED_BUCKET, SILO_BUCKET } from "../api/fixtures";
import { TYPE } from "../../../offline/resource-types";

const NAME = "mobile-s3-dev-scan";
const FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:mobile-s3-dev-api-scan-0123abc";
const T = { ...TYPE, component: "mobile-s3:scanning:ScanTrigger" };

function args(change: Partial<ScanTriggerArgs> = {}): ScanTriggerArgs {
  return { functionArn: FUNCTION_ARN, bucketNames: [POOLED_BUCKET, SILO_BUCKET], tags: { app: "mobile-s3", env: "dev" }, ...change };
}

function build(a: ScanTriggerArgs = args()): Promise<ProgramRun> {
  return runUnderMocks(
    () => {
      const trigger = new ScanTrigger(NAME, a);
      return { ruleArn: trigger.ruleArn };
    },
    { stack: "dev" },
  );
}

describe("infra/scanning/scan-trigger (component under mocks)", () => {
  let run: ProgramRun;
  before(async () => (run = await build()));

  it("parents the rule, its target and the permission to the mobile-s3:scanning:ScanTrigger component", () => {
    const component = onlyOfType(run, T.component);
    assert.equal(run.resources.length, 4);
    for (const type of [T.rule, T.target, T.permission]) {
      assert.equal(onlyOfType(run, type).parent, component.urn, type);
    }
  });

  it("Scan before read: matches every new object under tenants/ in the given buckets, and nothing else", () => {
    const rule = onlyOfType(run, T.rule);
    assert.deepEqual(JSON.parse(rule.inputs.eventPattern as string), {
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: [SILO_BUCKET, POOLED_BUCKET].sort() }, object: { key: [{ prefix: "tenants/" }] } },
    });
    assert.equal(rule.inputs.eventBusName, undefined, "S3 sends its events to the default bus");
    assert.deepEqual(rule.inputs.tags, { app: "mobile-s3", env: "dev" });
  });

  it("lets this rule, and no other source, invoke the scanner", () => {
    const rule = onlyOfType(run, T.rule);
    const permission = onlyOfType(run, T.permission);
    assert.equal(permission.inputs.action, "lambda:InvokeFunction");
    assert.equal(permission.inputs.principal, "events.amazonaws.com");
    assert.equal(permission.inputs.function, FUNCTION_ARN);
    assert.equal(permission.inputs.sourceArn, rule.outputs.arn);
    assert.match(permission.inputs.sourceArn as string, /^arn:aws:events:us-east-1:123456789012:rule\//);
  });

  it("targets the scanner from this rule once the permission exists, retrying delivery for a day", () => {
    const target = onlyOfType(run, T.target);
    assert.equal(target.inputs.arn, FUNCTION_ARN);
    const rule = onlyOfType(run, T.rule);
    assert.equal(rule.inputs.name, NAME);
    assert.equal(target.inputs.rule, NAME);
    assert.deepEqual(target.propertyDependencies.rule, [rule.urn], "the target hangs off this rule");
    assert.ok(target.dependencies.includes(onlyOfType(run, T.permission).urn));
    assert.deepEqual(target.inputs.retryPolicy, { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 });
  });

  it("outputs the rule's ARN", () => {
    assert.deepEqual(run.outputs, { ruleArn: onlyOfType(run, T.rule).outputs.arn });
  });

  it("wires to ControlPlane's scanner, bucket names known only at deploy time", async () => {
    const wired = await runUnderMocks(
      () => {
        const controlPlane = new ControlPlane("mobile-s3-dev-api", controlPlaneArgs());
        new ScanTrigger(NAME, { functionArn: controlPlane.scanFunctionArn, bucketNames: pulumi.output([POOLED_BUCKET]) });
        return {};
      },
      { stack: "dev" },
    );
    const scanner = ofType(wired, "aws:lambda/function:Function").find((f) => f.name === "mobile-s3-dev-api-scan")!;
    assert.equal(ofType(wired, T.permission).filter((p) => p.inputs.principal === "events.amazonaws.com").length, 1);
    const permission = ofType(wired, T.permission).find((p) => p.inputs.principal === "events.amazonaws.com")!;
    assert.equal(permission.inputs.function, scanner.outputs.arn);
    assert.equal(onlyOfType(wired, T.target).inputs.arn, scanner.outputs.arn);
    assert.deepEqual(JSON.parse(onlyOfType(wired, T.rule).inputs.eventPattern as string).detail.bucket.name, [POOLED_BUCKET]);
  });

  it("refuses a name EventBridge cannot take", async () => {
    await assert.rejects(
      runUnderMocks(
        () => {
          new ScanTrigger("x".repeat(65), args());
          return {};
        },
        { stack: "dev" },
      ),
      /ScanTrigger name "x{65}" must be 1-64 letters/,
    );
  });

  const refused: [string, Partial<ScanTriggerArgs>, RegExp][] = [
    ["no bucket", { bucketNames: [] }, /\[bucketNames\] must name at least one bucket/],
    ["a wildcard key prefix", { keyPrefix: "tenants/*" }, /\[keyPrefix\] must be a literal/],
    ["events older than EventBridge keeps", { retryPolicy: { maximumEventAgeInSeconds: 90_000, maximumRetryAttempts: 3 } }, /\[retryPolicy\.maximumEventAgeInSeconds\] must be an integer from 60 to 86400/],
    ["more retries than EventBridge allows", { retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 186 } }, /\[retryPolicy\.maximumRetryAttempts\]/],
  ];
  for (const [label, change, message] of refused) {
    it(`refuses ${label}, naming the argument`, async () => {
      await assert.rejects(build(args(change)), message);
    });
  }
});
