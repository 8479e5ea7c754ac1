import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AlarmSpec, type AlarmThresholds, apiAlarmSpecs, assertAlarmEmail, assertCloudFrontAlarmRegion, CLOUDFRONT_METRICS_REGION, cloudFrontAlarmSpecs, resolveThresholds } from "./alarm-specs";
import { type ComponentArgs, LibraryComponent, type Transform } from "../component";
import { alarmTopicKeyPolicy, assertAlarmNamePrefix } from "./alarm-topic-key-policy";

export interface AlarmsArgs extends ComponentArgs<AlarmsTransform> {
  /**
   * Address subscribed to every alarm topic. SNS mails a confirmation link first; nothing is delivered
   * until someone follows it (one per topic: two when CloudFront alarms use `usEast1Provider`).
   * @example "ops@example.com"
   * @default no subscription (subscribe a pager or chat integration to `topicArn` yourself)
   */
  alarmEmail?: string;
  /**
   * ID of the API Gateway HTTP API to watch for 5xx responses and a high 4xx rate.
   * @default no API alarms
   */
  apiId?: pulumi.Input<string>;
  /**
   * ID of the CloudFront distribution to watch for high 5xx and 4xx error rates.
   * @default no CloudFront alarms
   */
  distributionId?: pulumi.Input<string>;
  /**
   * An AWS provider for us-east-1. CloudFront publishes its metrics only there, so a stack deployed
   * elsewhere must create its CloudFront alarms, and the topic they notify (CloudWatch notifies only
   * topics in the alarm's own region), through this provider.
   * @default none: CloudFront alarms are created with the component's own provider, which must then be
   * in us-east-1 (checked)
   */
  usEast1Provider?: pulumi.ProviderResource;
  /**
   * Alarm thresholds; each one left out takes its default (see `AlarmThresholds`).
   * @default { api5xxCount: 0, api4xxRatePercent: 10, api4xxMinRequests: 20, cloudFront5xxRatePercent: 1, cloudFront4xxRatePercent: 10 }
   */
  thresholds?: Partial<AlarmThresholds>;
}

/** One `Transform` per child of `Alarms`: the us-east-1 channel's names end in `-us-east-1`. */
export interface AlarmsTransform {
  topicKey?: Transform<aws.kms.KeyArgs>;
  topic?: Transform<aws.sns.TopicArgs>;
  subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
  alarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
}

type Spec = AlarmSpec<pulumi.Input<string>>;
type ChildOptions = { provider?: pulumi.ProviderResource };

/**
 * 4xx/5xx alarms for the API and the CloudFront distribution (Observability), all notifying an
 * SNS topic encrypted with a customer managed key that CloudWatch may use. Every alarm reports both
 * ALARM and the return to OK; no traffic counts as OK.
 */
export class Alarms extends LibraryComponent {
  /** Topic in the stack's region; the API alarms notify it (and the CloudFront alarms when the stack is in us-east-1). */
  readonly topicArn: pulumi.Output<string>;
  /** Topic the CloudFront alarms notify: `topicArn`, or a us-east-1 topic when `usEast1Provider` is given; absent without a distribution. */
  readonly cloudFrontTopicArn?: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string[]>;
  /** The topic in the stack's region. */
  readonly topic: aws.sns.Topic;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mobile-s3:observability:Alarms", name, args.tags, opts);
    const t = args.transform ?? {};
    // Everything that can refuse the arguments runs before the first child exists.
    assertAlarmNamePrefix(`${name}-`);
    const thresholds = resolveThresholds(args.thresholds);
    const email = args.alarmEmail === undefined ? undefined : assertAlarmEmail(args.alarmEmail);
    if (args.distributionId !== undefined && !args.usEast1Provider) {
      refuseCloudFrontAlarmsOutsideUsEast1(this);
    }
    const parent = { parent: this };
    const own: ChildOptions = {};

