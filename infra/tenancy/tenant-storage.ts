import { type FunctionRouting, type ScanVocabulary, type Tenant, TENANTS_ROOT } from "@mobile-s3/contract";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudFrontReadStatement } from "../cdn/read-grant";
import { type HomeKey } from "../config";
import { type PolicyStatement } from "../iam/policy-document";
import { HardenedBucket } from "../storage/hardened-bucket";
import { type LifecycleSettings } from "../storage/lifecycle";
import { malwareScannerKeyGrant } from "../scanning/guardduty-policies";
import { accessPointArn, accessPointPolicy, appUserPolicy, sharedBucketTenancyStatements, type StorageLayout } from "./access-policies";
import { accessPointPrefix, dedicatedBucketPattern } from "./names";

export interface TenantStorageArgs {
  app: string;
  environment: string;
  /** Tenants and their tiers; tenants not listed use the pooled bucket. */
  tenants: Tenant[];
  homeKey: HomeKey;
  /**
   * Objects readable only once this scanner tagged them clean (full profile, where a scanner runs).
   * @default none: every object is readable (minimal profile)
   */
  readGate?: ScanVocabulary;
  /** The identity pool's authenticated role; this component attaches its access policy. */
  appRole: aws.iam.Role;
  /** Roles that use the KMS keys through S3 (the app role, the control plane's functions). */
  keyUserArns: pulumi.Input<string[]>;
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
  lifecycle: LifecycleSettings;
  corsOrigins: string[];
  /** Send object events to EventBridge (the scanner listens). */
  eventBridge: boolean;
  forceDestroy: boolean;
  tags: Record<string, string>;
}

export interface AccessPointInfo {
  tenant: string;
  name: string;
  arn: pulumi.Output<string>;
  alias: pulumi.Output<string>;
}

