import { TENANTS_ROOT } from "@mobile-s3/contract";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type ComponentArgs, LibraryComponent, type Transform } from "../component";
import { NAME_CHARSETS, physicalName } from "../naming";
import { assertRetryPolicy, DEFAULT_RETRY_POLICY } from "../scanning/scan-trigger";
import { assertKeyPrefix } from "../scanning/event-pattern";
import { assertScheduleExpression, indexedObjectEventsPattern, MIN_RECONCILE_INTERVAL_MINUTES, RECONCILE_INPUT } from "./event-pattern";
import { undeliveredEventsQueuePolicy } from "./queue-policy";

export interface IndexTriggerArgs extends ComponentArgs<IndexTriggerTransform> {
  /**
   * The indexer (`ControlPlane.indexerFunctionArn`).
   * @default (required)
   */
  functionArn: pulumi.Input<string>;
  /**
   * Buckets whose objects the index holds. Each must send its events to EventBridge
   * (`aws.s3.BucketNotification` with `eventbridge: true`), or only the reconciliation finds them.
   * @default (required)
   */
  bucketNames: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Only keys under this prefix are indexed.
   * @default "tenants/"
   */
  keyPrefix?: string;
  /**
   * When the indexer reconciles the whole index with the buckets: an EventBridge `rate(…)` or
   * `cron(…)` expression, at most every 15 minutes.
   * @default "rate(1 day)"
   * @example "cron(30 3 * * ? *)"
   */
  reconcileSchedule?: string;
  /**
   * The queue that keeps what could not be indexed (`ControlPlane.indexerFailureQueue`): EventBridge
   * sends the events it could not deliver there, and this component writes the queue's policy so
   * that these rules, and nothing else, may.
   * @default none: undelivered events are dropped once the retry policy gives up
   */
  failureQueue?: { arn: pulumi.Input<string>; url: pulumi.Input<string> };
  /**
   * How long and how often EventBridge retries delivering an event the function could not take.
   * @default { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 }
   */
  retryPolicy?: { maximumEventAgeInSeconds: number; maximumRetryAttempts: number };
}

/** One `Transform` per child of `IndexTrigger`; the rule, permission and target ones apply to both rules (the name tells them apart). */
export interface IndexTriggerTransform {
  rule?: Transform<aws.cloudwatch.EventRuleArgs>;
  permission?: Transform<aws.lambda.PermissionArgs>;
  target?: Transform<aws.cloudwatch.EventTargetArgs>;
  queuePolicy?: Transform<aws.sqs.QueuePolicyArgs>;
}

/**
 * Keeps the object index true: every S3 event that changes a key under `tenants/` in the given
 * buckets ("Object Created", "Object Deleted", "Object Tags Added", "Object Tags Deleted") invokes
 * the indexer, which brings that key's items to what S3 holds; a schedule invokes it with
 * `{"reconcile": {}}`, which repairs whatever an event missed. The indexer is a `ControlPlane`
 * function, which owns its role, log group and failure queue; this component owns the wiring: two
 * rules, their targets, the permissions letting these rules and no other invoke the function, and
 * the failure queue's policy.
 */
export class IndexTrigger extends LibraryComponent {
  readonly ruleArn: pulumi.Output<string>;
  readonly reconcileRuleArn: pulumi.Output<string>;
  readonly rule: aws.cloudwatch.EventRule;
  readonly reconcileRule: aws.cloudwatch.EventRule;
  readonly targets: aws.cloudwatch.EventTarget[];
  readonly permissions: aws.lambda.Permission[];
  /** Present with `failureQueue`. */
  readonly queuePolicy?: aws.sqs.QueuePolicy;

  constructor(name: string, args: IndexTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    const keyPrefix = args.keyPrefix ?? TENANTS_ROOT;
    const schedule = assertScheduleExpression(args.reconcileSchedule ?? "rate(1 day)", MIN_RECONCILE_INTERVAL_MINUTES);
    const retryPolicy = args.retryPolicy ?? DEFAULT_RETRY_POLICY;
    assertRetryPolicy(retryPolicy);
    assertKeyPrefix(keyPrefix);
    const [ruleName, reconcileName] = assertRuleNames(name);
    // Checked now when known, so nothing is created; names known only at deploy time are checked then.
    if (Array.isArray(args.bucketNames) && args.bucketNames.every((b): b is string => typeof b === "string")) {
      indexedObjectEventsPattern(args.bucketNames, keyPrefix);
    }
    super("mobile-s3:object-index:IndexTrigger", name, args.tags ?? {}, opts);
    const t = args.transform ?? {};

    // Named like the component: one readable rule each per stack, never replaced by a pattern change.
    this.rule = this.child(
      aws.cloudwatch.EventRule,
      name,
      {
        name: ruleName,
        description: `S3 object events under ${keyPrefix} to index`,
        eventPattern: pulumi.output(args.bucketNames).apply((bucketNames) => JSON.stringify(indexedObjectEventsPattern(bucketNames, keyPrefix))),
      },
      t.rule,
    );
    this.reconcileRule = this.child(
      aws.cloudwatch.EventRule,
      reconcileName,
      { name: reconcileName, description: "Reconciles the object index with the buckets", scheduleExpression: schedule },
      t.rule,
    );

    const deadLetterConfig = args.failureQueue ? { arn: args.failureQueue.arn } : undefined;
    const wire = (rule: aws.cloudwatch.EventRule, childName: string, input?: string) => {
      const permission = this.child(
        aws.lambda.Permission,
        childName,
        { action: "lambda:InvokeFunction", function: args.functionArn, principal: "events.amazonaws.com", sourceArn: rule.arn },
        t.permission,
      );
      // A target created before its permission would drop the first events.
      const target = this.child(
        aws.cloudwatch.EventTarget,
        childName,
        { rule: rule.name, arn: args.functionArn, retryPolicy, ...(deadLetterConfig ? { deadLetterConfig } : {}), ...(input ? { input } : {}) },
        t.target,
        { dependsOn: [permission] },
      );
      return { permission, target };
    };
    const events = wire(this.rule, name);
    const reconcile = wire(this.reconcileRule, reconcileName, JSON.stringify(RECONCILE_INPUT));
    this.permissions = [events.permission, reconcile.permission];
    this.targets = [events.target, reconcile.target];

    if (args.failureQueue) {
      const queue = args.failureQueue;
      this.queuePolicy = this.child(
        aws.sqs.QueuePolicy,
        `${name}-failures`,
        {
          queueUrl: queue.url,
          policy: pulumi
            .all([queue.arn, this.rule.arn, this.reconcileRule.arn])
            .apply(([queueArn, ...ruleArns]) => JSON.stringify(undeliveredEventsQueuePolicy({ queueArn, ruleArns }))),
        },
        t.queuePolicy,
      );
    }

    this.ruleArn = this.rule.arn;
    this.reconcileRuleArn = this.reconcileRule.arn;
    this.registerOutputs({ ruleArn: this.ruleArn, reconcileRuleArn: this.reconcileRuleArn });
  }
}

/** The two rules' names: the component's, and the component's with `-reconcile`; EventBridge takes 64 characters. */
function assertRuleNames(name: string): [string, string] {
  const message = () => `IndexTrigger name "${name}" must be 1-54 letters, digits, dots, hyphens or underscores (it names the EventBridge rules "${name}" and "${name}-reconcile")`;
  const spec = { maxLength: 64, charset: NAME_CHARSETS.eventBridgeRule, message };
  return [physicalName({ ...spec, parts: [name] }), physicalName({ ...spec, parts: [name], suffix: "-reconcile" })];
}