    const account = aws.getCallerIdentityOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);

    const createChannel = (suffix: string, keyRegion: pulumi.Input<string>, childOpts: ChildOptions) => {
      const key = this.child(
        aws.kms.Key,
        `${name}${suffix}-key`,
        {
          description: `Encrypts the ${name}${suffix} alarm topic`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: pulumi
            .all([partition.partition, account.accountId, keyRegion])
            .apply(([p, accountId, r]) => JSON.stringify(alarmTopicKeyPolicy({ partition: p, accountId, region: r, alarmNamePrefix: `${name}-` }))),
        },
        t.topicKey,
        childOpts,
      );
      const channel = this.child(aws.sns.Topic, `${name}${suffix}`, { kmsMasterKeyId: key.arn }, t.topic, childOpts);
      if (email !== undefined) {
        this.child(aws.sns.TopicSubscription, `${name}${suffix}-email`, { topic: channel.arn, protocol: "email", endpoint: email }, t.subscription, childOpts);
      }
      return channel;
    };

    const createAlarm = (spec: Spec, topicArn: pulumi.Output<string>, childOpts: ChildOptions) => {
      const { suffix, ...alarm } = spec;
      const alarmName = `${name}-${suffix}`;
      return this.child(
        aws.cloudwatch.MetricAlarm,
        alarmName,
        {
          ...alarm,
          // Named, not auto-named: the topic key's policy admits alarms by this prefix, and the name is
          // what the e-mail subject shows.
          name: alarmName,
          actionsEnabled: true,
          alarmActions: [topicArn],
          okActions: [topicArn],
        },
        t.alarm,
        childOpts,
      );
    };

    const topic = createChannel("", region.region, own);
    const alarms: aws.cloudwatch.MetricAlarm[] = [];
    if (args.apiId !== undefined) {
      alarms.push(...apiAlarmSpecs(args.apiId, thresholds).map((spec) => createAlarm(spec, topic.arn, own)));
    }
    let cloudFrontTopic: aws.sns.Topic | undefined;
    if (args.distributionId !== undefined) {
      const provider = args.usEast1Provider;
      const where: ChildOptions = provider ? { provider } : own;
      const edgeTopic = provider ? createChannel(`-${CLOUDFRONT_METRICS_REGION}`, CLOUDFRONT_METRICS_REGION, where) : topic;
      // Without a us-east-1 provider, the region the alarms land in is known for sure only at deploy.
      const distributionId = provider
        ? args.distributionId
        : pulumi.all([region.region, args.distributionId]).apply(([r, id]) => {
            assertCloudFrontAlarmRegion(r);
            return id;
          });
      alarms.push(...cloudFrontAlarmSpecs(distributionId, thresholds).map((spec) => createAlarm(spec, edgeTopic.arn, where)));
      cloudFrontTopic = edgeTopic;
    }

    this.topicArn = topic.arn;
    this.cloudFrontTopicArn = cloudFrontTopic?.arn;
    this.alarmNames = pulumi.all(alarms.map((a) => a.name));
    this.topic = topic;
    this.alarms = alarms;
    this.registerOutputs({ topicArn: this.topicArn, cloudFrontTopicArn: this.cloudFrontTopicArn, alarmNames: this.alarmNames });
  }
}

/**
 * Fails before anything is created when this component uses the default AWS provider and that
 * provider's region is known not to be us-east-1. With an explicit provider, the check waits for the
 * deploy (the alarms' `DistributionId` dimension is resolved only after the region is checked).
 */
function refuseCloudFrontAlarmsOutsideUsEast1(self: Alarms): void {
  const usesDefaultProvider = self.getProvider("aws:cloudwatch/metricAlarm:MetricAlarm") === undefined;
  const defaultRegion = aws.config.region;
  if (usesDefaultProvider && defaultRegion !== undefined) {
    assertCloudFrontAlarmRegion(defaultRegion);
  }
}
