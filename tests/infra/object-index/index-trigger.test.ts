import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ControlPlane } from "../../../infra/api/control-plane";
import { IndexTrigger, type IndexTriggerArgs } from "../../../infra/object-index/index-trigger";
import { undeliveredEventsQueuePolicy } from "../../../infra/object-index/queue-policy";
import { TYPE } from "../../../offline/resource-types";
import { decideAll } from "../../harness/iam";
import { MOCK_ACCOUNT_ID, ofType, onlyOfType, type ProgramRun, type RegisteredResource, runUnderMocks } from "../../harness/program";
import { controlPlaneArgs, POOLED_BUCKET, SILO_BUCKET } from "../api/fixtures";

const NAME = "mobile-s3-dev-indexer";
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${MOCK_ACCOUNT_ID}:function:mobile-s3-dev-api-indexer-0123abc`;
const QUEUE_ARN = `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT_ID}:mobile-s3-dev-api-indexer-failures-0123abc`;
const QUEUE_URL = `https://sqs.us-east-1.amazonaws.com/${MOCK_ACCOUNT_ID}/mobile-s3-dev-api-indexer-failures-0123abc`;
const T = { ...TYPE, component: "mobile-s3:object-index:IndexTrigger" };

function args(change: Partial<IndexTriggerArgs> = {}): IndexTriggerArgs {
  return {
    functionArn: FUNCTION_ARN,
    bucketNames: [POOLED_BUCKET, SILO_BUCKET],
    failureQueue: { arn: QUEUE_ARN, url: QUEUE_URL },
    tags: { app: "mobile-s3", env: "dev" },
    ...change,
  };
}

function build(a: IndexTriggerArgs = args()): Promise<ProgramRun> {
  return runUnderMocks(
    () => {
      const trigger = new IndexTrigger(NAME, a);
      return { ruleArn: trigger.ruleArn, reconcileRuleArn: trigger.reconcileRuleArn };
    },
    { stack: "dev" },
  );
}

