import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type PolicyStatement } from "../iam/policy-document";
import { bucketKeyPolicy } from "../kms/key-policy";
import { type ComponentArgs, LibraryComponent, type Transforms } from "../component";
import { assertBucketLogicalName } from "../naming";
import { serverAccessLogGrant } from "./access-logging";
import { bucketPolicy, SSE_S3 } from "./bucket-policy";
import { type LifecycleSettings, lifecycleRules } from "./lifecycle";

export interface HardenedBucketArgs extends ComponentArgs<HardenedBucketTransform> {
  /**
   * Physical bucket name, for buckets whose name policies must be able to predict.
   * @default auto-named from the component name plus a random suffix
   */
  bucketName?: pulumi.Input<string>;
  /**
   * Web origins allowed to call S3 from a browser; S3 then answers CORS preflights and exposes
   * `ETag` (multipart uploads need it). Native apps need none.
   * @example ["https://app.example.com"]
   * @default [] (no CORS configuration)
   */
  corsOrigins?: string[];
  /**
   * Send every object event to EventBridge (the object index's indexer subscribes to them, the
   * ClamAV scanner to "Object Created"). One notification per bucket: S3 keeps one configuration.
   * @default false
   */
  eventBridge?: boolean;
  /**
   * Lifecycle of objects and uploads. Incomplete multipart uploads are always aborted and old
   * versions always expire; tiering and expiry of current objects are optional.
   */
  lifecycle: LifecycleSettings;
  /**
   * Customer managed key to encrypt with. Pass one to share a key between buckets.
   * @default a new key for this bucket, rotation on, whose key policy names only `keyUserArns`
   * and `cloudFrontDistributionArns`
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Roles that read or write objects; they may use the bucket's own key through S3 only.
   * Ignored when `kmsKeyArn` is given (that key's policy is its owner's business).
   * @default []
   */
  keyUserArns?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * CloudFront distributions reading through Origin Access Control; they may decrypt with the key.
   * @default []
   */
  cloudFrontDistributionArns?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Further statements for the bucket's own key policy (a service that writes encrypted objects,
   * such as CloudTrail). Ignored when `kmsKeyArn` is given.
   * @default []
   */
  keyPolicyGrants?: pulumi.Input<PolicyStatement[]>;
  /**
   * Grants appended to the bucket policy after its TLS and encryption guards.
   * @example [{ Sid: "CloudFrontReadsClean", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, … }]
   * @default []
   */
  policyGrants?: pulumi.Input<PolicyStatement[]>;
  /**
   * This bucket receives other buckets' server access logs. Log delivery supports SSE-S3 only
   * ("Enabling Amazon S3 server access logging"), so it is encrypted with S3 managed keys and has no
   * KMS key; its policy lets `logging.s3.amazonaws.com` write under `prefix` for these source
   * buckets of this account only, and refuses every other encryption.
   * @default none (a KMS-encrypted bucket)
   */
  serverAccessLogTarget?: { sourceBucketArns: pulumi.Input<pulumi.Input<string>[]>; prefix: string };
  /**
   * Deliver this bucket's server access logs to another bucket (one made with `serverAccessLogTarget`).
   * @default none
   */
  accessLogs?: { targetBucket: pulumi.Input<string>; targetPrefix: string };
  /**
   * Let `pulumi destroy` delete the bucket while it still holds objects (and delete its key).
   * @default false
   */
  forceDestroy?: boolean;
}

/** One `Transform` per child of `HardenedBucket`. */
export type HardenedBucketTransform = Transforms<{
  bucket: aws.s3.BucketArgs; publicAccessBlock: aws.s3.BucketPublicAccessBlockArgs;
  ownershipControls: aws.s3.BucketOwnershipControlsArgs; key: aws.kms.KeyArgs;
  encryption: aws.s3.BucketServerSideEncryptionConfigurationArgs; versioning: aws.s3.BucketVersioningArgs;
  lifecycle: aws.s3.BucketLifecycleConfigurationArgs; cors: aws.s3.BucketCorsConfigurationArgs;
  notification: aws.s3.BucketNotificationArgs; logging: aws.s3.BucketLoggingArgs; policy: aws.s3.BucketPolicyArgs;
}>;

