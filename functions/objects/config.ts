import { type Env, ENV, LIMIT_BOUNDS, requireInteger } from "@mobile-s3/contract";
import { type ObjectScope, readIndexTable, readObjectScope, readUserQuota } from "../shared/settings";

export interface ObjectsConfig extends ObjectScope {
  /** How long a download URL lives (Short lifetimes). */
  presignTtlSeconds: number;
  /** The object index's table (INDEX_TABLE): listings, records, usage. */
  table: string;
  /** Bytes one home may keep (USER_QUOTA_BYTES): copies are reserved against it; undefined: no quota. */
  userQuotaBytes?: number;
}

export function loadObjectsConfig(env: Env): ObjectsConfig {
  const quota = readUserQuota(env);
  return {
    ...readObjectScope(env),
    presignTtlSeconds: requireInteger(env, ENV.presignTtlSeconds, LIMIT_BOUNDS.presignTtlSeconds),
    table: readIndexTable(env),
    ...(quota === undefined ? {} : { userQuotaBytes: quota }),
  };
}
