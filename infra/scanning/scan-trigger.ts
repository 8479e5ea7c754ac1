import { TENANTS_ROOT } from "@mobile-s3/contract";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type ComponentArgs, LibraryComponent, type Transform } from "../component";
import { NAME_CHARSETS, physicalName } from "../naming";
import { assertKeyPrefix, guardDutyThreatsPattern, objectCreatedPattern } from "./event-pattern";

/** What the function is sent: new objects to scan (ClamAV), or GuardDuty's infected verdicts to quarantine. */
export type ScanTriggerEvents = "objectCreated" | "guardDutyThreats";

const PATTERNS: Record<ScanTriggerEvents, { pattern: (buckets: string[], prefix: string) => Record<string, unknown>; describe: string }> = {
  objectCreated: { pattern: objectCreatedPattern, describe: "New objects under %s to scan for malware" },
  guardDutyThreats: { pattern: guardDutyThreatsPattern, describe: "GuardDuty scan results that found threats under %s, to quarantine" },
};

export interface ScanTriggerArgs extends ComponentArgs<ScanTriggerTransform> {
  /**
   * The scanning function (`ControlPlane.scanFunctionArn`).
   * @default (required)
   */
  functionArn: pulumi.Input<string>;
  /**
   * Buckets whose new objects are scanned. Each must send its events to EventBridge
   * (`aws.s3.BucketNotification` with `eventbridge: true`), or nothing is ever scanned.
   * @default (required)
   */
  bucketNames: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Only keys under this prefix are scanned.
   * @default "tenants/"
   */
  keyPrefix?: string;
  /**
   * Which events reach the function.
   * @default "objectCreated"
   */
  events?: ScanTriggerEvents;
  /**
   * How long and how often EventBridge retries delivering an event the function could not take.
   * An event that is never delivered leaves its object `pending`, so unreadable, never exposed.
   * @default { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 }
   */
  retryPolicy?: { maximumEventAgeInSeconds: number; maximumRetryAttempts: number };
}

/** One `Transform` per child of `ScanTrigger`. */
export interface ScanTriggerTransform {
  rule?: Transform<aws.cloudwatch.EventRuleArgs>;
  permission?: Transform<aws.lambda.PermissionArgs>;
  target?: Transform<aws.cloudwatch.EventTargetArgs>;
}

/** EventBridge's own retry defaults, written out so a reader sees them. */
export const DEFAULT_RETRY_POLICY = { maximumEventAgeInSeconds: 86_400, maximumRetryAttempts: 185 };

/**
 * Sends every S3 "Object Created" event under `tenants/` in the given buckets to the malware scanner
 * (ClamAV), or every GuardDuty scan result that found threats there to the function that quarantines
 * them (GuardDuty). The scanner is a `ControlPlane` function, which owns its role and log group;
 * this component owns only the wiring: the rule, its target, and the permission letting this rule,
 * and no other, invoke the function.
 */
export class ScanTrigger extends LibraryComponent {
  readonly ruleArn: pulumi.Output<string>;
  readonly ruleName: pulumi.Output<string>;
  readonly rule: aws.cloudwatch.EventRule;
  readonly permission: aws.lambda.Permission;
  readonly target: aws.cloudwatch.EventTarget;

  constructor(name: string, args: ScanTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mobile-s3:scanning:ScanTrigger", name, args.tags ?? {}, opts);
    const t = args.transform ?? {};
    const keyPrefix = args.keyPrefix ?? TENANTS_ROOT;
    const events = PATTERNS[args.events ?? "objectCreated"];
    const retryPolicy = args.retryPolicy ?? DEFAULT_RETRY_POLICY;
    assertRetryPolicy(retryPolicy);
    assertKeyPrefix(keyPrefix);
    // Checked now when known, so nothing is created; names known only at deploy time are checked then.
    if (Array.isArray(args.bucketNames) && args.bucketNames.every((b): b is string => typeof b === "string")) {
      events.pattern(args.bucketNames, keyPrefix);
    }

    const rule = this.child(
      aws.cloudwatch.EventRule,
      name,
      {
        // Named like the component: one readable rule per stack, never replaced by a pattern change.
        name: assertRuleName(name),
        description: events.describe.replace("%s", keyPrefix),
        eventPattern: pulumi
          .output(args.bucketNames)
          .apply((bucketNames) => JSON.stringify(events.pattern(bucketNames, keyPrefix))),
      },
      t.rule,
    );
    const permission = this.child(
      aws.lambda.Permission,
      name,
      { action: "lambda:InvokeFunction", function: args.functionArn, principal: "events.amazonaws.com", sourceArn: rule.arn },
      t.permission,
    );
    // A target created before its permission would drop the first events.
    this.target = this.child(aws.cloudwatch.EventTarget, name, { rule: rule.name, arn: args.functionArn, retryPolicy }, t.target, { dependsOn: [permission] });
    this.rule = rule;
    this.permission = permission;

    this.ruleArn = rule.arn;
    this.ruleName = rule.name;
    this.registerOutputs({ ruleArn: this.ruleArn, ruleName: this.ruleName });
  }
}

function assertRuleName(name: string): string {
  return physicalName({
    parts: [name],
    maxLength: 64,
    charset: NAME_CHARSETS.eventBridgeRule,
    message: () => `ScanTrigger name "${name}" must be 1-64 letters, digits, dots, hyphens or underscores (it names the EventBridge rule)`,
  });
}

/** The bounds EventBridge puts on a target's retry policy. */
export function assertRetryPolicy(policy: { maximumEventAgeInSeconds: number; maximumRetryAttempts: number }): void {
  const { maximumEventAgeInSeconds: age, maximumRetryAttempts: attempts } = policy;
  if (!Number.isInteger(age) || age < 60 || age > 86_400) {
    throw new Error(`[retryPolicy.maximumEventAgeInSeconds] must be an integer from 60 to 86400, got ${age}`);
  }
  if (!Number.isInteger(attempts) || attempts < 0 || attempts > 185) {
    throw new Error(`[retryPolicy.maximumRetryAttempts] must be an integer from 0 to 185, got ${attempts}`);
  }
}