/** The same four flags on every bucket and access point (Private buckets). */
export const BLOCK_ALL_PUBLIC_ACCESS = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
} as const;

/** CORS for web apps talking to S3 directly (pattern 1) or with presigned requests. */
function corsRule(origins: string[]) {
  return {
    allowedOrigins: origins,
    // DELETE and the amz-sdk-* headers: a web app on STS credentials (pattern 1) deletes
    // and sends them through the AWS SDK; presigned requests need only GET/HEAD/PUT.
    allowedMethods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
    allowedHeaders: ["authorization", "content-type", "content-md5", "content-length", "x-amz-*", "amz-sdk-invocation-id", "amz-sdk-request"],
    exposeHeaders: ["ETag"],
    maxAgeSeconds: 3000,
  };
}

/**
 * A private, TLS-only, KMS-encrypted, versioned S3 bucket (Private buckets, TLS only,
 * Customer-managed encryption, Lifecycle hygiene): all four public-access-block flags, ACLs disabled
 * (`BucketOwnerEnforced`), SSE-KMS with a customer managed key and bucket key, SSE-C blocked,
 * versioning, lifecycle, and a bucket policy that denies non-TLS access and foreign encryption.
 */
export class HardenedBucket extends LibraryComponent {
  readonly bucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
  readonly ownershipControls: aws.s3.BucketOwnershipControls;
  /** The bucket's own key; absent when `kmsKeyArn` is given or the bucket is a server-access-log target. */
  readonly key?: aws.kms.Key;
  readonly encryption: aws.s3.BucketServerSideEncryptionConfiguration;
  readonly versioning: aws.s3.BucketVersioning;
  readonly lifecycle: aws.s3.BucketLifecycleConfiguration;
  /** Present with `corsOrigins`. */
  readonly cors?: aws.s3.BucketCorsConfiguration;
  /** Present with `eventBridge`. */
  readonly notification?: aws.s3.BucketNotification;
  /** Present with `accessLogs`. */
  readonly logging?: aws.s3.BucketLogging;
  /** Resolves once the bucket policy is in place; depend on it before granting access elsewhere. */
  readonly policy: aws.s3.BucketPolicy;
  private readonly keyArn: pulumi.Output<string> | undefined;

  /** The bucket's customer managed key. A server-access-log target has none (SSE-S3). */
  get kmsKeyArn(): pulumi.Output<string> {
    if (this.keyArn === undefined) {
      throw new Error("a server-access-log target bucket is encrypted with SSE-S3 and has no KMS key");
    }
    return this.keyArn;
  }

  constructor(name: string, args: HardenedBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mobile-s3:storage:HardenedBucket", name, args.tags, opts);
    assertBucketLogicalName(name);
    const t = args.transform ?? {};
    const parent = { parent: this };
    const forceDestroy = args.forceDestroy ?? false;

    const account = aws.getCallerIdentityOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);

