import { GUARDDUTY_SCAN_RESULT, GUARDDUTY_VOCABULARY } from "@mobile-s3/contract";
import { randomUUID } from "node:crypto";
import { parseObjectCreated, type ScanOutcome } from "../functions/scan/core";
import { type Scanner } from "../functions/scan/scanner";
import { type ObjectStore } from "../functions/shared/store";

export interface LocalGuardDutyOptions {
  store: ObjectStore;
  /** What actually looks at the bytes: ClamAV in the sandbox. */
  scanner: Scanner;
  /** The scan function's handler, as EventBridge invokes it with GuardDuty's scan results. */
  scanResults: (event: unknown) => Promise<ScanOutcome>;
  region: string;
  accountId: string;
  /** Objects larger than this are tagged `UNSUPPORTED`, as GuardDuty does past its size limit. */
  maxBytes: number;
}

/** GuardDuty's scan-result event for one object ("Monitoring S3 object scans with Amazon EventBridge"). */
export function scanResultEvent(input: {
  bucket: string;
  key: string;
  etag: string;
  versionId?: string;
  result: string;
  threat?: string;
  region: string;
  accountId: string;
}): Record<string, unknown> {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": GUARDDUTY_SCAN_RESULT.detailType,
    source: GUARDDUTY_SCAN_RESULT.source,
    account: input.accountId,
    time: new Date().toISOString(),
    region: input.region,
    resources: [],
    detail: {
      schemaVersion: "1.0",
      scanStatus: "COMPLETED",
      resourceType: "S3_OBJECT",
      s3ObjectDetails: {
        bucketName: input.bucket,
        objectKey: input.key,
        eTag: input.etag,
        ...(input.versionId === undefined ? {} : { versionId: input.versionId }),
        s3Throttled: false,
      },
      scanResultDetails: {
        scanResultStatus: input.result,
        threats: input.threat === undefined ? null : [{ name: input.threat }],
      },
    },
  };
}

/**
 * Stands in for GuardDuty Malware Protection for S3, which the sandbox cannot run: for each new
 * object under `tenants/` it scans with ClamAV, writes GuardDuty's own tag and value
 * (`GuardDutyMalwareScanStatus` = `NO_THREATS_FOUND`, `THREATS_FOUND`, `UNSUPPORTED` or `FAILED`),
 * then sends GuardDuty's scan-result event to the stack's scan function, which quarantines what was
 * found infected. So the read gates and the quarantine run unchanged, keyed on GuardDuty's vocabulary.
 */
export function localGuardDuty(opts: LocalGuardDutyOptions): (objectCreated: unknown) => Promise<ScanOutcome> {
  const vocabulary = GUARDDUTY_VOCABULARY;
  return async (objectCreated) => {
    const parsed = parseObjectCreated(objectCreated);
    if ("invalid" in parsed) {
      return { action: "ignored", reason: parsed.invalid };
    }
    const { bucket, key } = parsed;
    const info = await opts.store.head({ bucket, key });
    if (info === undefined) {
      return { action: "skipped", object: parsed, reason: "the object no longer exists" };
    }
    let result: string;
    let threat: string | undefined;
    if (info.size > opts.maxBytes) {
      result = "UNSUPPORTED";
    } else {
      try {
        const verdict = await opts.scanner.scan({ bytes: await opts.store.get({ bucket, key }) });
        result = verdict.verdict === "infected" ? vocabulary.infected : vocabulary.clean;
        threat = verdict.signature;
      } catch {
        result = "FAILED";
      }
    }
    const tags = await opts.store.getTags({ bucket, key });
    await opts.store.putTags({ bucket, key, tags: { ...tags, [vocabulary.tagKey]: result } });
    const etag = info.etag.replace(/"/g, "");
    return opts.scanResults(scanResultEvent({ bucket, key, etag, result, ...(threat === undefined ? {} : { threat }), region: opts.region, accountId: opts.accountId }));
  };
}
