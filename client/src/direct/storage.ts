import { StorageArgumentError } from "../errors";

/** The stack output `appConfig.storage`: where each tenant's objects live. */
export interface DirectStorageConfig {
  /** Bucket of every tenant not listed in `tenants`. */
  pooledBucket: string;
  /** Tenants outside the pool: their tier and bucket, and for access-point tenants the access point. */
  tenants: Record<string, { tier: string; bucket: string; accessPointArn?: string; accessPointAlias?: string }>;
}

export type DirectTier = "pooled" | "accessPoint" | "bucket";

/**
 * What goes in S3's `Bucket` parameter for a tenant, per tier (infra/tenancy/tenant-storage.ts):
 * the pooled bucket; the tenant's access point (the app role's policy grants objects through
 * `…:accesspoint/<name>/object/…` only, and the pooled bucket denies access-point tenants any
 * other way in); or the tenant's dedicated bucket. The alias is preferred to the ARN: it is a
 * drop-in bucket name for every endpoint, path-style ones included, and in presigned URLs.
 */
export function storageTarget(storage: DirectStorageConfig, tenant: string): { tier: DirectTier; bucket: string } {
  const route = Object.prototype.hasOwnProperty.call(storage.tenants, tenant) ? storage.tenants[tenant] : undefined;
  if (route === undefined || route.tier === "pooled") {
    return { tier: "pooled", bucket: storage.pooledBucket };
  }
  if (route.tier === "accessPoint") {
    const accessPoint = route.accessPointAlias || route.accessPointArn;
    if (!accessPoint) {
      throw new StorageArgumentError(`createDirectClient: [storage.tenants.${tenant}] is an accessPoint tenant without accessPointAlias or accessPointArn`);
    }
    return { tier: "accessPoint", bucket: accessPoint };
  }
  if (route.tier === "bucket") {
    if (typeof route.bucket !== "string" || route.bucket === "") {
      throw new StorageArgumentError(`createDirectClient: [storage.tenants.${tenant}] is a bucket tenant without a bucket`);
    }
    return { tier: "bucket", bucket: route.bucket };
  }
  throw new StorageArgumentError(`createDirectClient: [storage.tenants.${tenant}.tier] must be pooled, accessPoint or bucket, got ${JSON.stringify(route.tier)}`);
}
