import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type StackConfig } from "../config";
import { Identity } from "../identity/identity";
import { AuditTrail } from "../observability/audit-trail";
import { stackResourceName } from "../naming";
import { TenantStorage, type TenantStorageArgs } from "../tenancy/tenant-storage";

/**
 * Everything an app needs to connect, and nothing secret: region, user pool and client, identity
 * pool, hosted-UI domain, API and CDN (full profile), and where each tenant's objects live.
 */
export interface AppConfig {
  region: string;
  profile: StackConfig["profile"];
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
  authDomain: string;
  homeKey: StackConfig["identity"]["homeKey"];
  tenantClaim: string;
  apiUrl?: string;
  cdnDomain?: string;
  storage: {
    /** Bucket of every tenant not listed in `tenants`. */
    pooledBucket: string;
    tenants: Record<string, { tier: string; bucket: string; accessPointArn?: string; accessPointAlias?: string }>;
  };
}

export interface ProgramOutputs {
  appConfig: pulumi.Output<AppConfig>;
  observability?: {
    trailArn?: pulumi.Output<string>;
    auditLogBucket?: pulumi.Output<string>;
    alarmTopicArn?: pulumi.Output<string>;
  };
  storage: {
    bucketName: pulumi.Output<string>;
    bucketArn: pulumi.Output<string>;
    kmsKeyArn: pulumi.Output<string>;
  };
  /** Full profile: the object index's table, for operators (the app never reads it). */
  objectIndex?: {
    tableName: pulumi.Output<string>;
    tableArn: pulumi.Output<string>;
    /** The indexer function's ARN: `npm run admin -- reindex` invokes it. */
    indexerFunction: pulumi.Output<string>;
  };
}

/** How a stack names and tags what it creates: `<app>-<env>-<purpose>`, and four tags on everything. */
export function stackNaming(config: StackConfig) {
  return {
    name: (purpose: string) => stackResourceName(config.app, config.environment, purpose),
    tags: { app: config.app, env: config.environment, owner: config.owner, "managed-by": "pulumi" },
  };
}

/** The users and their credentials, from the stack's identity settings. */
export function stackIdentity(config: StackConfig): Identity {
  const { name, tags } = stackNaming(config);
  const s = config.identity;
  return new Identity(name("identity"), {
    homeKey: s.homeKey,
    tenantClaim: s.tenantClaim,
    mfa: s.mfa,
    tokenMinutes: s.tokenMinutes,
    refreshTokenDays: s.refreshTokenDays,
    callbackUrls: s.callbackUrls,
    logoutUrls: s.logoutUrls,
    ...(s.email ? { email: s.email } : {}),
    ...(s.authDomainPrefix !== undefined ? { authDomainPrefix: s.authDomainPrefix } : {}),
    names: { app: config.app, environment: config.environment },
    protectUserPool: !config.forceDestroy,
    tags,
  });
}

/** What differs between the profiles' storage: who uses the keys, who reads, what listens. */
export type StorageWiring = Pick<TenantStorageArgs, "keyUserArns" | "readGate" | "cdnDistributionArn" | "malwareScannerRoleArn" | "eventBridge">;

/** Every tier's storage, named and hashed per stack as it always was. */
export function stackStorage(config: StackConfig, identity: Identity, wiring: StorageWiring): TenantStorage {
  const { name, tags } = stackNaming(config);
  return new TenantStorage(name("storage"), {
    namePrefix: `${config.app}-${config.environment}`,
    deploymentKey: `${pulumi.getProject()}/${pulumi.getStack()}`,
    tenants: config.tenants,
    homeKey: config.identity.homeKey,
    appRole: identity.authenticatedRole,
    ...(config.identity.revokeSessionsIssuedBefore === undefined ? {} : { sessionRevocation: { sessionsIssuedBefore: config.identity.revokeSessionsIssuedBefore } }),
    lifecycle: config.lifecycle,
    corsOrigins: config.corsOrigins,
    forceDestroy: config.forceDestroy,
    tags,
    ...wiring,
  });
}

/** The audit trail over every data bucket and access point, when the stack asks for one. */
export function stackAuditTrail(config: StackConfig, storage: TenantStorage): AuditTrail | undefined {
  const { name, tags } = stackNaming(config);
  return config.observability.auditTrail
    ? new AuditTrail(name("audit"), {
        dataBucketArns: [storage.pooled.bucketArn, ...storage.dedicated.map((d) => d.bucket.bucketArn)],
        accessPointArns: storage.accessPoints.map((a) => a.arn),
        lifecycle: config.lifecycle,
        forceDestroy: config.forceDestroy,
        tags,
      })
    : undefined;
}

/** The stack's outputs: the app's config, and where its observability, storage and (full profile) object index are. */
export function stackOutputs(
  config: StackConfig,
  built: {
    identity: Identity;
    storage: TenantStorage;
    trail?: AuditTrail;
    cdnDomain?: pulumi.Output<string>;
    apiUrl?: pulumi.Output<string>;
    alarmTopicArn?: pulumi.Output<string>;
    objectIndex?: { tableName: pulumi.Output<string>; tableArn: pulumi.Output<string>; indexerFunction: pulumi.Output<string> };
  },
): ProgramOutputs {
  const { identity, storage, trail } = built;
  const region = aws.getRegionOutput();
  const appConfig = pulumi
    .output({
      region: region.region,
      userPoolId: identity.userPool.id,
      userPoolClientId: identity.client.id,
      identityPoolId: identity.identityPool.id,
      authDomain: identity.authDomain,
      pooledBucket: storage.pooled.bucketName,
      tenants: storage.routing(),
      cdnDomain: built.cdnDomain,
      apiUrl: built.apiUrl,
    })
    .apply(
      (v): AppConfig => ({
        region: v.region,
        profile: config.profile,
        userPoolId: v.userPoolId,
        userPoolClientId: v.userPoolClientId,
        identityPoolId: v.identityPoolId,
        authDomain: v.authDomain,
        homeKey: config.identity.homeKey,
        tenantClaim: config.identity.tenantClaim,
        ...(v.apiUrl ? { apiUrl: v.apiUrl } : {}),
        ...(v.cdnDomain ? { cdnDomain: config.cdn.customDomain?.domainName ?? v.cdnDomain } : {}),
        storage: { pooledBucket: v.pooledBucket, tenants: v.tenants },
      }),
    );
  const alarmTopicArn = built.alarmTopicArn;
  return {
    appConfig,
    ...(trail || alarmTopicArn
      ? {
          observability: {
            ...(trail ? { trailArn: trail.trailArn, auditLogBucket: trail.logBucketName } : {}),
            ...(alarmTopicArn ? { alarmTopicArn } : {}),
          },
        }
      : {}),
    storage: { bucketName: storage.pooled.bucketName, bucketArn: storage.pooled.bucketArn, kmsKeyArn: storage.pooled.kmsKeyArn },
    ...(built.objectIndex ? { objectIndex: built.objectIndex } : {}),
  };
}
