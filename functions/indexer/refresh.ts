import { ancestorFolders, bareEtag, decodeMetadataValue, isVisible, OWNER_TAG, scanStatusFromTags, type ScanVocabulary } from "@mobile-s3/contract";
import { type Logger } from "../shared/log";
import { type HomeRef, type KeyState, type KeyVersion, type ObjectIndex, type PendingChange, type Reservation } from "../shared/object-index";
import { type HeadInfo, type ObjectStore, type VersionInfo } from "../shared/store";

/*
 * Bringing one key's items to what S3 holds now (docs/OBJECT-INDEX.md, "Kept true by events").
 *
 * An event only says "key K changed": the indexer re-reads K from S3 (its versions, and the current
 * one's metadata and tags) and writes the difference. So an event delivered twice, late, or after a
 * newer one changes nothing a second time: whatever order events arrive in, every key ends as S3
 * holds it after its last change, which is what applying the events in S3's `sequencer` order would
 * give. A lost event leaves one key stale until the next event for it or the reconciliation.
 *
 * The writes, each a single-item conditional write:
 *   1. the key item, if its revision is still the one read (else start again), with the change to
 *      the usage counters recorded in it as `pending`;
 *   2. the usage item takes the pending change in, once (it records the revision applied);
 *   3. the object item and the folder entries;
 *   4. `pending` is cleared.
 * A crash after 1 leaves `pending` for the next writer of the key to finish first.
 */

/** S3's LastModified is to the second, and clocks differ a little: a version this much older than a promise can still fulfil it. */
const CLOCK_SLACK_MS = 2000;
const ATTEMPTS = 8;
/** A claim on a pending change outlives any invocation that made it (Lambda runs at most 15 minutes). */
export const PENDING_LEASE_MS = 16 * 60_000;
const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random())));

export interface RefreshDeps {
  store: ObjectStore;
  index: ObjectIndex;
  scan: ScanVocabulary;
  log: Logger;
}

/** One object key, located: its home, the bucket parameter to reach it, the path in the home. */
export interface KeyRef {
  home: HomeRef;
  bucket: string;
  key: string;
  path: string;
}

export interface RefreshOptions {
  /** The event's sequencer: an event whose sequencer the key item already recorded is a duplicate. */
  sequencer?: string;
  /** The key's versions, already listed (the reconciliation lists a home at once). */
  versions?: VersionInfo[];
}

export interface RefreshResult {
  versionsAdded: number;
  versionsRemoved: number;
  object: "added" | "removed" | "updated" | "unchanged";
  /** Reservations the new versions fulfilled. */
  fulfilled: number;
  duplicate?: boolean;
}

const total = (versions: Record<string, KeyVersion>) => Object.values(versions).reduce((sum, v) => sum + v.size, 0);

/**
 * Takes a key's pending change into the usage item (once), dropping reservations released meanwhile,
 * then clears it; false when another writer holds the claim on it (it is finishing it).
 */
export async function finishPending(index: ObjectIndex, home: HomeRef, path: string, pending: PendingChange, now: number = Date.now()): Promise<boolean> {
  if (!(await index.claimPending(home, path, pending.rev, now, PENDING_LEASE_MS))) {
    return false;
  }
  let change = pending;
  for (let i = 0; i < ATTEMPTS; i++) {
    const outcome = await index.applyPending(home, path, change);
    if (outcome === "applied" || outcome === "already") {
      await index.clearPending(home, path, pending.rev);
      return true;
    }
    change = { ...change, consumes: change.consumes.filter((c) => !outcome.gone.includes(c.id)) };
  }
  throw new Error("the usage item kept refusing a key's change");
}

/**
 * The reservations new versions fulfil: a completed multipart upload of the same path and size, or a
 * signed single PUT (or a copy) of the same path and size promised before the version was written;
 * oldest promises first, each at most once.
 */
export function fulfilledBy(added: [string, KeyVersion][], reservations: Reservation[], path: string): Reservation[] {
  const pool = reservations.filter((r) => r.path === path).sort((a, b) => a.createdAt - b.createdAt);
  const taken = new Set<string>();
  const fulfilled: Reservation[] = [];
  for (const [versionId, v] of [...added].sort((a, b) => Date.parse(a[1].lastModified) - Date.parse(b[1].lastModified))) {
    const match =
      pool.find((r) => !taken.has(r.id) && r.kind === "multipart" && r.completed === true && r.versionId === versionId) ??
      pool.find((r) => !taken.has(r.id) && r.kind === "multipart" && r.completed === true && r.bytes === v.size && r.versionId === undefined) ??
      pool.find((r) => !taken.has(r.id) && r.kind === "put" && r.bytes === v.size && Date.parse(v.lastModified) >= r.createdAt - CLOCK_SLACK_MS);
    if (match !== undefined) {
      taken.add(match.id);
      fulfilled.push(match);
    }
  }
  return fulfilled;
}

async function tagsOf(store: ObjectStore, bucket: string, key: string): Promise<Record<string, string> | undefined> {
  try {
    return await store.getTags({ bucket, key });
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    if (status === 404) {
      return undefined;
    }
    throw err;
  }
}

