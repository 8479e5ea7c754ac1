import { type FunctionRouting, type ScanVocabulary, type Tenant, TENANTS_ROOT } from "@mobile-s3/contract";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudFrontReadStatement } from "../cdn/read-grant";
import { type PolicyStatement } from "../iam/policy-document";
import { type ComponentArgs, LibraryComponent, type Transform } from "../component";
import { BLOCK_ALL_PUBLIC_ACCESS, HardenedBucket, type HardenedBucketTransform } from "../storage/hardened-bucket";
import { type LifecycleSettings } from "../storage/lifecycle";
import { malwareScannerKeyGrant } from "../scanning/guardduty-policies";
import { accessPointArn, accessPointPolicy, type AppSessionRevocation, appUserPolicy, type HomeKey, pooledBucketTenancyStatements, type StorageLayout } from "./access-policies";
import { accessPointName, accessPointPrefix, dedicatedBucketLogicalName, dedicatedBucketName, dedicatedBucketPattern } from "./names";

export interface TenantStorageArgs extends ComponentArgs<TenantStorageTransform> {
  /**
   * Prefix of the tenants' physical names: access point `<namePrefix>-<tenant>`, dedicated bucket
   * `<namePrefix>-t-<tenant>-<hash>`. Fixed for the life of the stack.
   * @default the component name
   * @example "photos-prod"
   */
  namePrefix?: string;
  /**
   * Hashed with the account and region into the dedicated buckets' name suffix: keeps bucket names,
   * which are global, unique per deployment. Fixed for the life of the stack.
   * @default the component name
   * @example `${pulumi.getProject()}/${pulumi.getStack()}`
   */
  deploymentKey?: string;
  /**
   * Tenants and their tiers; tenants not listed use the pooled bucket.
   * @default []
   */
  tenants?: Tenant[];
  /**
   * What names a user's home prefix: the user-pool `sub` or the identity pool's identity id.
   * @default "userSub"
   */
  homeKey?: HomeKey;
  /**
   * Objects readable only once this scanner tagged them clean (Scan before read; full profile, where a scanner runs).
   * @default none: every object is readable (minimal profile)
   */
  readGate?: ScanVocabulary;
  /** The identity pool's authenticated role; this component attaches its access policy. Required. */
  appRole: aws.iam.Role;
  /**
   * Roles that use the KMS keys through S3 (the app role, the control plane's functions).
   * @default []
   */
  keyUserArns?: pulumi.Input<string[]>;
  /**
   * The CloudFront distribution reading through OAC, if any; it is granted clean objects under
   * `tenants/` and decryption with the keys.
   * @default none
   */
  cdnDistributionArn?: pulumi.Input<string | undefined>;
  /**
   * The malware scanner's role (GuardDuty's plans), named in every key's policy so it can decrypt
   * what it scans through S3; the keys do not delegate to IAM.
   * @default none
   */
  malwareScannerRoleArn?: pulumi.Input<string | undefined>;
  /** Lifecycle of every bucket (Lifecycle hygiene). Required. */
  lifecycle: LifecycleSettings;
  /**
   * App sessions the app role's policy refuses before they expire (README "Revocation plan").
   * @default none
   * @example { sessionsIssuedBefore: "2026-05-01T12:00:00Z" }
   */
  sessionRevocation?: AppSessionRevocation;
  /**
   * Web origins allowed to call S3 from a browser.
   * @default []
   */
  corsOrigins?: string[];
  /**
   * Send object events to EventBridge (the object index's indexer listens, and the ClamAV scanner).
   * @default false
   */
  eventBridge?: boolean;
  /**
   * Let `pulumi destroy` delete buckets that still hold objects.
   * @default false
   */
  forceDestroy?: boolean;
}

/** One `Transform` per child of `TenantStorage`. */
export interface TenantStorageTransform {
  /** The pooled bucket's children. */
  pooledBucket?: HardenedBucketTransform;
  /** Every dedicated bucket's children (the transform's `name` tells them apart). */
  dedicatedBucket?: HardenedBucketTransform;
  accessPoint?: Transform<aws.s3.AccessPointArgs>;
  /** The app role's access policy. */
  appUserPolicy?: Transform<aws.iam.RolePolicyArgs>;
}

export interface AccessPointInfo {
  tenant: string;
  name: string;
  arn: pulumi.Output<string>;
  alias: pulumi.Output<string>;
  accessPoint: aws.s3.AccessPoint;
}

export function functionRouting(layout: StorageLayout, accessPointTenants: string[], dedicatedBuckets: Record<string, string>): FunctionRouting {
  return {
    pooledBucket: layout.pooledBucket,
    accessPointArnPrefix: accessPointArn(layout, layout.accessPointPrefix),
    accessPointTenants,
    dedicatedBuckets,
  };
}

