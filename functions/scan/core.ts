import { CLAMAV_VOCABULARY, OBJECT_CREATED, QUARANTINE_PREFIX, RESERVED_SEGMENTS, type ScanVocabulary, TENANTS_ROOT } from "@mobile-s3/contract";
import { createHash } from "node:crypto";
import { type Logger } from "../shared/log";
import { type ObjectInfo, type ObjectStore } from "../shared/store";
import { type ScanConfig } from "./config";
import { decodeForScan } from "./content-encoding";
import { type Scanner } from "./scanner";


/** ClamAV's tag key and values (the vocabulary this scanner writes). */
const SCAN_STATUS_TAG = CLAMAV_VOCABULARY.tagKey;
const ScanStatus = {
  clean: CLAMAV_VOCABULARY.clean,
  infected: CLAMAV_VOCABULARY.infected,
  unscannable: CLAMAV_VOCABULARY.unscannable[0],
  pending: "pending",
} as const;

/**
 * Set with `scan-status=clean`: the ETag of the object the verdict is for. Readers take a clean tag
 * whose ETag is not the object's (one that landed on a newer upload, see `scanCreatedObject`) as pending.
 */
export const SCANNED_ETAG_TAG = CLAMAV_VOCABULARY.verdictEtagTag!;
/** Set on infected objects and their quarantine copy: what ClamAV found. */
export const SCAN_SIGNATURE_TAG = "scan-signature";

/**
 * Objects larger than this are not read into memory to be scanned: they stay `pending` (unreadable)
 * and an error is logged. Sized to the function's memory (SIZING.scan), which holds the object
 * and clamscan's signatures at once.
 */
export const DEFAULT_SCAN_MAX_BYTES = 256 * 1024 * 1024;

/** S3's limit; a quarantine key that would exceed it is named by a hash instead. */
const MAX_KEY_BYTES = 1024;

export interface ScanPorts {
  store: ObjectStore;
  /** ClamAV only; GuardDuty scans by itself. */
  scanner?: Scanner;
  log: Logger;
  /** @default DEFAULT_SCAN_MAX_BYTES */
  maxBytes?: number;
}

export interface CreatedObject {
  bucket: string;
  key: string;
  size?: number;
  versionId?: string;
}

export type ScanOutcome =
  /** Not an event for a user upload of this deployment; nothing was touched. */
  | { action: "ignored"; reason: string }
  /** Nothing left to do (already clean, gone, or replaced by a newer upload with its own event). */
  | { action: "skipped"; object: CreatedObject; reason: string }
  /** Could not be scanned and never will be as it is (too large): stays pending, unreadable. */
  | { action: "leftPending"; object: CreatedObject; reason: string }
  | { action: "tagged"; object: CreatedObject; status: string; reason?: string }
  | { action: "quarantined"; object: CreatedObject; quarantineKey: string; signature?: string };

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

