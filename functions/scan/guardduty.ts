import { GUARDDUTY_SCAN_RESULT, GUARDDUTY_VOCABULARY } from "@mobile-s3/contract";
import { type ScanConfig } from "./config";
import { type CreatedObject, logOutcome, outOfScope, quarantine, type ScanOutcome, type ScanPorts } from "./core";


/** What one scan-result event says about one object version. */
export interface ScanResult {
  object: CreatedObject;
  /** The object's ETag GuardDuty scanned, quotes removed. */
  etag?: string;
  /** `NO_THREATS_FOUND`, `THREATS_FOUND`, `UNSUPPORTED`, `ACCESS_DENIED` or `FAILED`. */
  result: string;
  /** The first threat's name, when GuardDuty found some. */
  threat?: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/** The object and verdict a GuardDuty scan-result event names, or why the event is not one. */
export function parseScanResult(event: unknown): ScanResult | { invalid: string } {
  const envelope = record(event);
  if (envelope?.source !== GUARDDUTY_SCAN_RESULT.source || envelope["detail-type"] !== GUARDDUTY_SCAN_RESULT.detailType) {
    return { invalid: "not a GuardDuty Malware Protection Object Scan Result event" };
  }
  const detail = record(envelope.detail);
  const s3 = record(detail?.s3ObjectDetails);
  const verdict = record(detail?.scanResultDetails);
  const bucket = text(s3?.bucketName);
  const key = text(s3?.objectKey);
  const result = text(verdict?.scanResultStatus);
  if (bucket === undefined || key === undefined || result === undefined) {
    return { invalid: "event names no bucket, key or scan result" };
  }
  const threats = Array.isArray(verdict?.threats) ? verdict.threats : [];
  const threat = text(record(threats[0])?.name);
  const versionId = text(s3?.versionId);
  const etag = text(s3?.eTag)?.replace(/"/g, "");
  return {
    object: { bucket, key, ...(versionId === undefined ? {} : { versionId }) },
    result,
    ...(etag === undefined ? {} : { etag }),
    ...(threat === undefined ? {} : { threat }),
  };
}

/**
 * With GuardDuty the verdict is already on the object (its tag): nothing is readable unless it says
 * `NO_THREATS_FOUND`. What is left to do is what the ClamAV path does for an infected upload: move
 * it to `quarantine/`, out of its owner's listing and reach, tagged infected. Only the version
 * GuardDuty scanned is moved: if a newer upload replaced it since (another ETag), the infected
 * version is already noncurrent, still tagged `THREATS_FOUND` and unreadable, and the newer upload
 * has its own scan. Other verdicts need nothing (clean objects are readable; unscannable ones stay
 * unreadable) and are ignored, so EventBridge does not retry them. Safe to repeat.
 */
export async function handleGuardDutyScanResult(event: unknown, config: ScanConfig, ports: ScanPorts): Promise<ScanOutcome> {
  const { log, store } = ports;
  const parsed = parseScanResult(event);
  if ("invalid" in parsed) {
    log.warn("event ignored", { reason: parsed.invalid });
    return { action: "ignored", reason: parsed.invalid };
  }
  const { object } = parsed;
  const scope = outOfScope(object, config);
  if (scope !== undefined) {
    log.warn("event ignored", { reason: scope, bucket: object.bucket });
    return { action: "ignored", reason: scope };
  }
  if (parsed.result !== GUARDDUTY_VOCABULARY.infected) {
    const reason = `scan result ${parsed.result} needs no action`;
    log.info("event ignored", { reason, bucket: object.bucket, key: object.key });
    return { action: "ignored", reason };
  }
  const outcome = await quarantineScanned(parsed, store);
  logOutcome(log, object, outcome);
  return outcome;
}

async function quarantineScanned(parsed: ScanResult, store: ScanPorts["store"]): Promise<ScanOutcome> {
  const { object } = parsed;
  const current = await store.head({ bucket: object.bucket, key: object.key });
  if (current === undefined) {
    return { action: "skipped", object, reason: "the object no longer exists (deleted, or already quarantined)" };
  }
  if (parsed.etag !== undefined && current.etag.replace(/"/g, "") !== parsed.etag) {
    return { action: "skipped", object, reason: "a newer upload replaced the infected version, which stays tagged THREATS_FOUND and unreadable" };
  }
  const tags = await store.getTags({ bucket: object.bucket, key: object.key });
  return quarantine(object, tags, parsed.threat, store, GUARDDUTY_VOCABULARY);
}