/** Where a non-pooled tenant's objects live. Tenants not listed use the pooled bucket. */
export interface TenantRoute {
  tier: "accessPoint" | "bucket";
  bucket: string;
  accessPointArn?: string;
  accessPointAlias?: string;
}

export interface DedicatedBucketInfo {
  tenant: string;
  bucket: HardenedBucket;
}

/**
 * Storage for every tier (tenancy tiers: pooled, accessPoint, bucket): the pooled bucket (no
 * per-tenant resources), one access point on it per access-point tenant (1 resource each, its policy
 * inline), and one hardened bucket per bucket tenant (sharing the pooled bucket's key unless it asks
 * for its own), plus the app role's single, tag-templated access policy (Least privilege).
 */
export class TenantStorage extends LibraryComponent {
  readonly pooled: HardenedBucket;
  readonly accessPoints: AccessPointInfo[];
  readonly dedicated: DedicatedBucketInfo[];
  readonly layout: pulumi.Output<StorageLayout>;
  /** The app role's access policy. */
  readonly appUserPolicy: aws.iam.RolePolicy;

  constructor(name: string, args: TenantStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mobile-s3:tenancy:TenantStorage", name, args.tags, opts);
    const parent = { parent: this };
    const namePrefix = args.namePrefix ?? name;
    const deploymentKey = args.deploymentKey ?? name;
    const tenants = args.tenants ?? [];
    const account = aws.getCallerIdentityOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);
    const apTenants = tenants.filter((t) => t.tier === "accessPoint").map((t) => t.id);
    const bucketTenants = tenants.filter((t) => t.tier === "bucket");
    const cdn = pulumi.output(args.cdnDistributionArn);
    const common = {
      lifecycle: args.lifecycle,
      corsOrigins: args.corsOrigins ?? [],
      eventBridge: args.eventBridge ?? false,
      forceDestroy: args.forceDestroy ?? false,
      tags: args.tags,
      keyUserArns: args.keyUserArns ?? [],
      cloudFrontDistributionArns: cdn.apply((arn) => (arn ? [arn] : [])),
      keyPolicyGrants: pulumi
        .all([pulumi.output(args.malwareScannerRoleArn), region.region, account.accountId])
        .apply(([roleArn, r, accountId]) => (roleArn ? [malwareScannerKeyGrant({ roleArn, region: r, accountId })] : [])),
    };

    const dedicatedPattern = pulumi
      .all([account.accountId, region.region])
      .apply(([accountId, r]) => dedicatedBucketPattern({ namePrefix, accountId, region: r, deploymentKey }));
    // The layout names the pooled bucket, which exists only after the bucket is created; the
    // bucket's own policy needs the layout. A deferred output breaks the cycle.
    const [pooledName, resolvePooledName] = pulumi.deferredOutput<string>();
    const layout = pulumi
      .all([partition.partition, region.region, account.accountId, pooledName, dedicatedPattern])
      .apply(
        ([p, r, accountId, pooledBucket, dedicatedBucket]): StorageLayout => ({
          partition: p,
          region: r,
          accountId,
          pooledBucket,
          accessPointPrefix: accessPointPrefix(namePrefix),
          dedicatedBucket,
          homeKey: args.homeKey ?? "userSub",
          ...(args.readGate ? { readGate: args.readGate } : {}),
        }),
      );

    const pooled = new HardenedBucket(
      `${name}`,
      {
        ...common,
        transform: args.transform?.pooledBucket,
        policyGrants: pulumi.all([layout, args.appRole.arn, cdn]).apply(([l, appRoleArn, distributionArn]) => [
          ...pooledBucketTenancyStatements({ layout: l, appRoleArn, accessPointTenants: apTenants, bucketTenants: bucketTenants.map((t) => t.id) }),
          ...cdnGrant(`arn:${l.partition}:s3:::${l.pooledBucket}`, distributionArn),
        ]),
      },
      parent,
    );
    resolvePooledName(pooled.bucketName);

    const accessPoints = apTenants.map((tenant): AccessPointInfo => {
      const apName = accessPointName(namePrefix, tenant);
      const ap = this.child(
        aws.s3.AccessPoint,
        apName,
        {
          bucket: pooled.bucketName,
          name: apName,
          policy: pulumi.all([layout, args.appRole.arn]).apply(([l, appRoleArn]) => JSON.stringify(accessPointPolicy({ layout: l, tenant, appRoleArn }))),
          publicAccessBlockConfiguration: { ...BLOCK_ALL_PUBLIC_ACCESS },
        },
        args.transform?.accessPoint,
        // The bucket must delegate to access points before they are used.
        { dependsOn: [pooled.policy] },
      );
      return { tenant, name: apName, arn: ap.arn, alias: ap.alias, accessPoint: ap };
    });

