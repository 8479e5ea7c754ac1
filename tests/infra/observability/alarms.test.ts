import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { Alarms, type AlarmsArgs } from "../../../infra/observability/alarms";
import { simulate } from "../../harness/iam";
import { MOCK_ACCOUNT_ID, ofType, onlyOfType, type ProgramRun, type RegisteredResource, runUnderMocks } from "../../harness/program";
import { TYPE } from "../../../offline/resource-types";

const T = { ...TYPE, component: "mobile-s3:observability:Alarms" };

const NAME = "mobile-s3-dev-alarms";
const API_ID = "a1b2c3d4e5";
const DISTRIBUTION_ID = "E2ABCDEF123456";
const TAGS = { app: "mobile-s3", env: "dev", owner: "platform-team", "managed-by": "pulumi" };

function build(args: Partial<AlarmsArgs> = {}, opts: { region?: string; usEast1Provider?: boolean } = {}): Promise<ProgramRun> {
  return runUnderMocks(
    () => {
      const usEast1Provider = opts.usEast1Provider ? new aws.Provider("us-east-1", { region: "us-east-1" }) : undefined;
      const alarms = new Alarms(NAME, { tags: TAGS, usEast1Provider, ...args });
      const cdn = alarms.cloudFrontTopicArn ? { cloudFrontTopicArn: alarms.cloudFrontTopicArn } : {};
      return { topicArn: alarms.topicArn, alarmNames: alarms.alarmNames, ...cdn };
    },
    { stack: "dev", config: opts.region ? { "aws:region": opts.region } : undefined },
  );
}

const alarmNamed = (run: ProgramRun, name: string): RegisteredResource => {
  const found = ofType(run, T.alarm).find((a) => a.inputs.name === name);
  assert.ok(found, `an alarm named ${name}`);
  return found;
};
/** Alarm names, sorted: alarms register concurrently, so their order carries no meaning. */
const alarmNames = (run: ProgramRun) => ofType(run, T.alarm).map((a) => a.inputs.name as string).sort();
const keyPolicyOf = (run: ProgramRun, topic: RegisteredResource): unknown => {
  const key = ofType(run, T.key).find((k) => k.outputs.arn === topic.inputs.kmsMasterKeyId);
  assert.ok(key, `the key that encrypts ${topic.name}`);
  return JSON.parse(key.inputs.policy as string);
};
/** Can CloudWatch, acting for this alarm, use the key of the topic the alarm notifies? */
async function alarmMayPublish(run: ProgramRun, alarm: RegisteredResource, region: string): Promise<string> {
  const [topicArn] = alarm.inputs.alarmActions as string[];
  const topic = ofType(run, T.topic).find((t) => t.outputs.arn === topicArn)!;
  const alarmArn = `arn:aws:cloudwatch:${region}:${MOCK_ACCOUNT_ID}:alarm:${alarm.inputs.name as string}`;
  const { decision } = await simulate(
    { resourcePolicy: keyPolicyOf(run, topic) },
    {
      principal: "cloudwatch.amazonaws.com",
      action: "kms:GenerateDataKey",
      resource: topic.inputs.kmsMasterKeyId as string,
      context: { "aws:SourceArn": alarmArn, "aws:SourceAccount": MOCK_ACCOUNT_ID },
    },
  );
  return decision;
}

