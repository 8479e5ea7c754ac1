import { type PolicyDocument, policyDocument } from "../iam/policy-document";

const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/;
const RULE_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:rule\/[A-Za-z0-9._-]{1,64}$/;

/**
 * Policy of the queue that keeps the indexer's undelivered events: EventBridge may send to it only
 * for the given rules ("Using dead-letter queues to process undelivered events in EventBridge": the
 * queue's policy grants `events.amazonaws.com` `sqs:SendMessage` under `aws:SourceArn`). The
 * indexer's own failed invocations reach it through its execution role (Lambda's on-failure
 * destination), which needs nothing here.
 */
export function undeliveredEventsQueuePolicy(input: { queueArn: string; ruleArns: string[] }): PolicyDocument {
  if (!QUEUE_ARN.test(input.queueArn)) {
    throw new Error(`[queueArn] must be an SQS queue ARN, got "${input.queueArn}"`);
  }
  if (input.ruleArns.length === 0 || input.ruleArns.some((arn) => !RULE_ARN.test(arn))) {
    throw new Error(`[ruleArns] must name EventBridge rules by their ARNs, got ${JSON.stringify(input.ruleArns)}`);
  }
  return policyDocument([
    {
      Sid: "EventBridgeKeepsUndeliveredEvents",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: input.queueArn,
      Condition: { ArnEquals: { "aws:SourceArn": [...input.ruleArns].sort() } },
    },
  ]);
}