/** Where an infected object is kept: `quarantine/<original key>`, out of every user's reach. */
export function quarantineKey(key: string): string {
  const plain = `${QUARANTINE_PREFIX}${key}`;
  if (Buffer.byteLength(plain, "utf8") <= MAX_KEY_BYTES) {
    return plain;
  }
  // Too long to prefix: the log line of the move records which key this was.
  return `${QUARANTINE_PREFIX}sha256/${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

/** S3 tag values allow letters, digits, spaces and `_ . : / = + - @`, up to 256 characters. */
function tagValue(text: string): string {
  return text.replace(/[^\p{L}\p{N} _.:/=+\-@]/gu, "_").slice(0, 256);
}

const bareEtag = (etag: string) => tagValue(etag.replace(/"/g, ""));

/**
 * Handles one event: events that are not for a user upload of this deployment are ignored rather
 * than failed, so EventBridge does not retry them; an object outside `tenants/` is never a user
 * upload (the quarantine copy, for one) and must not be scanned again. Everything else is scanned
 * (`scanCreatedObject`). Throws only when a retry can help.
 */
export async function handleObjectCreated(event: unknown, config: ScanConfig, ports: ScanPorts): Promise<ScanOutcome> {
  const { log } = ports;
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
  if (parsed.key.split("/").some((segment) => RESERVED_SEGMENTS.includes(segment.toLowerCase()))) {
    // The control plane's own records (upload reservations): never served to anyone, so never scanned.
    const reason = "key is in a reserved segment";
    log.info("event ignored", { reason, bucket: parsed.bucket });
    return { action: "ignored", reason };
  }
  const outcome = await scanCreatedObject(parsed, ports);
  logOutcome(log, parsed, outcome);
  return outcome;
}

export function logOutcome(log: Logger, parsed: CreatedObject, outcome: ScanOutcome): void {
  const fields = { bucket: parsed.bucket, key: parsed.key, size: parsed.size, versionId: parsed.versionId };
  switch (outcome.action) {
    case "tagged":
      if (outcome.reason === undefined) {
        log.info("object scanned clean", fields);
      } else {
        log.warn("object left unscannable and unreadable", { ...fields, reason: outcome.reason });
      }
      break;
    case "quarantined":
      log.warn("infected object quarantined", { ...fields, signature: outcome.signature, quarantineKey: outcome.quarantineKey });
      break;
    case "leftPending":
      log.error("object left unscanned and unreadable", { ...fields, reason: outcome.reason });
      break;
    case "skipped":
      log.info("event skipped", { ...fields, reason: outcome.reason });
      break;
  }
}

/** Checks an event is for a user upload in one of this deployment's buckets; the reason if not. */
export function outOfScope(object: CreatedObject, config: ScanConfig): string | undefined {
  if (!config.buckets.has(object.bucket)) {
    return "bucket is not one this deployment scans";
  }
  if (!object.key.startsWith(TENANTS_ROOT)) {
    return `key is outside ${TENANTS_ROOT}`;
  }
  return undefined;
}

/**
 * S3 event notifications form-encode keys ("my photo.jpg" arrives as "my+photo.jpg"); EventBridge
 * documents the raw key. Both are accepted: the key as given first, then its decoded form.
 */
function candidateKeys(key: string): string[] {
  let decoded: string | undefined;
  try {
    decoded = decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    decoded = undefined;
  }
  return decoded === undefined || decoded === key || !decoded.startsWith(TENANTS_ROOT) ? [key] : [key, decoded];
}

/**
 * Scans one new object and records the verdict on it, safe to repeat for the same event:
 *
 * - gone (deleted, or already quarantined) → skipped, without error;
 * - tagged infected → the quarantine is finished (a tag that can only make an object unreadable);
 * - otherwise read, decoded as its Content-Encoding says (what a browser would receive), scanned,
 *   and tagged `clean` (with the ETag scanned), `unscannable` (an encoding it cannot decode), or
 *   quarantined: tagged `infected` in place first, so it is unreadable even if a later step fails,
 *   then copied to `quarantine/<key>`, the copy tagged, and the original deleted.
 *
 * A clean tag already on the object is never a reason to skip: whoever could write tags (an unsigned
 * `x-amz-tagging` on an engine that accepts it, a role granted tagging by mistake) could write that
 * pair too, since for a single PUT the ETag is the MD5 of the bytes. Every event is scanned.
 *
 * If a newer upload replaces the object while it is being scanned, this verdict is not applied:
 * the newer upload has its own event. The ObjectStore port addresses the current version only, so
 * a tag can still land on an upload that arrives between the last check and the tagging; the
 * `scan-etag` tag makes that upload's own event scan it again rather than trust the tag.
 */
export async function scanCreatedObject(object: CreatedObject, ports: ScanPorts): Promise<ScanOutcome> {
  const { store, scanner } = ports;
  if (scanner === undefined) {
    throw new Error("scanCreatedObject needs a scanner port");
  }
  const { bucket } = object;
  const maxBytes = ports.maxBytes ?? DEFAULT_SCAN_MAX_BYTES;

  const located = await locate(object, store);
  if (located === undefined) {
    return { action: "skipped", object, reason: "the object no longer exists (deleted, or already quarantined)" };
  }
  const { key, info } = located;
  const found = { ...object, key };

  const tags = await store.getTags({ bucket, key });
  if (tags[SCAN_STATUS_TAG] === ScanStatus.infected) {
    // A previous delivery found it infected and stopped part-way through the quarantine.
    return quarantine(found, tags, tags[SCAN_SIGNATURE_TAG], store, CLAMAV_VOCABULARY);
  }
  if (info.size > maxBytes) {
    return { action: "leftPending", object: found, reason: `${info.size} bytes is over the scanner's limit of ${maxBytes}` };
  }

  let bytes: Uint8Array;
  try {
    bytes = await store.get({ bucket, key });
  } catch (err) {
    if ((await store.head({ bucket, key })) === undefined) {
      return { action: "skipped", object: found, reason: "the object was deleted before it could be read" };
    }
    throw err;
  }
  const decoded = decodeForScan(bytes, info.contentEncoding, maxBytes);
  if ("unscannable" in decoded) {
    return markUnscannable(found, tags, info.etag, decoded.unscannable, store);
  }
  const result = await scanner.scan({ bytes: decoded.bytes });

  const now = await store.head({ bucket, key });
  if (now === undefined) {
    return { action: "skipped", object: found, reason: "the object was deleted while it was scanned" };
  }
  if (now.etag !== info.etag) {
    return { action: "skipped", object: found, reason: "a newer upload replaced the object while it was scanned; its own event scans it" };
  }
  if (result.verdict === "infected") {
    return quarantine(found, tags, result.signature, store, CLAMAV_VOCABULARY);
  }

  await store.putTags({ bucket, key, tags: { ...tags, [SCAN_STATUS_TAG]: ScanStatus.clean, [SCANNED_ETAG_TAG]: bareEtag(info.etag) } });
  const after = await store.head({ bucket, key });
  if (after !== undefined && after.etag !== info.etag) {
    // The clean tag may have landed on a newer, unscanned upload: take it back (fail closed).
    await store.putTags({ bucket, key, tags: { [SCAN_STATUS_TAG]: ScanStatus.pending } });
    return { action: "skipped", object: found, reason: "a newer upload replaced the object while it was tagged; its own event scans it" };
  }
  return { action: "tagged", object: found, status: ScanStatus.clean };
}