    const dedicated = bucketTenants.map((tenant): DedicatedBucketInfo => {
      const bucket = new HardenedBucket(
        dedicatedBucketLogicalName(namePrefix, tenant.id),
        {
          ...common,
          transform: args.transform?.dedicatedBucket,
          bucketName: dedicatedPattern.apply((d) => dedicatedBucketName(d, tenant.id)),
          ...(tenant.dedicatedKey ? {} : { kmsKeyArn: pooled.kmsKeyArn }),
          policyGrants: pulumi
            .all([dedicatedPattern, partition.partition, cdn])
            .apply(([d, p, distributionArn]) => cdnGrant(`arn:${p}:s3:::${dedicatedBucketName(d, tenant.id)}`, distributionArn)),
        },
        parent,
      );
      return { tenant: tenant.id, bucket };
    });

    this.appUserPolicy = this.child(
      aws.iam.RolePolicy,
      `${name}-app-user`,
      { role: args.appRole.id, policy: layout.apply((l) => JSON.stringify(appUserPolicy(l, args.sessionRevocation))) },
      args.transform?.appUserPolicy,
    );

    this.pooled = pooled;
    this.accessPoints = accessPoints;
    this.dedicated = dedicated;
    this.layout = layout;
    this.registerOutputs({
      pooledBucketName: pooled.bucketName,
      accessPointArns: accessPoints.map((a) => a.arn),
      dedicatedBucketNames: dedicated.map((d) => d.bucket.bucketName),
    });

    function cdnGrant(bucketArn: string, distributionArn: string | undefined): PolicyStatement[] {
      if (!distributionArn) {
        return [];
      }
      if (!args.readGate) {
        throw new Error("[readGate] is required with [cdnDistributionArn]: CloudFront reads only scanned objects");
      }
      return [cloudFrontReadStatement({ bucketArn, distributionArn, keyPrefix: TENANTS_ROOT, readGate: args.readGate })];
    }
  }

  /**
   * What the control plane's functions may reach: the pooled bucket, each dedicated bucket (at
   * most 25 where the control plane runs), and every access point of this stack through one
   * `<app>-<env>-*` name pattern, so their policies keep one size however many tenants there are.
   */
  storageTargets(): pulumi.Output<{ bucketArn: string; bucketName: string; accessPointArn?: string }[]> {
    const anyAccessPoint = this.accessPoints.length > 0;
    return pulumi
      .all([
        pulumi.all([this.pooled.bucketArn, this.pooled.bucketName]),
        pulumi.all(this.dedicated.map((d) => pulumi.all([d.bucket.bucketArn, d.bucket.bucketName]))),
        this.layout,
      ])
      .apply(([[pooledArn, pooledBucket], dedicated, l]) => [
        { bucketArn: pooledArn, bucketName: pooledBucket },
        ...(anyAccessPoint
          ? [{ bucketArn: pooledArn, bucketName: pooledBucket, accessPointArn: `${accessPointArn(l, l.accessPointPrefix)}*` }]
          : []),
        ...dedicated.map(([bucketArn, bucketName]) => ({ bucketArn, bucketName })),
      ]);
  }

  /**
   * The functions' routing table (their TENANT_ROUTING): tenant ids per tier and the names they
   * imply. Compact on purpose: Lambda environments are capped at 4 KB (checked in quotas.ts).
   */
  functionRouting(): pulumi.Output<FunctionRouting> {
    const accessPointTenants = this.accessPoints.map((a) => a.tenant);
    return pulumi
      .all([this.layout, pulumi.all(this.dedicated.map((d) => pulumi.all([d.tenant, d.bucket.bucketName])))])
      .apply(([l, dedicated]) => functionRouting(l, accessPointTenants, Object.fromEntries(dedicated)));
  }

  /** Tenant → where its objects live, for the functions' routing table and the app config. */
  routing(): pulumi.Output<Record<string, TenantRoute>> {
    return pulumi
      .all([
        this.pooled.bucketName,
        pulumi.all(this.accessPoints.map((a) => pulumi.all([a.tenant, a.arn, a.alias]))),
        pulumi.all(this.dedicated.map((d) => pulumi.all([d.tenant, d.bucket.bucketName]))),
      ])
      .apply(([pooledBucket, aps, buckets]) => {
        const routes: Record<string, TenantRoute> = {};
        for (const [tenant, accessPointArn, accessPointAlias] of aps) {
          routes[tenant] = { tier: "accessPoint", bucket: pooledBucket, accessPointArn, accessPointAlias };
        }
        for (const [tenant, bucket] of buckets) {
          routes[tenant] = { tier: "bucket", bucket };
        }
        return routes;
      });
  }
}