describe("infra/observability/alarms (program under mocks)", () => {
  let full: ProgramRun;
  before(async () => (full = await build({ apiId: API_ID, distributionId: DISTRIBUTION_ID, alarmEmail: "ops@example.com" })));

  it("creates API 4xx/5xx and CloudFront error-rate alarms when both ids are given", () => {
    assert.deepEqual(alarmNames(full), [`${NAME}-api-4xx-rate`, `${NAME}-api-5xx`, `${NAME}-cdn-4xx-rate`, `${NAME}-cdn-5xx-rate`]);
    assert.deepEqual([...(full.outputs.alarmNames as string[])].sort(), alarmNames(full));
    const api5xx = alarmNamed(full, `${NAME}-api-5xx`).inputs;
    assert.deepEqual([api5xx.namespace, api5xx.metricName, api5xx.dimensions, api5xx.threshold], ["AWS/ApiGateway", "5xx", { ApiId: API_ID }, 0]);
    const api4xx = alarmNamed(full, `${NAME}-api-4xx-rate`).inputs;
    assert.match(JSON.stringify(api4xx.metricQueries), /"metricName":"4xx".*"metricName":"Count"/);
    for (const suffix of ["cdn-5xx-rate", "cdn-4xx-rate"]) {
      const cdn = alarmNamed(full, `${NAME}-${suffix}`).inputs;
      assert.equal(cdn.namespace, "AWS/CloudFront");
      assert.deepEqual(cdn.dimensions, { DistributionId: DISTRIBUTION_ID, Region: "Global" });
    }
  });

  it("points every alarm's ALARM and OK actions at the topic, treats no data as OK, and tags it", () => {
    const topicArn = onlyOfType(full, T.topic).outputs.arn;
    assert.equal(full.outputs.topicArn, topicArn);
    assert.equal(full.outputs.cloudFrontTopicArn, topicArn, "in us-east-1 the CloudFront alarms share the topic");
    for (const alarm of ofType(full, T.alarm)) {
      assert.deepEqual(alarm.inputs.alarmActions, [topicArn], `${alarm.name} alarm actions`);
      assert.deepEqual(alarm.inputs.okActions, [topicArn], `${alarm.name} OK actions`);
      assert.equal(alarm.inputs.insufficientDataActions, undefined);
      assert.equal(alarm.inputs.actionsEnabled, true);
      assert.equal(alarm.inputs.treatMissingData, "notBreaching");
      assert.equal(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
      assert.deepEqual(alarm.inputs.tags, TAGS);
      assert.equal(alarm.parent, onlyOfType(full, T.component).urn);
    }
  });

  it("encrypts the topic with its own rotating customer managed key, not alias/aws/sns, which CloudWatch cannot use", async () => {
    const topic = onlyOfType(full, T.topic);
    const key = onlyOfType(full, T.key);
    assert.equal(topic.inputs.kmsMasterKeyId, key.outputs.arn);
    assert.notEqual(topic.inputs.kmsMasterKeyId, "alias/aws/sns");
    assert.equal(key.inputs.enableKeyRotation, true);
    for (const alarm of ofType(full, T.alarm)) {
      assert.equal(await alarmMayPublish(full, alarm, "us-east-1"), "Allowed", `${alarm.name} may use the topic's key`);
    }
  });

  it("subscribes the alarm e-mail to the topic", () => {
    const subscription = onlyOfType(full, T.subscription).inputs;
    assert.deepEqual([subscription.protocol, subscription.endpoint, subscription.topic], ["email", "ops@example.com", onlyOfType(full, T.topic).outputs.arn]);
  });

  it("creates no alarm and no subscription when neither id nor e-mail is given, but still the topic", async () => {
    const bare = await build();
    assert.equal(ofType(bare, T.alarm).length, 0);
    assert.equal(ofType(bare, T.subscription).length, 0);
    assert.equal(ofType(bare, T.topic).length, 1);
    assert.deepEqual(bare.outputs.alarmNames, []);
    assert.equal(bare.outputs.cloudFrontTopicArn, undefined);
  });

  it("creates only the API alarms without a distribution, and only the CloudFront alarms without an API", async () => {
    assert.deepEqual(alarmNames(await build({ apiId: API_ID })), [`${NAME}-api-4xx-rate`, `${NAME}-api-5xx`]);
    assert.deepEqual(alarmNames(await build({ distributionId: DISTRIBUTION_ID })), [`${NAME}-cdn-4xx-rate`, `${NAME}-cdn-5xx-rate`]);
  });

  it("uses the caller's thresholds", async () => {
    const run = await build({ apiId: API_ID, distributionId: DISTRIBUTION_ID, thresholds: { api5xxCount: 3, cloudFront5xxRatePercent: 5 } });
    assert.equal(alarmNamed(run, `${NAME}-api-5xx`).inputs.threshold, 3);
    assert.equal(alarmNamed(run, `${NAME}-cdn-5xx-rate`).inputs.threshold, 5);
    assert.equal(alarmNamed(run, `${NAME}-cdn-4xx-rate`).inputs.threshold, 10);
  });

  describe("outside us-east-1", () => {
    it("creates the CloudFront alarms, and a topic for them, through the us-east-1 provider", async () => {
      const run = await build({ apiId: API_ID, distributionId: DISTRIBUTION_ID, alarmEmail: "ops@example.com" }, { region: "eu-west-1", usEast1Provider: true });
      const provider = onlyOfType(run, T.provider);
      const throughProvider = (r: RegisteredResource) => r.provider?.startsWith(`${provider.urn}::`) ?? false;

      const [mainTopic, edgeTopic] = [NAME, `${NAME}-us-east-1`].map((n) => ofType(run, T.topic).find((t) => t.name === n)!);
      assert.ok(mainTopic && edgeTopic, "one topic per region");
      assert.equal(throughProvider(mainTopic), false);
      assert.equal(throughProvider(edgeTopic), true);
      assert.equal(run.outputs.cloudFrontTopicArn, edgeTopic.outputs.arn);
      assert.ok(ofType(run, T.subscription).every((s) => s.inputs.endpoint === "ops@example.com"));
      assert.deepEqual(ofType(run, T.subscription).map((s) => s.inputs.topic).sort(), [mainTopic.outputs.arn, edgeTopic.outputs.arn].sort());

      for (const suffix of ["cdn-5xx-rate", "cdn-4xx-rate"]) {
        const alarm = alarmNamed(run, `${NAME}-${suffix}`);
        assert.equal(throughProvider(alarm), true, `${suffix} is created in us-east-1`);
        assert.deepEqual(alarm.inputs.alarmActions, [edgeTopic.outputs.arn], `${suffix} notifies the topic of its own region`);
        assert.equal(await alarmMayPublish(run, alarm, "us-east-1"), "Allowed");
      }
      for (const suffix of ["api-5xx", "api-4xx-rate"]) {
        const alarm = alarmNamed(run, `${NAME}-${suffix}`);
        assert.equal(throughProvider(alarm), false, `${suffix} stays in the stack's region`);
        assert.deepEqual(alarm.inputs.alarmActions, [mainTopic.outputs.arn]);
        assert.equal(await alarmMayPublish(run, alarm, "eu-west-1"), "Allowed");
        assert.equal(await alarmMayPublish(run, alarm, "us-east-1"), "ImplicitlyDenied", "each key admits its own region's alarms only");
      }
    });

    it("refuses CloudFront alarms without a us-east-1 provider, naming the argument", async () => {
      await assert.rejects(build({ distributionId: DISTRIBUTION_ID }, { region: "eu-west-1" }), /\[usEast1Provider\] is required .* eu-west-1/);
    });

    it("needs no us-east-1 provider for API alarms alone", async () => {
      const run = await build({ apiId: API_ID }, { region: "eu-west-1" });
      assert.equal(ofType(run, T.provider).length, 0);
      assert.deepEqual(alarmNames(run), [`${NAME}-api-4xx-rate`, `${NAME}-api-5xx`]);
    });
  });

  const refused: [string, Partial<AlarmsArgs>, RegExp][] = [
    ["an alarm e-mail that is not an address", { alarmEmail: "ops at example.com" }, /\[alarmEmail\] must be an e-mail address.*"ops at example\.com"/],
    ["a threshold out of range", { apiId: API_ID, thresholds: { api4xxRatePercent: 150 } }, /\[thresholds\.api4xxRatePercent\]/],
  ];
  for (const [label, args, message] of refused) {
    it(`refuses ${label}, naming the argument`, async () => {
      await assert.rejects(build(args), message);
    });
  }
});