/** Brings the key's items to what S3 holds now. */
export async function refreshKey(ref: KeyRef, deps: RefreshDeps, options: RefreshOptions = {}): Promise<RefreshResult> {
  const { index, store } = deps;
  const { home, path } = ref;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let state = await index.getKey(home, path);
    if (state?.pending !== undefined) {
      if (!(await finishPending(index, home, path, state.pending))) {
        // Another writer is taking this change in: read again once it is done.
        await pause(attempt);
        continue;
      }
      state = await index.getKey(home, path);
    }
    if (options.sequencer !== undefined && state?.lastSequencer === options.sequencer) {
      return { versionsAdded: 0, versionsRemoved: 0, object: "unchanged", fulfilled: 0, duplicate: true };
    }
    const listed = attempt === 0 && options.versions !== undefined ? options.versions : (await store.listVersions({ bucket: ref.bucket, prefix: ref.key })).filter((v) => v.key === ref.key);
    const latest = listed.find((v) => v.isLatest);
    let head: HeadInfo | undefined;
    let tags: Record<string, string> | undefined;
    if (latest !== undefined && isVisible(path)) {
      head = await store.head({ bucket: ref.bucket, key: ref.key });
      tags = head === undefined ? undefined : await tagsOf(store, ref.bucket, ref.key);
    }
    const present = head !== undefined && tags !== undefined;
    const versions: Record<string, KeyVersion> = Object.fromEntries(listed.map((v) => [v.versionId, { size: v.size, lastModified: v.lastModified }]));
    const before = state?.versions ?? {};
    // A version is new when its id is, or when an unversioned bucket's `null` version was overwritten.
    const same = (a: KeyVersion | undefined, b: KeyVersion) => a !== undefined && a.size === b.size && a.lastModified === b.lastModified;
    const added = Object.entries(versions).filter(([id, v]) => !same(before[id], v));
    const removed = Object.entries(before)
      .filter(([id, v]) => !same(versions[id], v))
      .map(([id]) => id);
    const wasPresent = state?.present === true;
    const rev = (state?.rev ?? 0) + 1;
    let current = state?.rev ?? 0;
    let fulfilled: Reservation[] = [];

    if (state === undefined ? listed.length > 0 : added.length > 0 || removed.length > 0 || present !== wasPresent) {
      if (added.length > 0) {
        fulfilled = fulfilledBy(added, (await index.usage(home)).reservations, path);
      }
      const storedBytes = total(versions) - total(before);
      const objects = (present ? 1 : 0) - (wasPresent ? 1 : 0);
      const pending: PendingChange | undefined =
        storedBytes !== 0 || objects !== 0 || fulfilled.length > 0 ? { rev, storedBytes, objects, consumes: fulfilled.map((r) => ({ id: r.id, bytes: r.bytes })) } : undefined;
      const next: KeyState = {
        path,
        rev,
        versions,
        present,
        ...(options.sequencer === undefined ? (state?.lastSequencer === undefined ? {} : { lastSequencer: state.lastSequencer }) : { lastSequencer: options.sequencer }),
        ...(pending === undefined ? {} : { pending }),
      };
      if (!(await index.putKey(home, next, state?.rev))) {
        await pause(attempt);
        continue;
      }
      if (pending !== undefined) {
        // Claimed by this writer first; if another claims it before, it finishes it.
        await finishPending(index, home, path, pending);
      }
      current = rev;
    }

    let object: RefreshResult["object"] = "unchanged";
    if (present) {
      const etag = bareEtag(head!.etag);
      const item = {
        path,
        size: head!.size,
        etag,
        lastModified: head!.lastModified,
        contentType: head!.contentType ?? "application/octet-stream",
        metadata: Object.fromEntries(Object.entries(head!.metadata).map(([k, v]) => [k.toLowerCase(), decodeMetadataValue(v)])),
        scanStatus: scanStatusFromTags(tags!, deps.scan, etag),
        ...(head!.versionId === undefined ? {} : { versionId: head!.versionId }),
        created: listed.reduce((min, v) => (v.lastModified < min ? v.lastModified : min), head!.lastModified),
        ...(tags![OWNER_TAG] === undefined ? {} : { owner: tags![OWNER_TAG] }),
        rev: current,
      };
      const previous = await index.getObject(home, path);
      await index.putObject(home, item);
      await index.touchFolders(home, ancestorFolders(path));
      object = previous === undefined ? "added" : sameObject(previous, item) ? "unchanged" : "updated";
    } else {
      const previous = await index.getObject(home, path);
      if (previous !== undefined) {
        await index.deleteObject(home, path, current);
        object = "removed";
      }
      await index.pruneFolders(home, ancestorFolders(path));
      if (listed.length === 0 && state !== undefined) {
        // Nothing of the key is stored any more: its accounting item goes too.
        await index.deleteKey(home, path, current);
      }
    }
    if (object !== "unchanged" || added.length > 0 || removed.length > 0) {
      deps.log.debug("key indexed", { versionsAdded: added.length, versionsRemoved: removed.length, object, fulfilled: fulfilled.length });
    }
    return { versionsAdded: added.length, versionsRemoved: removed.length, object, fulfilled: fulfilled.length };
  }
  throw new Error("the key kept changing while it was indexed");
}

function sameObject(a: { size: number; etag: string; lastModified: string; contentType: string; scanStatus: string; metadata: Record<string, string>; versionId?: string; owner?: string }, b: typeof a): boolean {
  return (
    a.size === b.size &&
    a.etag === b.etag &&
    a.lastModified === b.lastModified &&
    a.contentType === b.contentType &&
    a.scanStatus === b.scanStatus &&
    a.versionId === b.versionId &&
    a.owner === b.owner &&
    JSON.stringify(a.metadata) === JSON.stringify(b.metadata)
  );
}
