import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type PolicyStatement } from "../iam/policy-document";
import { bucketKeyPolicy } from "../kms/key-policy";
import { assertBucketLogicalName } from "../naming";
import { serverAccessLogGrant } from "./access-logging";
import { bucketPolicy, SSE_S3 } from "./bucket-policy";
import { type LifecycleSettings, lifecycleRules } from "./lifecycle";

export interface HardenedBucketArgs {
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
   * Send every object event to EventBridge (the malware scanner subscribes to "Object Created").
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
   * Let `pulumi destroy` delete the bucket while it still holds objects.
   * @default false
   */
  forceDestroy?: boolean;
  /** Tags for every taggable child. */
  tags: Record<string, string>;
}

/**
 * A private, TLS-only, KMS-encrypted, versioned S3 bucket (DESIGN invariants 2, 3, 6 and 8):
 * all four public-access-block flags, ACLs disabled (`BucketOwnerEnforced`), SSE-KMS with a
 * customer managed key and bucket key, SSE-C blocked, versioning, lifecycle, and a bucket policy
 * that denies non-TLS access and foreign encryption.
 */
export class HardenedBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  private readonly key: pulumi.Output<string> | undefined;
  /** Resolves once the bucket policy is in place; depend on it before granting access elsewhere. */
  readonly policy: aws.s3.BucketPolicy;

  /** The bucket's customer managed key. A server-access-log target has none (SSE-S3). */
  get kmsKeyArn(): pulumi.Output<string> {
    if (this.key === undefined) {
      throw new Error("a server-access-log target bucket is encrypted with SSE-S3 and has no KMS key");
    }
    return this.key;
  }

  constructor(name: string, args: HardenedBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mobile-s3:storage:HardenedBucket", name, {}, opts);
    assertBucketLogicalName(name);
    const parent = { parent: this };

    const account = aws.getCallerIdentityOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);

    const bucket = createBucket(this);
    const publicAccessBlock = blockPublicAccess(this);
    const ownership = enforceBucketOwner(this);
    const logTarget = args.serverAccessLogTarget;
    if (logTarget && (args.kmsKeyArn || args.keyUserArns || args.cloudFrontDistributionArns || args.keyPolicyGrants)) {
      throw new Error(`[serverAccessLogTarget] bucket "${name}" takes no KMS key, key users or key grants: log delivery supports SSE-S3 only`);
    }
    const kmsKeyArn = logTarget ? undefined : args.kmsKeyArn ? pulumi.output(args.kmsKeyArn) : createKey(this).arn;
    const encryption = encrypt(this);
    const versioning = enableVersioning(this);
    configureLifecycle(this);
    if (args.corsOrigins && args.corsOrigins.length > 0) {
      allowBrowsers(this, args.corsOrigins);
    }
    if (args.eventBridge) {
      notifyEventBridge(this);
    }
    if (args.accessLogs) {
      logAccess(this, args.accessLogs);
    }
    const policy = attachPolicy(this);

    this.bucket = bucket;
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.key = kmsKeyArn;
    this.policy = policy;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, ...(kmsKeyArn ? { kmsKeyArn } : {}) });

    function createBucket(self: HardenedBucket) {
      return new aws.s3.Bucket(
        name,
        { bucket: args.bucketName, forceDestroy: args.forceDestroy ?? false, tags: args.tags },
        { parent: self },
      );
    }

    function blockPublicAccess(self: HardenedBucket) {
      return new aws.s3.BucketPublicAccessBlock(
        name,
        {
          bucket: bucket.id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        { parent: self },
      );
    }

    function enforceBucketOwner(self: HardenedBucket) {
      return new aws.s3.BucketOwnershipControls(
        name,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        { parent: self },
      );
    }

    function createKey(self: HardenedBucket) {
      const policyJson = pulumi
        .all([
          partition.partition,
          account.accountId,
          region.region,
          args.keyUserArns ?? [],
          args.cloudFrontDistributionArns ?? [],
          args.keyPolicyGrants ?? [],
        ])
        .apply(([p, accountId, r, keyUserArns, cloudFrontDistributionArns, grants]) =>
          JSON.stringify(bucketKeyPolicy({ partition: p, accountId, region: r, keyUserArns, cloudFrontDistributionArns, grants })),
        );
      return new aws.kms.Key(
        `${name}-key`,
        {
          description: `Encrypts objects in the ${name} bucket`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: policyJson,
          tags: args.tags,
        },
        // Nothing orders the key's deletion after the bucket's: a destroy that stops at a bucket still
        // holding objects would schedule their only key for deletion. Outside throwaway stacks
        // (forceDestroy) `pulumi destroy` keeps the key; it is dropped from the stack, not deleted.
        { parent: self, retainOnDelete: !(args.forceDestroy ?? false) },
      );
    }

    function encrypt(self: HardenedBucket) {
      const byDefault = kmsKeyArn ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn } : { sseAlgorithm: "AES256" };
      return new aws.s3.BucketServerSideEncryptionConfiguration(
        name,
        {
          bucket: bucket.id,
          rules: [{ applyServerSideEncryptionByDefault: byDefault, bucketKeyEnabled: kmsKeyArn !== undefined, blockedEncryptionTypes: ["SSE-C"] }],
        },
        { parent: self },
      );
    }

    function logAccess(self: HardenedBucket, logs: NonNullable<HardenedBucketArgs["accessLogs"]>) {
      return new aws.s3.BucketLogging(
        name,
        { bucket: bucket.id, targetBucket: logs.targetBucket, targetPrefix: logs.targetPrefix },
        { parent: self },
      );
    }

    function enableVersioning(self: HardenedBucket) {
      return new aws.s3.BucketVersioning(
        name,
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        { parent: self },
      );
    }

    function configureLifecycle(self: HardenedBucket) {
      return new aws.s3.BucketLifecycleConfiguration(
        name,
        { bucket: bucket.id, rules: lifecycleRules(args.lifecycle) },
        // S3 applies noncurrent-version rules only once versioning is on.
        { parent: self, dependsOn: [versioning] },
      );
    }

    function allowBrowsers(self: HardenedBucket, origins: string[]) {
      return new aws.s3.BucketCorsConfiguration(
        name,
        {
          bucket: bucket.id,
          corsRules: [
            {
              allowedOrigins: origins,
              // DELETE and the amz-sdk-* headers: a web app on STS credentials (pattern 1) deletes
              // and sends them through the AWS SDK; presigned requests need only GET/HEAD/PUT.
              allowedMethods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
              allowedHeaders: ["authorization", "content-type", "content-md5", "content-length", "x-amz-*", "amz-sdk-invocation-id", "amz-sdk-request"],
              exposeHeaders: ["ETag"],
              maxAgeSeconds: 3000,
            },
          ],
        },
        { parent: self },
      );
    }

    function notifyEventBridge(self: HardenedBucket) {
      return new aws.s3.BucketNotification(name, { bucket: bucket.id, eventbridge: true }, { parent: self });
    }

    function attachPolicy(self: HardenedBucket) {
      const logDelivery = logTarget
        ? pulumi
            .all([bucket.arn, account.accountId, logTarget.sourceBucketArns])
            .apply(([bucketArn, accountId, sourceBucketArns]) => [serverAccessLogGrant({ bucketArn, prefix: logTarget.prefix, accountId, sourceBucketArns })])
        : [];
      const document = pulumi
        .all([bucket.arn, kmsKeyArn ?? SSE_S3, args.policyGrants ?? [], logDelivery])
        .apply(([bucketArn, keyArn, grants, delivery]) => JSON.stringify(bucketPolicy({ bucketArn, kmsKeyArn: keyArn, grants: [...delivery, ...grants] })));
      return new aws.s3.BucketPolicy(
        name,
        { bucket: bucket.id, policy: document },
        // S3 rejects policy writes while the public-access block is being applied; encryption must
        // exist before the policy that insists on it.
        { parent: self, dependsOn: [publicAccessBlock, ownership, encryption] },
      );
    }
  }
}