/** Tags the object `unscannable` for this ETag: never readable, and reported as such. */
async function markUnscannable(object: CreatedObject, tags: Record<string, string>, etag: string, reason: string, store: ObjectStore): Promise<ScanOutcome> {
  const { bucket, key } = object;
  await store.putTags({ bucket, key, tags: { ...tags, [SCAN_STATUS_TAG]: ScanStatus.unscannable, [SCANNED_ETAG_TAG]: bareEtag(etag) } });
  return { action: "tagged", object, status: ScanStatus.unscannable, reason };
}

async function locate(object: CreatedObject, store: ObjectStore): Promise<{ key: string; info: ObjectInfo & { contentEncoding?: string } } | undefined> {
  for (const key of candidateKeys(object.key)) {
    const info = await store.head({ bucket: object.bucket, key });
    if (info !== undefined) {
      return { key, info };
    }
  }
  return undefined;
}

export async function quarantine(
  object: CreatedObject,
  tags: Record<string, string>,
  signature: string | undefined,
  store: ObjectStore,
  vocabulary: ScanVocabulary,
): Promise<ScanOutcome> {
  const { bucket, key } = object;
  const infected = {
    [vocabulary.tagKey]: vocabulary.infected,
    ...(signature === undefined ? {} : { [SCAN_SIGNATURE_TAG]: tagValue(signature) }),
  };
  const toKey = quarantineKey(key);
  // Unreadable first (reads need scan-status=clean), so a failure below leaves nothing to serve.
  if (tags[vocabulary.tagKey] !== vocabulary.infected) {
    await store.putTags({ bucket, key, tags: { ...tags, ...infected } });
  }
  await store.copy({ bucket, fromKey: key, toKey });
  // The copy carries the source's tags in S3, but the quarantine must not depend on a default.
  await store.putTags({ bucket, key: toKey, tags: infected });
  await store.delete({ bucket, key });
  return signature === undefined
    ? { action: "quarantined", object, quarantineKey: toKey }
    : { action: "quarantined", object, quarantineKey: toKey, signature };
}
