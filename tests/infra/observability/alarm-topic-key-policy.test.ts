import * as assert from "node:assert/strict";
import { alarmTopicKeyPolicy } from "../../../infra/observability/alarm-topic-key-policy";
import { type Decision, type IamRequest, simulate } from "../../harness/iam";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1111aaaa-2222-4333-8444-555566667777`;
const PREFIX = "mobile-s3-dev-alarms-";
const alarm = (name: string, region = "eu-west-1", account = ACCOUNT) => `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/admin`;
const kmsEverything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] };

const policy = alarmTopicKeyPolicy({ partition: "aws", accountId: ACCOUNT, region: "eu-west-1", alarmNamePrefix: PREFIX });

describe("infra/observability/alarm-topic-key-policy (IAM simulator)", () => {
  const fromAlarm = (sourceArn: string, sourceAccount = ACCOUNT) => ({ "aws:SourceArn": sourceArn, "aws:SourceAccount": sourceAccount });
  const cloudWatch = (action: string, context: Record<string, string>): IamRequest => ({ principal: "cloudwatch.amazonaws.com", action, resource: KEY, context });

  const table: [string, IamRequest, unknown[], Decision][] = [
    ["this stack's alarm generates a data key to publish", cloudWatch("kms:GenerateDataKey", fromAlarm(alarm(`${PREFIX}api-5xx`))), [], "Allowed"],
    ["this stack's alarm decrypts the data key", cloudWatch("kms:Decrypt", fromAlarm(alarm(`${PREFIX}cdn-4xx-rate`))), [], "Allowed"],
    ["another alarm of the same account", cloudWatch("kms:GenerateDataKey", fromAlarm(alarm("billing-alarm"))), [], "ImplicitlyDenied"],
    [
      "an alarm whose name only contains the prefix",
      cloudWatch("kms:GenerateDataKey", fromAlarm(alarm(`x-${PREFIX}api-5xx`))),
      [],
      "ImplicitlyDenied",
    ],
    ["this stack's alarm name in another region", cloudWatch("kms:GenerateDataKey", fromAlarm(alarm(`${PREFIX}api-5xx`, "us-east-1"))), [], "ImplicitlyDenied"],
    [
      "an alarm of another account with the same name",
      cloudWatch("kms:GenerateDataKey", fromAlarm(alarm(`${PREFIX}api-5xx`, "eu-west-1", OTHER_ACCOUNT), OTHER_ACCOUNT)),
      [],
      "ImplicitlyDenied",
    ],
    ["CloudWatch re-encrypting", cloudWatch("kms:ReEncryptFrom", fromAlarm(alarm(`${PREFIX}api-5xx`))), [], "ImplicitlyDenied"],
    [
      "an administrator with kms:* in its own policy decrypting",
      { principal: ADMIN, action: "kms:Decrypt", resource: KEY, context: {} },
      [kmsEverything],
      "ImplicitlyDenied",
    ],
    [
      "an administrator changing the key policy",
      { principal: ADMIN, action: "kms:PutKeyPolicy", resource: KEY, context: {} },
      [kmsEverything],
      "Allowed",
    ],
  ];

  for (const [label, request, identityPolicies, expected] of table) {
    it(`${label}: ${expected}`, async () => {
      const outcome = await simulate({ identityPolicies, resourcePolicy: policy }, request);
      assert.deepEqual(outcome.ignoredContextKeys, [], "the simulator judged every context key applicable");
      assert.equal(outcome.decision, expected);
    });
  }

  for (const bad of ["", "*", "alarms-*", "a b"]) {
    it(`refuses the alarm name prefix ${JSON.stringify(bad)}, which would widen the grant`, () => {
      assert.throws(
        () => alarmTopicKeyPolicy({ partition: "aws", accountId: ACCOUNT, region: "eu-west-1", alarmNamePrefix: bad }),
        /alarm name prefix .* must be letters, digits/,
      );
    });
  }
});