export function functionRouting(layout: StorageLayout, accessPointTenants: string[], dedicatedBuckets: Record<string, string>): FunctionRouting {
  return {
    pooledBucket: layout.sharedBucket,
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
 * Storage for every tier (DESIGN: tenancy tiers): the pooled bucket (no per-tenant resources), one
 * access point on it per access-point tenant (1 resource each, its policy inline), and one
 * hardened bucket per bucket tenant (sharing the stack's key unless it asks for its own), plus
 * the app role's single, tag-templated access policy.
 */
export class TenantStorage extends pulumi.ComponentResource {
  readonly shared: HardenedBucket;
  readonly accessPoints: AccessPointInfo[];
  readonly dedicated: DedicatedBucketInfo[];
  readonly layout: pulumi.Output<StorageLayout>;

  constructor(name: string, args: TenantStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mobile-s3:tenancy:TenantStorage", name, {}, opts);
    const parent = { parent: this };
    const account = aws.getCallerIdentityOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);
    const apTenants = args.tenants.filter((t) => t.tier === "accessPoint").map((t) => t.id);
    const bucketTenants = args.tenants.filter((t) => t.tier === "bucket");
    const cdn = pulumi.output(args.cdnDistributionArn);
    const common = {
      lifecycle: args.lifecycle,
      corsOrigins: args.corsOrigins,
      eventBridge: args.eventBridge,
      forceDestroy: args.forceDestroy,
      tags: args.tags,
      keyUserArns: args.keyUserArns,
      cloudFrontDistributionArns: cdn.apply((arn) => (arn ? [arn] : [])),
      keyPolicyGrants: pulumi
        .all([pulumi.output(args.malwareScannerRoleArn), region.region, account.accountId])
        .apply(([roleArn, r, accountId]) => (roleArn ? [malwareScannerKeyGrant({ roleArn, region: r, accountId })] : [])),
    };

    const dedicatedPattern = pulumi
      .all([account.accountId, region.region])
      .apply(([accountId, r]) =>
        dedicatedBucketPattern({ app: args.app, environment: args.environment, accountId, region: r, project: pulumi.getProject(), stack: pulumi.getStack() }),
      );
    // The layout names the pooled bucket, which exists only after the bucket is created; the
    // bucket's own policy needs the layout. A deferred output breaks the cycle.
    const [sharedName, resolveSharedName] = pulumi.deferredOutput<string>();
    const layout = pulumi
      .all([partition.partition, region.region, account.accountId, sharedName, dedicatedPattern])
      .apply(
        ([p, r, accountId, sharedBucket, dedicatedBucket]): StorageLayout => ({
          partition: p,
          region: r,
          accountId,
          sharedBucket,
          accessPointPrefix: accessPointPrefix(args.app, args.environment),
          dedicatedBucket,
          homeKey: args.homeKey,
          ...(args.readGate ? { readGate: args.readGate } : {}),
        }),
      );

    const shared = new HardenedBucket(
      `${name}`,
      {
        ...common,
        policyGrants: pulumi.all([layout, args.appRole.arn, cdn]).apply(([l, appRoleArn, distributionArn]) => [
          ...sharedBucketTenancyStatements({ layout: l, appRoleArn, accessPointTenants: apTenants, bucketTenants: bucketTenants.map((t) => t.id) }),
          ...cdnGrant(`arn:${l.partition}:s3:::${l.sharedBucket}`, distributionArn),
        ]),
      },
      parent,
    );
    resolveSharedName(shared.bucketName);

    const accessPoints = apTenants.map((tenant): AccessPointInfo => {
      const apName = `${accessPointPrefix(args.app, args.environment)}${tenant}`;
      const ap = new aws.s3.AccessPoint(
        apName,
        {
          bucket: shared.bucketName,
          name: apName,
          policy: pulumi.all([layout, args.appRole.arn]).apply(([l, appRoleArn]) => JSON.stringify(accessPointPolicy({ layout: l, tenant, appRoleArn }))),
          publicAccessBlockConfiguration: {
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
          },
        },
        // The bucket must delegate to access points before they are used.
        { parent: this, dependsOn: [shared.policy] },
      );
      return { tenant, name: apName, arn: ap.arn, alias: ap.alias };
    });

    const dedicated = bucketTenants.map((tenant): DedicatedBucketInfo => {
      const bucket = new HardenedBucket(
        `${args.app}-${args.environment}-t-${tenant.id}`,
        {
          ...common,
          bucketName: dedicatedPattern.apply((d) => `${d.prefix}${tenant.id}${d.suffix}`),
          ...(tenant.dedicatedKey ? {} : { kmsKeyArn: shared.kmsKeyArn }),
          policyGrants: pulumi
            .all([dedicatedPattern, partition.partition, cdn])
            .apply(([d, p, distributionArn]) => cdnGrant(`arn:${p}:s3:::${d.prefix}${tenant.id}${d.suffix}`, distributionArn)),
        },
        parent,
      );
      return { tenant: tenant.id, bucket };
    });

    new aws.iam.RolePolicy(
      `${name}-app-user`,
      { role: args.appRole.id, policy: layout.apply((l) => JSON.stringify(appUserPolicy(l))) },
      parent,
    );

    this.shared = shared;
    this.accessPoints = accessPoints;
    this.dedicated = dedicated;
    this.layout = layout;
    this.registerOutputs({
      sharedBucketName: shared.bucketName,
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
        pulumi.all([this.shared.bucketArn, this.shared.bucketName]),
        pulumi.all(this.dedicated.map((d) => pulumi.all([d.bucket.bucketArn, d.bucket.bucketName]))),
        this.layout,
      ])
      .apply(([[sharedArn, sharedBucket], dedicated, l]) => [
        { bucketArn: sharedArn, bucketName: sharedBucket },
        ...(anyAccessPoint
          ? [{ bucketArn: sharedArn, bucketName: sharedBucket, accessPointArn: `${accessPointArn(l, l.accessPointPrefix)}*` }]
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
        this.shared.bucketName,
        pulumi.all(this.accessPoints.map((a) => pulumi.all([a.tenant, a.arn, a.alias]))),
        pulumi.all(this.dedicated.map((d) => pulumi.all([d.tenant, d.bucket.bucketName]))),
      ])
      .apply(([sharedBucket, aps, buckets]) => {
        const routes: Record<string, TenantRoute> = {};
        for (const [tenant, accessPointArn, accessPointAlias] of aps) {
          routes[tenant] = { tier: "accessPoint", bucket: sharedBucket, accessPointArn, accessPointAlias };
        }
        for (const [tenant, bucket] of buckets) {
          routes[tenant] = { tier: "bucket", bucket };
        }
        return routes;
      });
  }
}
