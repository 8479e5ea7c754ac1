import { bucketFor, GUARDDUTY_SCAN_RESULT, IDENTITY_ID, INDEXED_S3_EVENTS, TENANT_ID, TENANTS_ROOT, USER_SUB } from "@mobile-s3/contract";
import { type Logger } from "../shared/log";
import { type ObjectIndex } from "../shared/object-index";
import { type ObjectStore } from "../shared/store";
import { type IndexerConfig } from "./config";
import { drifted, type DriftReport, reconcile, type ReconcileScope } from "./reconcile";
import { type KeyRef, refreshKey, type RefreshResult } from "./refresh";

/*
 * The indexer's core: which event names which key, and which keys belong to a home the index keeps.
 * S3 sends EventBridge "Object Created", "Object Deleted", "Object Tags Added" and "Object Tags
 * Deleted" ("Amazon S3 Event Notifications: Using EventBridge"); a scan verdict arrives as tags
 * (both scanners tag), and GuardDuty's result event is taken too. The schedule's "Scheduled Event",
 * or `{"reconcile": {"tenant"?, "home"?}}` from `npm run admin -- reindex`, reconciles.
 */

/** The S3 event types the indexer takes (the program's rule matches exactly these). */
export { INDEXED_S3_EVENTS };

export interface IndexerDeps {
  store: ObjectStore;
  index: ObjectIndex;
  log: Logger;
  now: () => number;
}

export type IndexerOutcome =
  | { indexed: RefreshResult; path: string }
  | { reconciled: DriftReport }
  | { ignored: string };

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/** The bucket, key and sequencer an event names, or why it names none the indexer takes. */
export function parseObjectEvent(event: unknown): { bucket: string; key: string; sequencer?: string } | { invalid: string } {
  const envelope = record(event);
  const detail = record(envelope?.detail);
  if (envelope?.source === "aws.s3" && (INDEXED_S3_EVENTS as readonly unknown[]).includes(envelope["detail-type"])) {
    const bucket = text(record(detail?.bucket)?.name);
    const object = record(detail?.object);
    const key = text(object?.key);
    if (bucket === undefined || key === undefined) {
      return { invalid: "event names no bucket or key" };
    }
    const sequencer = text(object?.sequencer);
    return { bucket, key, ...(sequencer === undefined ? {} : { sequencer }) };
  }
  if (envelope?.source === GUARDDUTY_SCAN_RESULT.source && envelope["detail-type"] === GUARDDUTY_SCAN_RESULT.detailType) {
    const s3 = record(detail?.s3ObjectDetails);
    const bucket = text(s3?.bucketName);
    const key = text(s3?.objectKey);
    return bucket === undefined || key === undefined ? { invalid: "event names no bucket or key" } : { bucket, key };
  }
  return { invalid: "not an S3 object event, a GuardDuty scan result or a reconciliation" };
}

/** The reconciliation an event asks for: the schedule's event (everything), or `{reconcile: {...}}`. */
export function reconcileScopeOf(event: unknown): ReconcileScope | undefined {
  const envelope = record(event);
  if (envelope?.source === "aws.events" && envelope["detail-type"] === "Scheduled Event") {
    return {};
  }
  const ask = record(envelope?.reconcile);
  if (ask === undefined) {
    return undefined;
  }
  const tenant = text(ask.tenant);
  const home = text(ask.home);
  if ((tenant !== undefined && !TENANT_ID.test(tenant)) || (home !== undefined && !(USER_SUB.test(home) || IDENTITY_ID.test(home))) || (home !== undefined && tenant === undefined)) {
    throw new Error("reconcile takes {tenant?, home?}: a tenant id, and a home id only with its tenant");
  }
  return { ...(tenant === undefined ? {} : { tenant }), ...(home === undefined ? {} : { home }) };
}

/**
 * Where a key lives, if it is a key of a home and the event came from the bucket that tenant is
 * routed to (for access-point tenants, the pooled bucket behind the access point).
 */
export function locateKey(config: IndexerConfig, bucket: string, key: string): KeyRef | { ignored: string } {
  if (!key.startsWith(TENANTS_ROOT)) {
    return { ignored: `key is outside ${TENANTS_ROOT}` };
  }
  const [tenant, homeSegment, home, ...rest] = key.slice(TENANTS_ROOT.length).split("/");
  const path = rest.join("/");
  if (!TENANT_ID.test(tenant ?? "") || homeSegment !== "home" || !(USER_SUB.test(home ?? "") || IDENTITY_ID.test(home ?? "")) || path === "") {
    return { ignored: "key is not inside a home" };
  }
  const routed = bucketFor(config.routing, tenant);
  const eventBucket = config.routing.accessPointTenants.includes(tenant) ? config.routing.pooledBucket : routed;
  if (bucket !== eventBucket) {
    return { ignored: "the event's bucket is not where this tenant's objects live" };
  }
  return { home: { tenant, home }, bucket: routed, key, path };
}

export async function handleIndexerEvent(event: unknown, config: IndexerConfig, deps: IndexerDeps): Promise<IndexerOutcome> {
  const deps2 = { ...deps, scan: config.scan, routing: config.routing };
  const scope = reconcileScopeOf(event);
  if (scope !== undefined) {
    const report = await reconcile(scope, deps2);
    (drifted(report) ? deps.log.warn : deps.log.info)("reconciled", flatten(report));
    return { reconciled: report };
  }
  const parsed = parseObjectEvent(event);
  if ("invalid" in parsed) {
    deps.log.warn("event ignored", { reason: parsed.invalid });
    return { ignored: parsed.invalid };
  }
  const located = locateKey(config, parsed.bucket, parsed.key);
  if ("ignored" in located) {
    deps.log.info("event ignored", { reason: located.ignored });
    return { ignored: located.ignored };
  }
  const indexed = await refreshKey(located, deps2, parsed.sequencer === undefined ? {} : { sequencer: parsed.sequencer });
  if (config.userQuotaBytes !== undefined && indexed.versionsAdded > 0) {
    const usage = await deps.index.usage(located.home);
    if (usage.storedBytes > config.userQuotaBytes) {
      // Only the direct path can get here (the API reserves first): the home's reads stop until it is under quota again.
      deps.log.warn("home over quota", { tenant: located.home.tenant, storedBytes: usage.storedBytes, quotaBytes: config.userQuotaBytes });
    }
  }
  return { indexed, path: located.path };
}

function flatten(report: DriftReport): Record<string, number> {
  const { usageCorrected, ...rest } = report;
  return { ...rest, usageStoredBytes: usageCorrected.storedBytes, usageObjects: usageCorrected.objects, usageReservedBytes: usageCorrected.reservedBytes };
}
