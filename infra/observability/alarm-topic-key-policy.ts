import { type PolicyDocument, policyDocument } from "../iam/policy-document";
import { KEY_ADMIN_ACTIONS } from "../kms/key-policy";
import { NAME_CHARSETS, physicalName } from "../naming";

export interface AlarmTopicKeyPolicyInput {
  partition: string;
  accountId: string;
  /** Region of the alarms that publish (the key, topic and alarms share it). */
  region: string;
  /** Every alarm allowed to publish has a name starting with this. */
  alarmNamePrefix: string;
}

/**
 * Checks a prefix that alarm names start with. It becomes part of an `ArnLike` pattern, where a
 * wildcard or an empty prefix would let every alarm in the account use the key.
 */
export function assertAlarmNamePrefix(prefix: string): string {
  return physicalName({
    parts: [prefix],
    // CloudWatch alarm names: at most 255 characters.
    maxLength: 255,
    charset: NAME_CHARSETS.alarm,
    message: () => `alarm name prefix "${prefix}" must be letters, digits, ".", "_" or "-": rename [app] or [environment]`,
  });
}

/**
 * Key policy for the customer managed key that encrypts an alarm topic. CloudWatch can publish to an
 * encrypted topic only if the topic's key lets `cloudwatch.amazonaws.com` generate and decrypt data
 * keys; the AWS managed key `alias/aws/sns` has a fixed policy that does not, so alarms on a topic
 * encrypted with it fail to notify (AWS knowledge center: "cloudwatch-configure-alarm-sns"). The grant
 * is limited to this account's alarms whose names carry the prefix; as with the bucket keys, the
 * account administers the key but no IAM policy alone lets anyone else use it.
 */
export function alarmTopicKeyPolicy(input: AlarmTopicKeyPolicyInput): PolicyDocument {
  if (!/^\d{12}$/.test(input.accountId)) {
    throw new Error(`[accountId] must be a 12-digit AWS account id, got "${input.accountId}"`);
  }
  assertAlarmNamePrefix(input.alarmNamePrefix);
  return policyDocument([
    {
      Sid: "AccountAdministersKey",
      Effect: "Allow",
      Principal: { AWS: `arn:${input.partition}:iam::${input.accountId}:root` },
      Action: KEY_ADMIN_ACTIONS,
      Resource: "*",
    },
    {
      Sid: "CloudWatchAlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": input.accountId },
        ArnLike: { "aws:SourceArn": `arn:${input.partition}:cloudwatch:${input.region}:${input.accountId}:alarm:${input.alarmNamePrefix}*` },
      },
    },
  ]);
}
