import { RESERVATIONS_DIR, RESERVED_SEGMENTS } from "@mobile-s3/contract";
import { createHash, randomBytes } from "node:crypto";
import { conflict, forbidden } from "../shared/errors";
import { type Home } from "../shared/keys";
import { type ObjectStore, type OpenUpload, type VersionInfo } from "../shared/store";

/**
 * What a user's home costs and has been promised, and the one check that keeps it under the quota.
 *
 * Quota counts what was promised, not only what exists: every version stored under the home
 * (noncurrent ones too: S3 bills them, ListObjectVersions lists them), every open multipart upload
 * at its declared size, and every signed single PUT until its URL expires or its object arrives.
 * The promises are recorded as zero-byte marker objects under `<home>/.mobile-s3/reservations/`
 * (a reserved segment no user path can name; the objects listing hides it), their facts in their
 * names, so one ListObjectsV2 reads them all:
 *
 *   p.<key digest>.<created ms>.<expires ms>.<bytes>.<nonce>     a signed single PUT
 *   m.<upload id digest>.<created ms>.<expires ms>.<bytes>.<nonce> a multipart upload (its declared size)
 *
 * Race-free without a lock: a request writes its own marker first, then counts everything, itself
 * included, and withdraws when the total is over. S3 lists what was written before the listing
 * began ("Amazon S3 data consistency model": strong read-after-write consistency, LIST included), so
 * of two concurrent reservations the one whose count runs last sees both: the accepted ones can never
 * add up to more than the quota (under contention both may be refused, and the client tries again).
 *
 * The object index (a later issue) replaces the markers with one conditional update of a usage
 * item; `reserve` and `usageOf` are the functions that move there.
 */


/** Multipart uploads one user may have open at once; past it, finish or abort one first. */
export const MAX_OPEN_UPLOADS = 10;

/**
 * A single PUT may still be running when its URL expires (S3 checks the expiry when the request
 * starts): its promise is kept this much longer.
 */
export const PUT_GRACE_MS = 5 * 60_000;

const MARKER = /^(p|m)\.([A-Za-z0-9_-]{22})\.(\d{1,15})\.(\d{1,15})\.(\d{1,16})\.([A-Za-z0-9_-]{1,32})$/;

export interface Reservation {
  kind: "put" | "multipart";
  /** Digest of the key (put) or of the upload id (multipart) the promise is for. */
  ref: string;
  createdAt: number;
  expiresAt: number;
  bytes: number;
  /** The marker's key. */
  key: string;
}

export interface Usage {
  /** Every version under the home, current and noncurrent. */
  storedBytes: number;
  /** Promised and not yet stored: signed PUTs, and open multipart uploads at their declared size. */
  reservedBytes: number;
  /** Multipart uploads in progress under the home. */
  openUploads: number;
}

/** A short, fixed-length name for a key or an upload id, safe in a key segment. */
export const digest = (text: string) => createHash("sha256").update(text, "utf8").digest("base64url").slice(0, 22);

const markerDir = (home: Home) => `${home.prefix}${RESERVATIONS_DIR}`;
const inReservedSegment = (home: Home, key: string) =>
  key
    .slice(home.prefix.length)
    .split("/")
    .some((segment) => RESERVED_SEGMENTS.includes(segment.toLowerCase()));

export function parseMarker(key: string, home: Home): Reservation | undefined {
  const match = MARKER.exec(key.slice(markerDir(home).length));
  if (!key.startsWith(markerDir(home)) || match === null) {
    return undefined;
  }
  return { kind: match[1] === "p" ? "put" : "multipart", ref: match[2], createdAt: Number(match[3]), expiresAt: Number(match[4]), bytes: Number(match[5]), key };
}

function markerKey(home: Home, r: Omit<Reservation, "key">): string {
  const nonce = randomBytes(9).toString("base64url");
  return `${markerDir(home)}${r.kind === "put" ? "p" : "m"}.${r.ref}.${r.createdAt}.${r.expiresAt}.${r.bytes}.${nonce}`;
}

