import { type Env, ENV, isMediaType, LIMIT_BOUNDS, requireInteger, requireStringList } from "@mobile-s3/contract";
import { type ObjectScope, readIndexTable, readObjectScope, readUserQuota } from "../shared/settings";

/**
 * `scan` is the stack's scanner. ClamAV scans the body here and the object is written tagged clean;
 * GuardDuty scans what the proxy writes like any other upload, so the object is written untagged (pending).
 */
export interface ProxyConfig extends ObjectScope {
  /** The largest body the proxy takes (at most 4 MiB: it arrives base64-encoded in a 6 MB request). */
  proxyMaxBytes: number;
  allowedContentTypes: string[];
  /** The object index's table (INDEX_TABLE): the quota's reservations. */
  table: string;
  /** Bytes one home may keep (USER_QUOTA_BYTES); undefined: no quota. */
  userQuotaBytes?: number;
}

export function loadProxyConfig(env: Env): ProxyConfig {
  return {
    ...readObjectScope(env),
    proxyMaxBytes: requireInteger(env, ENV.proxyMaxBytes, LIMIT_BOUNDS.proxyMaxBytes),
    allowedContentTypes: requireStringList(env, ENV.allowedContentTypes, isMediaType),
    table: readIndexTable(env),
    ...(readUserQuota(env) === undefined ? {} : { userQuotaBytes: readUserQuota(env) }),
  };
}