function named(run: ProgramRun, type: string, name: string): RegisteredResource {
  const found = ofType(run, type).filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one ${type} named ${name}`);
  return found[0];
}

describe("infra/object-index/index-trigger (component under mocks)", () => {
  let run: ProgramRun;
  before(async () => (run = await build()));
  const events = () => named(run, T.rule, NAME);
  const schedule = () => named(run, T.rule, `${NAME}-reconcile`);

  it("parents two rules, their targets and permissions, and the failure queue's policy to the mobile-s3:object-index:IndexTrigger component", () => {
    const component = onlyOfType(run, T.component);
    const children = run.resources.filter((r) => r !== component);
    assert.deepEqual(children.map((r) => r.type).sort(), [T.rule, T.rule, T.permission, T.permission, T.queuePolicy, T.target, T.target].sort());
    for (const child of children) {
      assert.equal(child.parent, component.urn, `${child.type} ${child.name}`);
    }
  });

  it("matches every S3 event that changes a key under tenants/ in the given buckets, and nothing else", () => {
    assert.deepEqual(JSON.parse(events().inputs.eventPattern as string), {
      source: ["aws.s3"],
      "detail-type": ["Object Created", "Object Deleted", "Object Tags Added", "Object Tags Deleted"],
      detail: { bucket: { name: [SILO_BUCKET, POOLED_BUCKET].sort() }, object: { key: [{ prefix: "tenants/" }] } },
    });
    assert.equal(events().inputs.eventBusName, undefined, "S3 sends its events to the default bus");
    assert.equal(events().inputs.name, NAME);
    assert.deepEqual(events().inputs.tags, { app: "mobile-s3", env: "dev" });
  });

  it("reconciles once a day by default, sending {\"reconcile\": {}}", () => {
    assert.equal(schedule().inputs.scheduleExpression, "rate(1 day)");
    assert.equal(schedule().inputs.eventPattern, undefined);
    const target = named(run, T.target, `${NAME}-reconcile`);
    assert.deepEqual(JSON.parse(target.inputs.input as string), { reconcile: {} });
    assert.equal(named(run, T.target, NAME).inputs.input, undefined, "an S3 event reaches the indexer as S3 sent it");
  });

  it("lets each rule, and no other source, invoke the indexer", () => {
    for (const rule of [events(), schedule()]) {
      const permission = named(run, T.permission, rule.name);
      assert.equal(permission.inputs.action, "lambda:InvokeFunction");
      assert.equal(permission.inputs.principal, "events.amazonaws.com");
      assert.equal(permission.inputs.function, FUNCTION_ARN);
      assert.equal(permission.inputs.sourceArn, rule.outputs.arn, rule.name);
    }
  });

  it("targets the indexer from each rule once its permission exists, retrying delivery for a day, then keeping the event in the failure queue", () => {
    for (const rule of [events(), schedule()]) {
      const target = named(run, T.target, rule.name);
      assert.equal(target.inputs.arn, FUNCTION_ARN);
      assert.equal(target.inputs.rule, rule.name);
      assert.deepEqual(target.propertyDependencies.rule, [rule.urn]);
      assert.ok(target.dependencies.includes(named(run, T.permission, rule.name).urn));
      assert.deepEqual(target.inputs.retryPolicy, { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 });
      assert.deepEqual(target.inputs.deadLetterConfig, { arn: QUEUE_ARN });
    }
  });

  it("lets EventBridge send to the failure queue for these two rules only (IAM simulator)", async () => {
    const queuePolicy = onlyOfType(run, T.queuePolicy);
    assert.equal(queuePolicy.inputs.queueUrl, QUEUE_URL);
    const policy = JSON.parse(queuePolicy.inputs.policy as string);
    assert.deepEqual(policy, undeliveredEventsQueuePolicy({ queueArn: QUEUE_ARN, ruleArns: [events().outputs.arn as string, schedule().outputs.arn as string] }));
    const send = (principal: string, sourceArn: string, action = "sqs:SendMessage") => ({ principal, action, resource: QUEUE_ARN, context: { "aws:SourceArn": sourceArn } });
    const otherRule = `arn:aws:events:us-east-1:${MOCK_ACCOUNT_ID}:rule/someone-elses-rule`;
    const decisions = await decideAll({ resourcePolicy: policy }, [
      send("events.amazonaws.com", events().outputs.arn as string),
      send("events.amazonaws.com", schedule().outputs.arn as string),
      send("events.amazonaws.com", otherRule),
      send("events.amazonaws.com", events().outputs.arn as string, "sqs:ReceiveMessage"),
      send("sns.amazonaws.com", events().outputs.arn as string),
      send(`arn:aws:iam::${MOCK_ACCOUNT_ID}:role/someone`, events().outputs.arn as string),
    ]);
    assert.deepEqual(decisions, ["Allowed", "Allowed", "ImplicitlyDenied", "ImplicitlyDenied", "ImplicitlyDenied", "ImplicitlyDenied"]);
  });

  it("outputs both rules' ARNs", () => {
    assert.deepEqual(run.outputs, { ruleArn: events().outputs.arn, reconcileRuleArn: schedule().outputs.arn });
  });

  it("takes another schedule, and without a failure queue names none and writes no queue policy", async () => {
    const plain = await build(args({ failureQueue: undefined, reconcileSchedule: "cron(30 3 * * ? *)" }));
    assert.equal(named(plain, T.rule, `${NAME}-reconcile`).inputs.scheduleExpression, "cron(30 3 * * ? *)");
    assert.equal(ofType(plain, T.queuePolicy).length, 0);
    for (const target of ofType(plain, T.target)) {
      assert.equal(target.inputs.deadLetterConfig, undefined, target.name);
    }
  });

  it("wires to ControlPlane's indexer and failure queue, bucket names known only at deploy time", async () => {
    const wired = await runUnderMocks(
      () => {
        const controlPlane = new ControlPlane("mobile-s3-dev-api", controlPlaneArgs());
        new IndexTrigger(NAME, {
          functionArn: controlPlane.indexerFunctionArn,
          bucketNames: pulumi.output([POOLED_BUCKET]),
          failureQueue: { arn: controlPlane.indexerFailureQueue.arn, url: controlPlane.indexerFailureQueue.url },
        });
        return {};
      },
      { stack: "dev" },
    );
    const indexer = named(wired, T.fn, "mobile-s3-dev-api-indexer");
    const queue = onlyOfType(wired, T.queue);
    for (const target of ofType(wired, T.target)) {
      assert.equal(target.inputs.arn, indexer.outputs.arn);
      assert.deepEqual(target.inputs.deadLetterConfig, { arn: queue.outputs.arn });
    }
    assert.equal(ofType(wired, T.permission).filter((p) => p.inputs.principal === "events.amazonaws.com" && p.inputs.function === indexer.outputs.arn).length, 2);
    assert.equal(onlyOfType(wired, T.queuePolicy).inputs.queueUrl, queue.outputs.url);
    assert.deepEqual(JSON.parse(named(wired, T.rule, NAME).inputs.eventPattern as string).detail.bucket.name, [POOLED_BUCKET]);
  });

  const refused: [string, Partial<IndexTriggerArgs>, RegExp][] = [
    ["no bucket", { bucketNames: [] }, /\[bucketNames\] must name at least one bucket/],
    ["a wildcard key prefix", { keyPrefix: "tenants/*" }, /\[keyPrefix\] must be a literal/],
    ["a schedule that is no expression", { reconcileSchedule: "every night" }, /\[reconcileSchedule\] must be an EventBridge schedule expression/],
    ["a reconciliation every minute", { reconcileSchedule: "rate(1 minute)" }, /\[reconcileSchedule\] must not run more often than every 15 minutes/],
    ["more retries than EventBridge allows", { retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 186 } }, /\[retryPolicy\.maximumRetryAttempts\]/],
  ];
  for (const [label, change, message] of refused) {
    it(`refuses ${label}, naming the argument`, async () => {
      await assert.rejects(build(args(change)), message);
    });
  }

  it("refuses a name that makes either rule's name longer than EventBridge takes", async () => {
    await assert.rejects(
      runUnderMocks(
        () => {
          new IndexTrigger("x".repeat(55), args());
          return {};
        },
        { stack: "dev" },
      ),
      /IndexTrigger name "x{55}" must be 1-54 letters/,
    );
  });
});

describe("infra/object-index/queue-policy undeliveredEventsQueuePolicy", () => {
  const rule = `arn:aws:events:us-east-1:${MOCK_ACCOUNT_ID}:rule/${NAME}`;
  const cases: [string, { queueArn: string; ruleArns: string[] }, RegExp][] = [
    ["a queue wildcard", { queueArn: `arn:aws:sqs:us-east-1:${MOCK_ACCOUNT_ID}:*`, ruleArns: [rule] }, /\[queueArn\] must be an SQS queue ARN/],
    ["no rule", { queueArn: QUEUE_ARN, ruleArns: [] }, /\[ruleArns\] must name EventBridge rules/],
    ["a rule wildcard", { queueArn: QUEUE_ARN, ruleArns: [`arn:aws:events:us-east-1:${MOCK_ACCOUNT_ID}:rule/*`] }, /\[ruleArns\]/],
  ];
  for (const [label, input, message] of cases) {
    it(`refuses ${label}`, () => {
      assert.throws(() => undeliveredEventsQueuePolicy(input), message);
    });
  }
});
