import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type PolicyStatement } from "../iam/policy-document";
import { type ComponentArgs, LibraryComponent, type Transform } from "../component";
import { HardenedBucket, type HardenedBucketTransform } from "../storage/hardened-bucket";
import { type LifecycleSettings } from "../storage/lifecycle";
import { assertSomeDataBuckets, auditEventSelectors } from "./event-selectors";
import { assertTrailName, trailArn } from "./trail-name";
import { trailBucketPolicyGrants, trailKeyPolicyGrants } from "./trail-policies";

/** Where the log bucket's server access logs land in the access-log bucket. */
export const ACCESS_LOG_PREFIX = "s3-access/";

export interface AuditTrailArgs extends ComponentArgs<AuditTrailTransform> {
  /**
   * Buckets whose object reads and writes CloudTrail records as data events: the app's storage and
   * every dedicated tenant bucket. Required, at least one.
   * @example [storage.bucketArn]
   */
  dataBucketArns: pulumi.Input<string>[];
  /**
   * S3 access points (the accessPoint tenancy tier) whose data events are recorded as well.
   * @default []
   */
  accessPointArns?: pulumi.Input<string>[];
  /**
   * Roles that read the logs. They may decrypt them only through S3, and still need `s3:GetObject`
   * on the log bucket in their own policies.
   * @default [] (nobody decrypts until a reader is named here)
   */
  logReaderArns?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Record events of every region, not only the stack's. The app's buckets live in the stack's
   * region, where a single-region trail already records their data events.
   * @default false
   */
  isMultiRegionTrail?: boolean;
  /** Lifecycle of the log bucket, in the same shape as `HardenedBucket`'s. Required. */
  lifecycle: LifecycleSettings;
  /**
   * Let `pulumi destroy` delete the log bucket while it still holds logs.
   * @default false
   */
  forceDestroy?: boolean;
}

/** One `Transform` per child of `AuditTrail`. */
export interface AuditTrailTransform {
  trail?: Transform<aws.cloudtrail.TrailArgs>;
  /** The bucket the trail writes to. */
  logBucket?: HardenedBucketTransform;
  /** The bucket receiving the log bucket's server access logs. */
  accessLogBucket?: HardenedBucketTransform;
}

/**
 * A CloudTrail trail recording management events and S3 data events for the app's buckets
 * (Observability) into its own hardened log bucket: private, TLS-only, encrypted with the bucket's own
 * rotating key, versioned; log file validation on. Only this trail, identified by its ARN, may write
 * there or use the key.
 */
export class AuditTrail extends LibraryComponent {
  readonly trailArn: pulumi.Output<string>;
  readonly logBucketName: pulumi.Output<string>;
  readonly logBucketArn: pulumi.Output<string>;
  /** Where S3 delivers the log bucket's own server access logs: who read or deleted the audit trail. */
  readonly accessLogBucketName: pulumi.Output<string>;
  readonly trail: aws.cloudtrail.Trail;
  readonly logBucket: HardenedBucket;
  readonly accessLogBucket: HardenedBucket;

  constructor(name: string, args: AuditTrailArgs, opts?: pulumi.ComponentResourceOptions) {
    // Everything that can refuse the arguments runs before the first child exists; ARNs computed by
    // other resources are checked, by the same function, once they resolve.
    const trailName = assertTrailName(name);
    assertSomeDataBuckets(args.dataBucketArns.length);
    super("mobile-s3:observability:AuditTrail", name, args.tags, opts);
    const { dataBucketArns } = args;
    const accessPointArns = args.accessPointArns ?? [];
    const knownSelectors =
      allStrings(dataBucketArns) && allStrings(accessPointArns)
        ? auditEventSelectors({ bucketArns: dataBucketArns, accessPointArns })
        : undefined;
    const parent = { parent: this };
    const forceDestroy = args.forceDestroy ?? false;

    const account = aws.getCallerIdentityOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);
    // Known before the trail exists because this component chooses its name: the log bucket's policy
    // and key policy can name it, and the trail is created only once both are in place.
    const expectedTrailArn = pulumi
      .all([partition.partition, region.region, account.accountId])
      .apply(([p, r, accountId]) => trailArn({ partition: p, region: r, accountId, trailName }));

