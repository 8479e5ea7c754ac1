import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type PolicyStatement } from "../iam/policy-document";
import { HardenedBucket } from "../storage/hardened-bucket";
import { type LifecycleSettings } from "../storage/lifecycle";
import { type AdvancedEventSelector, assertSomeDataBuckets, auditEventSelectors } from "./event-selectors";
import { assertTrailName, trailArn } from "./trail-name";
import { trailBucketPolicyGrants, trailKeyPolicyGrants } from "./trail-policies";

/** Where the log bucket's server access logs land in the access-log bucket. */
export const ACCESS_LOG_PREFIX = "s3-access/";

export interface AuditTrailArgs {
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
  /** Tags for every taggable child. Required. */
  tags: Record<string, string>;
}

/**
 * A CloudTrail trail recording management events and S3 data events for the app's buckets (DESIGN
 * invariant 10) into its own hardened log bucket: private, TLS-only, encrypted with the bucket's own
 * rotating key, versioned; log file validation on. Only this trail, identified by its ARN, may write
 * there or use the key.
 */
export class AuditTrail extends pulumi.ComponentResource {
  readonly trailArn: pulumi.Output<string>;
  readonly logBucketName: pulumi.Output<string>;
  readonly logBucketArn: pulumi.Output<string>;
  /** Where S3 delivers the log bucket's own server access logs: who read or deleted the audit trail. */
  readonly accessLogBucketName: pulumi.Output<string>;

  constructor(name: string, args: AuditTrailArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mobile-s3:observability:AuditTrail", name, {}, opts);
    // Everything that can refuse the arguments runs before the first child exists; ARNs computed by
    // other resources are checked, by the same function, once they resolve.
    const trailName = assertTrailName(name);
    assertSomeDataBuckets(args.dataBucketArns.length);
    const { dataBucketArns } = args;
    const accessPointArns = args.accessPointArns ?? [];
    const knownSelectors =
      allStrings(dataBucketArns) && allStrings(accessPointArns)
        ? auditEventSelectors({ bucketArns: dataBucketArns, accessPointArns })
        : undefined;
    const parent = { parent: this };

    const account = aws.getCallerIdentityOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);
    // Known before the trail exists because this component chooses its name: the log bucket's policy
    // and key policy can name it, and the trail is created only once both are in place.
    const expectedTrailArn = pulumi
      .all([partition.partition, region.region, account.accountId])
      .apply(([p, r, accountId]) => trailArn({ partition: p, region: r, accountId, trailName }));

    const accessLogs = createAccessLogBucket(this);
    const logs = createLogBucket(this);
    const trail = createTrail(this);

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

    function eventSelectors(): pulumi.Input<AdvancedEventSelector[]> {
      return (
        knownSelectors ??
        pulumi
          .all([pulumi.all(dataBucketArns), pulumi.all(accessPointArns)])
          .apply(([buckets, accessPoints]) => auditEventSelectors({ bucketArns: buckets, accessPointArns: accessPoints }))
      );
    }

    /**
     * The audit trail records the data buckets' requests, not its own bucket's: recording those in
     * the same trail would record its own deliveries ("Suppressing recursive events with recursive
     * logging"). So the log bucket's server access logs go to a bucket of their own, hardened the same
     * way except for SSE-S3, the only encryption log delivery supports. That bucket logs nowhere:
     * logging the log target into itself loops ("Enabling Amazon S3 server access logging").
     */
    function createAccessLogBucket(self: AuditTrail) {
      const [sourceBucketArns, resolveSourceBucketArns] = pulumi.deferredOutput<string[]>();
      const bucket = new HardenedBucket(
        `${name}-access-logs`,
        {
          lifecycle: args.lifecycle,
          forceDestroy: args.forceDestroy ?? false,
          serverAccessLogTarget: { sourceBucketArns, prefix: ACCESS_LOG_PREFIX },
          tags: args.tags,
        },
        { parent: self },
      );
      return Object.assign(bucket, { resolveSourceBucketArns });
    }

    function createLogBucket(self: AuditTrail) {
      // The bucket policy must name the bucket, whose generated name exists only once the bucket does:
      // hand HardenedBucket a deferred value and resolve it from the bucket it creates.
      const [policyGrants, resolvePolicyGrants] = pulumi.deferredOutput<PolicyStatement[]>();
      const bucket = new HardenedBucket(
        `${name}-logs`,
        {
          lifecycle: args.lifecycle,
          forceDestroy: args.forceDestroy ?? false,
          keyUserArns: args.logReaderArns ?? [],
          keyPolicyGrants: pulumi
            .all([partition.partition, account.accountId, expectedTrailArn])
            .apply(([p, accountId, arn]) => trailKeyPolicyGrants({ partition: p, accountId, trailArn: arn })),
          policyGrants,
          accessLogs: { targetBucket: accessLogs.bucketName, targetPrefix: ACCESS_LOG_PREFIX },
          tags: args.tags,
        },
        { parent: self },
      );
      accessLogs.resolveSourceBucketArns(bucket.bucketArn.apply((arn) => [arn]));
      resolvePolicyGrants(
        pulumi
          .all([account.accountId, bucket.bucketArn, expectedTrailArn])
          .apply(([accountId, bucketArn, arn]) => trailBucketPolicyGrants({ accountId, bucketArn, trailArn: arn })),
      );
      return bucket;
    }

    function createTrail(self: AuditTrail) {
      const selectors = eventSelectors();
      return new aws.cloudtrail.Trail(
        name,
        {
          name: trailName,
          s3BucketName: logs.bucketName,
          // The ARN, not an alias or key id: the bucket policy denies uploads naming any other key id.
          kmsKeyId: logs.kmsKeyArn,
          enableLogFileValidation: true,
          includeGlobalServiceEvents: true,
          isMultiRegionTrail: args.isMultiRegionTrail ?? false,
          advancedEventSelectors: selectors,
          tags: args.tags,
        },
        // CloudTrail checks at creation that it may write to the bucket: the grants must be in place.
        { parent: self, dependsOn: [logs.policy] },
      );
    }
  }
}

function allStrings(values: pulumi.Input<string>[]): values is string[] {
  return values.every((v) => typeof v === "string");
}
