import { ConfigurationError, ENV } from "./environment";

/** Where the functions find a tenant's objects; any tenant not listed is in the pooled bucket. */
export interface FunctionRouting {
  pooledBucket: string;
  /** ARN of tenant t's access point: this prefix followed by t. */
  accessPointArnPrefix: string;
  accessPointTenants: string[];
  /** Tenant → its dedicated bucket. */
  dedicatedBuckets: Record<string, string>;
}

/**
 * Where a tenant's objects live, as the S3 `Bucket` parameter: the pooled bucket's name, the
 * tenant's access point ARN, or its dedicated bucket's name (from TENANT_ROUTING).
 */
export function parseRouting(value: unknown): FunctionRouting {
  const r = value as Partial<FunctionRouting>;
  if (
    !r ||
    typeof r.pooledBucket !== "string" ||
    typeof r.accessPointArnPrefix !== "string" ||
    !Array.isArray(r.accessPointTenants) ||
    typeof r.dedicatedBuckets !== "object" ||
    r.dedicatedBuckets === null
  ) {
    throw new ConfigurationError(ENV.tenantRouting, "must hold pooledBucket, accessPointArnPrefix, accessPointTenants and dedicatedBuckets");
  }
  return r as FunctionRouting;
}

export function bucketFor(routing: FunctionRouting, tenant: string): string {
  if (routing.accessPointTenants.includes(tenant)) {
    return `${routing.accessPointArnPrefix}${tenant}`;
  }
  return routing.dedicatedBuckets[tenant] ?? routing.pooledBucket;
}
