/** How a tenant's objects are stored and isolated (docs/ARCHITECTURE.md, "Tenancy tiers"). */
export type Tier = "pooled" | "accessPoint" | "bucket";
export const TIERS: readonly Tier[] = ["pooled", "accessPoint", "bucket"];

export interface Tenant {
  id: string;
  tier: Tier;
  /** Bucket tier only: the tenant's bucket gets its own KMS key instead of the stack's. */
  dedicatedKey: boolean;
}

/** Tenant ids become key prefixes, principal-tag values and parts of S3 names. */
export const TENANT_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/** A user-pool `sub` as the control plane accepts it (a UUID in Cognito). */
export const USER_SUB = /^[A-Za-z0-9-]{1,128}$/;
/** An identity pool's identity id, `<region>:<uuid>` (Cognito's own pattern, at most 55 characters). */
export const IDENTITY_ID = /^(?=.{1,55}$)[\w-]+:[0-9a-f-]+$/;
/** Cognito's name for the custom attribute that carries the tenant. */
export const DEFAULT_TENANT_CLAIM = "custom:tenant";

/**
 * Parses `tenants` config entries: `"<id>"`, `"<id>:<tier>"` or `"<id>:bucket+dedicatedKey"`.
 * Throws a plain message (the caller names the key) on a bad entry or a duplicate id.
 */
export function parseTenants(entries: unknown, defaultTier: Tier): Tenant[] {
  if (!Array.isArray(entries)) {
    throw new Error(`must be a list of "<id>[:<tier>]" strings, got ${JSON.stringify(entries)}`);
  }
  const seen = new Set<string>();
  return entries.map((entry) => {
    if (typeof entry !== "string") {
      throw new Error(`entries must be strings like "acme:accessPoint", got ${JSON.stringify(entry)}`);
    }
    const [id, spec, ...rest] = entry.split(":");
    const [tierName, option, ...more] = (spec ?? defaultTier).split("+");
    if (!TENANT_ID.test(id)) {
      throw new Error(`tenant id "${id}" must be 1-32 lowercase letters, digits or hyphens, not starting or ending with a hyphen`);
    }
    if (rest.length > 0 || more.length > 0 || !TIERS.includes(tierName as Tier)) {
      throw new Error(`"${entry}" must be "<id>", "<id>:<tier>" or "<id>:bucket+dedicatedKey" with tier one of ${TIERS.join(", ")}`);
    }
    if (option !== undefined && (option !== "dedicatedKey" || tierName !== "bucket")) {
      throw new Error(`"${entry}": only the bucket tier takes an option, "+dedicatedKey"`);
    }
    if (seen.has(id)) {
      throw new Error(`tenant "${id}" is listed twice`);
    }
    seen.add(id);
    return { id, tier: tierName as Tier, dedicatedKey: option === "dedicatedKey" };
  });
}