    const logTarget = args.serverAccessLogTarget;
    if (logTarget && (args.kmsKeyArn || args.keyUserArns || args.cloudFrontDistributionArns || args.keyPolicyGrants)) {
      throw new Error(`[serverAccessLogTarget] bucket "${name}" takes no KMS key, key users or key grants: log delivery supports SSE-S3 only`);
    }
    const bucket = this.child(aws.s3.Bucket, name, { bucket: args.bucketName, forceDestroy }, t.bucket);
    const onBucket = { bucket: bucket.id };
    this.publicAccessBlock = this.child(aws.s3.BucketPublicAccessBlock, name, { ...onBucket, ...BLOCK_ALL_PUBLIC_ACCESS }, t.publicAccessBlock);
    this.ownershipControls = this.child(aws.s3.BucketOwnershipControls, name, { ...onBucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, t.ownershipControls);
    this.key = logTarget || args.kmsKeyArn ? undefined : this.createKey(name, args, { partition, account, region });
    const kmsKeyArn = logTarget ? undefined : args.kmsKeyArn ? pulumi.output(args.kmsKeyArn) : this.key!.arn;
    const byDefault = kmsKeyArn ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn } : { sseAlgorithm: "AES256" };
    this.encryption = this.child(
      aws.s3.BucketServerSideEncryptionConfiguration,
      name,
      { ...onBucket, rules: [{ applyServerSideEncryptionByDefault: byDefault, bucketKeyEnabled: kmsKeyArn !== undefined, blockedEncryptionTypes: ["SSE-C"] }] },
      t.encryption,
    );
    this.versioning = this.child(aws.s3.BucketVersioning, name, { ...onBucket, versioningConfiguration: { status: "Enabled" } }, t.versioning);
    // S3 applies noncurrent-version rules only once versioning is on.
    this.lifecycle = this.child(aws.s3.BucketLifecycleConfiguration, name, { ...onBucket, rules: lifecycleRules(args.lifecycle) }, t.lifecycle, {
      dependsOn: [this.versioning],
    });
    if (args.corsOrigins && args.corsOrigins.length > 0) {
      this.cors = this.child(aws.s3.BucketCorsConfiguration, name, { ...onBucket, corsRules: [corsRule(args.corsOrigins)] }, t.cors);
    }
    if (args.eventBridge) {
      this.notification = this.child(aws.s3.BucketNotification, name, { ...onBucket, eventbridge: true }, t.notification);
    }
    if (args.accessLogs) {
      const logs = args.accessLogs;
      this.logging = this.child(aws.s3.BucketLogging, name, { ...onBucket, targetBucket: logs.targetBucket, targetPrefix: logs.targetPrefix }, t.logging);
    }

    const logDelivery = logTarget
      ? pulumi
          .all([bucket.arn, account.accountId, logTarget.sourceBucketArns])
          .apply(([bucketArn, accountId, sourceBucketArns]) => [serverAccessLogGrant({ bucketArn, prefix: logTarget.prefix, accountId, sourceBucketArns })])
      : [];
    const document = pulumi
      .all([bucket.arn, kmsKeyArn ?? SSE_S3, args.policyGrants ?? [], logDelivery])
      .apply(([bucketArn, keyArn, grants, delivery]) => JSON.stringify(bucketPolicy({ bucketArn, kmsKeyArn: keyArn, grants: [...delivery, ...grants] })));
    // S3 rejects policy writes while the public-access block is being applied; encryption must
    // exist before the policy that insists on it.
    this.policy = this.child(aws.s3.BucketPolicy, name, { ...onBucket, policy: document }, t.policy, {
      dependsOn: [this.publicAccessBlock, this.ownershipControls, this.encryption],
    });

    this.bucket = bucket;
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.keyArn = kmsKeyArn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, ...(kmsKeyArn ? { kmsKeyArn } : {}) });
  }

  private createKey(
    name: string,
    args: HardenedBucketArgs,
    env: { partition: pulumi.Output<aws.GetPartitionResult>; account: pulumi.Output<aws.GetCallerIdentityResult>; region: pulumi.Output<aws.GetRegionResult> },
  ): aws.kms.Key {
    const policy = pulumi
      .all([env.partition.partition, env.account.accountId, env.region.region, args.keyUserArns ?? [], args.cloudFrontDistributionArns ?? [], args.keyPolicyGrants ?? []])
      .apply(([p, accountId, r, keyUserArns, cloudFrontDistributionArns, grants]) =>
        JSON.stringify(bucketKeyPolicy({ partition: p, accountId, region: r, keyUserArns, cloudFrontDistributionArns, grants })),
      );
    return this.child(
      aws.kms.Key,
      `${name}-key`,
      { description: `Encrypts objects in the ${name} bucket`, enableKeyRotation: true, deletionWindowInDays: 30, policy },
      args.transform?.key,
      // Nothing orders the key's deletion after the bucket's: a destroy that stops at a bucket still
      // holding objects would schedule their only key for deletion. Outside throwaway stacks
      // (forceDestroy) `pulumi destroy` keeps the key; it is dropped from the stack, not deleted.
      { retainOnDelete: !(args.forceDestroy ?? false) },
    );
  }
}
