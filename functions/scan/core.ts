import { TENANTS_ROOT } from "../../infra/tenancy/keys";
import { ScanStatus } from "../../infra/storage/scan-status";
import { type Env, ENV, requireStringList } from "../shared/environment";
import { type Logger } from "../shared/log";

/** The scanner receives S3 "Object Created" events through EventBridge. */
export const OBJECT_CREATED = { source: "aws.s3", detailType: "Object Created" } as const;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface ScanConfig {
  /** Buckets this deployment owns; events naming any other bucket are ignored. */
  buckets: ReadonlySet<string>;
}

export function loadScanConfig(env: Env): ScanConfig {
  return { buckets: new Set(requireStringList(env, ENV.scanBuckets, (name) => BUCKET_NAME.test(name))) };
}

export interface CreatedObject {
  bucket: string;
  key: string;
  size?: number;
  versionId?: string;
}

export type ScanOutcome =
  | { action: "ignored"; reason: string }
  /** The object was accepted for scanning; it stays `pending`, unreadable, until a scanner tags it. */
  | { action: "notScanned"; object: CreatedObject; status: typeof ScanStatus.pending };

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The object an EventBridge "Object Created" event names, or why the event is not one. */
export function parseObjectCreated(event: unknown): CreatedObject | { invalid: string } {
  const envelope = record(event);
  if (envelope?.source !== OBJECT_CREATED.source || envelope["detail-type"] !== OBJECT_CREATED.detailType) {
    return { invalid: "not an S3 Object Created event" };
  }
  const detail = record(envelope.detail);
  const bucket = record(detail?.bucket)?.name;
  const object = record(detail?.object);
  if (typeof bucket !== "string" || typeof object?.key !== "string" || object.key === "") {
    return { invalid: "event names no bucket or key" };
  }
  return {
    bucket,
    key: object.key,
    size: typeof object.size === "number" ? object.size : undefined,
    versionId: typeof object["version-id"] === "string" ? object["version-id"] : undefined,
  };
}

/**
 * Decides what to do with one event. Events for other buckets or outside `tenants/` are ignored
 * rather than failed, so EventBridge does not retry them; an object outside `tenants/` is never a
 * user upload (the quarantine copy, for one) and must not be scanned again.
 */
export function handleObjectCreated(event: unknown, config: ScanConfig, log: Logger): ScanOutcome {
  const parsed = parseObjectCreated(event);
  if ("invalid" in parsed) {
    log.warn("event ignored", { reason: parsed.invalid });
    return { action: "ignored", reason: parsed.invalid };
  }
  if (!config.buckets.has(parsed.bucket)) {
    const reason = "bucket is not one this deployment scans";
    log.warn("event ignored", { reason, bucket: parsed.bucket });
    return { action: "ignored", reason };
  }
  if (!parsed.key.startsWith(TENANTS_ROOT)) {
    const reason = `key is outside ${TENANTS_ROOT}`;
    log.info("event ignored", { reason, bucket: parsed.bucket });
    return { action: "ignored", reason };
  }
  log.warn("scanning is not implemented; the object stays pending", {
    bucket: parsed.bucket,
    key: parsed.key,
    size: parsed.size,
    versionId: parsed.versionId,
  });
  return { action: "notScanned", object: parsed, status: ScanStatus.pending };
}
