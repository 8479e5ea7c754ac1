import { type Env, ENV, requireStringList, type ScanVocabulary } from "@mobile-s3/contract";
import { readScanVocabulary } from "../shared/settings";

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface ScanConfig {
  /** Buckets this deployment owns; events naming any other bucket are ignored. */
  buckets: ReadonlySet<string>;
  /**
   * The stack's scanner: with ClamAV this function scans "Object Created" events; with GuardDuty,
   * which scans and tags by itself, it quarantines what GuardDuty's scan results find infected.
   */
  scan: ScanVocabulary;
}

export function loadScanConfig(env: Env): ScanConfig {
  return {
    buckets: new Set(requireStringList(env, ENV.scanBuckets, (name) => BUCKET_NAME.test(name))),
    scan: readScanVocabulary(env),
  };
}
