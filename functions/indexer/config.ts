import { type Env, ENV, type FunctionRouting, parseRouting, requireJson, type ScanVocabulary } from "@mobile-s3/contract";
import { readIndexTable, readScanVocabulary, readUserQuota } from "../shared/settings";

/** The indexer's settings. */
export interface IndexerConfig {
  /** Where each tenant's objects live (TENANT_ROUTING): events from any other bucket are ignored. */
  routing: FunctionRouting;
  /** The object index's table (INDEX_TABLE). */
  table: string;
  /** Whose verdict tags the index reports as the scan status (SCANNER). */
  scan: ScanVocabulary;
  /** Bytes one home may keep (USER_QUOTA_BYTES); a home the direct path took past it is flagged. Undefined: no quota. */
  userQuotaBytes?: number;
}

export function loadIndexerConfig(env: Env): IndexerConfig {
  const quota = readUserQuota(env);
  return {
    routing: parseRouting(requireJson(env, ENV.tenantRouting)),
    table: readIndexTable(env),
    scan: readScanVocabulary(env),
    ...(quota === undefined ? {} : { userQuotaBytes: quota }),
  };
}