    // The audit trail records the data buckets' requests, not its own bucket's: recording those in
    // the same trail would record its own deliveries ("Suppressing recursive events with recursive
    // logging"). So the log bucket's server access logs go to a bucket of their own, hardened the same
    // way except for SSE-S3, the only encryption log delivery supports. That bucket logs nowhere:
    // logging the log target into itself loops ("Enabling Amazon S3 server access logging").
    const [sourceBucketArns, resolveSourceBucketArns] = pulumi.deferredOutput<string[]>();
    const accessLogs = new HardenedBucket(
      `${name}-access-logs`,
      {
        lifecycle: args.lifecycle,
        forceDestroy,
        serverAccessLogTarget: { sourceBucketArns, prefix: ACCESS_LOG_PREFIX },
        tags: args.tags,
        transform: args.transform?.accessLogBucket,
      },
      parent,
    );

    // The bucket policy must name the bucket, whose generated name exists only once the bucket does:
    // hand HardenedBucket a deferred value and resolve it from the bucket it creates.
    const [policyGrants, resolvePolicyGrants] = pulumi.deferredOutput<PolicyStatement[]>();
    const logs = new HardenedBucket(
      `${name}-logs`,
      {
        lifecycle: args.lifecycle,
        forceDestroy,
        keyUserArns: args.logReaderArns ?? [],
        keyPolicyGrants: pulumi
          .all([partition.partition, account.accountId, expectedTrailArn])
          .apply(([p, accountId, arn]) => trailKeyPolicyGrants({ partition: p, accountId, trailArn: arn })),
        policyGrants,
        accessLogs: { targetBucket: accessLogs.bucketName, targetPrefix: ACCESS_LOG_PREFIX },
        tags: args.tags,
        transform: args.transform?.logBucket,
      },
      parent,
    );
    resolveSourceBucketArns(logs.bucketArn.apply((arn) => [arn]));
    resolvePolicyGrants(
      pulumi
        .all([account.accountId, logs.bucketArn, expectedTrailArn])
        .apply(([accountId, bucketArn, arn]) => trailBucketPolicyGrants({ accountId, bucketArn, trailArn: arn })),
    );

    const trail = this.child(
      aws.cloudtrail.Trail,
      name,
      {
        name: trailName,
        s3BucketName: logs.bucketName,
        // The ARN, not an alias or key id: the bucket policy denies uploads naming any other key id.
        kmsKeyId: logs.kmsKeyArn,
        enableLogFileValidation: true,
        includeGlobalServiceEvents: true,
        isMultiRegionTrail: args.isMultiRegionTrail ?? false,
        advancedEventSelectors:
          knownSelectors ??
          pulumi
            .all([pulumi.all(dataBucketArns), pulumi.all(accessPointArns)])
            .apply(([buckets, accessPoints]) => auditEventSelectors({ bucketArns: buckets, accessPointArns: accessPoints })),
      },
      args.transform?.trail,
      // CloudTrail checks at creation that it may write to the bucket: the grants must be in place.
      { dependsOn: [logs.policy] },
    );

    this.trail = trail;
    this.logBucket = logs;
    this.accessLogBucket = accessLogs;
    this.trailArn = trail.arn;
    this.logBucketName = logs.bucketName;
    this.logBucketArn = logs.bucketArn;
    this.accessLogBucketName = accessLogs.bucketName;
    this.registerOutputs({
      trailArn: this.trailArn,
      logBucketName: this.logBucketName,
      logBucketArn: this.logBucketArn,
      accessLogBucketName: this.accessLogBucketName,
    });
  }
}

function allStrings(values: pulumi.Input<string>[]): values is string[] {
  return values.every((v) => typeof v === "string");
}