async function listMarkers(store: ObjectStore, bucket: string, home: Home, within = ""): Promise<Reservation[]> {
  const markers: Reservation[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ bucket, prefix: `${markerDir(home)}${within}`, cursor, limit: 1000 });
    for (const object of page.objects) {
      const marker = parseMarker(object.key, home);
      if (marker !== undefined) {
        markers.push(marker);
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return markers;
}

/** The promise recorded for multipart upload `uploadId` in this home, if the API started it. */
export async function multipartReservation(store: ObjectStore, bucket: string, home: Home, uploadId: string): Promise<Reservation | undefined> {
  const [marker] = await listMarkers(store, bucket, home, `m.${digest(uploadId)}.`);
  return marker;
}

/** Clock difference tolerated between the function and S3 (whose LastModified is to the second). */
const CLOCK_SLACK_MS = 2000;

/**
 * The single-PUT promises whose object has arrived: each is matched to a version of its key, of
 * its size, written since it was made, and each version to one promise at most (oldest promises
 * first). So a version that arrived before a promise cannot keep it as well, however fast the
 * next one is asked for: ten URLs signed in the same second after an upload are ten promises.
 * Kept promises stay recorded (and keep their version claimed) until their URL has expired.
 */
function keptPromises(markers: Reservation[], versions: VersionInfo[]): Set<Reservation> {
  const byRef = new Map<string, VersionInfo[]>();
  for (const v of [...versions].sort((a, b) => Date.parse(a.lastModified) - Date.parse(b.lastModified))) {
    const ref = digest(v.key);
    byRef.set(ref, [...(byRef.get(ref) ?? []), v]);
  }
  const kept = new Set<Reservation>();
  const claimed = new Set<VersionInfo>();
  for (const marker of [...markers].filter((m) => m.kind === "put").sort((a, b) => a.createdAt - b.createdAt)) {
    const match = (byRef.get(marker.ref) ?? []).find(
      (v) => !claimed.has(v) && v.size === marker.bytes && Date.parse(v.lastModified) >= marker.createdAt - CLOCK_SLACK_MS,
    );
    if (match !== undefined) {
      claimed.add(match);
      kept.add(marker);
    }
  }
  return kept;
}

/**
 * Counts the home, in the order that makes the count safe: markers first, then the uploads in
 * progress, then the versions. A multipart upload completing meanwhile has its marker listed (and
 * its upload not, so it is not counted) and then its object listed: it is counted once, as stored.
 * Markers no longer promising anything (expired URLs, finished uploads) are deleted on the way (best effort).
 */
export async function usageOf(store: ObjectStore, bucket: string, home: Home, now: number): Promise<Usage> {
  const markers = await listMarkers(store, bucket, home);
  const uploads = (await store.listMultipartUploads({ bucket, prefix: home.prefix })).filter((u) => !inReservedSegment(home, u.key));
  const versions = (await store.listVersions({ bucket, prefix: home.prefix })).filter((v) => !inReservedSegment(home, v.key));

  const open = new Map(uploads.map((u) => [digest(u.uploadId), u]));
  const marked = new Set<string>();
  const spent: Reservation[] = [];
  const live = markers.filter((m) => m.kind === "multipart" || m.expiresAt + PUT_GRACE_MS > now);
  const kept = keptPromises(live, versions);
  let reservedBytes = 0;
  for (const marker of markers) {
    if (marker.kind === "multipart") {
      marked.add(marker.ref);
      if (open.has(marker.ref)) {
        reservedBytes += marker.bytes;
      } else {
        spent.push(marker);
      }
    } else if (!live.includes(marker)) {
      spent.push(marker);
    } else if (!kept.has(marker)) {
      reservedBytes += marker.bytes;
    }
  }
  // Uploads the API did not start (the direct path): what their parts hold so far.
  reservedBytes += await unmarkedPartBytes(store, bucket, [...open].filter(([ref]) => !marked.has(ref)).map(([, u]) => u));
  await Promise.allSettled(spent.map((m) => store.delete({ bucket, key: m.key })));
  return { storedBytes: versions.reduce((sum, v) => sum + v.size, 0), reservedBytes, openUploads: uploads.length };
}

async function unmarkedPartBytes(store: ObjectStore, bucket: string, uploads: OpenUpload[]): Promise<number> {
  let bytes = 0;
  for (const upload of uploads) {
    const parts = await store.listParts({ bucket, key: upload.key, uploadId: upload.uploadId }).catch(() => []);
    bytes += parts.reduce((sum, p) => sum + p.size, 0);
  }
  return bytes;
}

export interface ReservationRequest {
  kind: Reservation["kind"];
  /** The key (put) or upload id (multipart) the promise is for. */
  for: string;
  bytes: number;
  /** When the promise lapses: the URL's expiry, or the day the bucket's lifecycle aborts the upload. */
  expiresAt: number;
  /** Bytes the home may hold; undefined: no quota (the marker is still written, as the upload's record). */
  quota?: number;
  /** Refuse when this many multipart uploads are already open (multipart only). */
  maxOpenUploads?: number;
}

/**
 * Records a promise of `bytes` in the home and keeps it only if the home stays within its quota
 * and its open-upload cap; otherwise withdraws it and throws the 403 (quota) or 409 (open uploads) to answer.
 */
export async function reserve(store: ObjectStore, bucket: string, home: Home, ask: ReservationRequest, now: number): Promise<Reservation> {
  const fields = { kind: ask.kind, ref: digest(ask.for), createdAt: now, expiresAt: ask.expiresAt, bytes: ask.bytes };
  const key = markerKey(home, fields);
  await store.put({ bucket, key, body: new Uint8Array(0), contentType: "application/octet-stream" });
  const marker: Reservation = { ...fields, key };
  let usage: Usage;
  try {
    usage = await usageOf(store, bucket, home, now);
  } catch (err) {
    await release(store, bucket, marker);
    throw err;
  }
  const total = usage.storedBytes + usage.reservedBytes;
  if (ask.quota !== undefined && total > ask.quota) {
    await release(store, bucket, marker);
    const others = total - ask.bytes;
    throw forbidden(
      "QuotaExceeded",
      `This upload of ${ask.bytes} bytes would bring your storage to ${others + ask.bytes} bytes, over your quota of ${ask.quota}: ` +
        `${usage.storedBytes} bytes are stored (older versions of replaced and deleted files count until the bucket's lifecycle removes them) ` +
        `and ${others - usage.storedBytes} are promised to uploads in progress. Delete files or finish or abort uploads to make room.`,
    );
  }
  if (ask.maxOpenUploads !== undefined && usage.openUploads >= ask.maxOpenUploads) {
    await release(store, bucket, marker);
    throw conflict(
      "TooManyOpenUploads",
      `You have ${usage.openUploads} multipart uploads in progress, the most allowed at once; complete or abort one (DELETE /v1/uploads/{uploadId}) first.`,
    );
  }
  return marker;
}

/** Withdraws a promise (refused, completed, aborted); a marker already gone is no error. */
export async function release(store: ObjectStore, bucket: string, marker: Reservation): Promise<void> {
  await store.delete({ bucket, key: marker.key });
}

/** Records a promise without checking it (it replaces one already checked). */
export async function record(store: ObjectStore, bucket: string, home: Home, ask: Omit<ReservationRequest, "quota" | "maxOpenUploads">, now: number): Promise<Reservation> {
  const fields = { kind: ask.kind, ref: digest(ask.for), createdAt: now, expiresAt: ask.expiresAt, bytes: ask.bytes };
  const key = markerKey(home, fields);
  await store.put({ bucket, key, body: new Uint8Array(0), contentType: "application/octet-stream" });
  return { ...fields, key };
}
