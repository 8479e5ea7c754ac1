import { bucketFor, type ObjectPage, type OBJECTS_ROUTES, RESERVED_SEGMENTS, ScanStatus, scanStatusFromTags, type ScanVocabulary, type SignedUrl, type StoredObject } from "@mobile-s3/contract";
import { createHash } from "node:crypto";
import { type ApiResponse, type AuthenticatedRequest, type HttpContext } from "../shared/api";
import { badRequest, conflict, forbidden, notFound } from "../shared/errors";
import { type Home, homeOf, relativePath, userKey, userPrefix } from "../shared/keys";
import { type ObjectInfo, type ObjectStore } from "../shared/store";
import { type ObjectsConfig } from "./config";

// The core: listing, presigned reads and deletes of the caller's objects (docs/API.md).

/** Page size of a listing when the caller names none, and the most one page may hold (S3's own cap). */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;
/** Tag reads in flight at once while a page is listed. */
export const TAG_READ_CONCURRENCY = 16;
/** A cursor longer than this was not made here. */
const MAX_CURSOR_CHARS = 4096;

/** One entry of a listing (docs/API.md). */
export type ListedObject = StoredObject;

export interface ObjectsDeps {
  store: ObjectStore;
}

export type ObjectsContext = HttpContext<ObjectsConfig, ObjectsDeps>;

/** The objects core: one of OBJECTS_ROUTES from a verified caller (the runtime has checked both). */
export function handleObjectsRequest(request: AuthenticatedRequest, { config, deps: { store } }: ObjectsContext): Promise<ApiResponse<ObjectPage | SignedUrl>> {
  const home = homeOf(request.caller, config.tenantClaim);
  const target = { home, bucket: bucketFor(config.tenantRouting, home.tenant), scan: config.scan };
  switch (request.routeKey as (typeof OBJECTS_ROUTES)[number]) {
    case "GET /v1/objects":
      return listObjects(target, request.query, store);
    case "GET /v1/objects/url":
      return downloadUrl(target, request.query, store, config.presignTtlSeconds);
    case "DELETE /v1/objects":
      return deleteObject(target, request.query, store);
  }
}

interface Target {
  home: Home;
  bucket: string;
  scan: ScanVocabulary;
}

async function listObjects({ home, bucket, scan }: Target, query: Readonly<Record<string, string>>, store: ObjectStore): Promise<ApiResponse<ObjectPage>> {
  const prefix = userPrefix(home, query.prefix);
  const limit = parseLimit(query.limit);
  const cursor = query.cursor === undefined || query.cursor === "" ? undefined : decodeCursor(query.cursor, prefix);
  let page: { objects: ObjectInfo[]; nextCursor?: string };
  try {
    page = await store.list({ bucket, prefix, limit, ...(cursor === undefined ? {} : { cursor }) });
  } catch (err) {
    // S3 answers 400 to a continuation token it did not issue; only a cursor can cause that here.
    if (cursor !== undefined && httpStatusOf(err) === 400) {
      throw invalidCursor();
    }
    throw err;
  }
  const visible = page.objects.filter((o) => isVisible(home, o.key));
  const statuses = await mapLimit(visible, TAG_READ_CONCURRENCY, (o) => scanStatusOf(store, bucket, o.key, scan, o.etag));
  const objects: ListedObject[] = [];
  visible.forEach((o, i) => {
    const scanStatus = statuses[i];
    // Deleted between the listing and its tag read: it is gone, so it is not listed.
    if (scanStatus !== undefined) {
      objects.push({ path: relativePath(home, o.key), size: o.size, etag: o.etag, lastModified: o.lastModified, scanStatus });
    }
  });
  return {
    status: 200,
    body: { objects, ...(page.nextCursor === undefined ? {} : { nextCursor: encodeCursor(page.nextCursor, prefix) }) },
  };
}

async function downloadUrl(
  { home, bucket, scan }: Target,
  query: Readonly<Record<string, string>>,
  store: ObjectStore,
  expiresIn: number,
): Promise<ApiResponse<SignedUrl>> {
  const key = userKey(home, query.path);
  // The tag read answers 404 for a missing object, so it doubles as the existence check.
  const tags = await tagsOf(store, bucket, key);
  if (tags === undefined) {
    throw notFound("ObjectNotFound", `There is no object at ${query.path} in your home.`);
  }
  const status = scanStatusFromTags(tags, scan);
  if (status === ScanStatus.infected) {
    throw forbidden("Infected", `${query.path} failed its malware scan and is never served; delete it and upload a clean copy.`);
  }
  if (status === ScanStatus.unscannable) {
    throw forbidden("Unscannable", `${query.path} could not be scanned for malware (too large, or a format the scanner cannot read) and is never served.`);
  }
  if (status !== ScanStatus.clean) {
    throw notScanned(query.path);
  }
  // Tagged clean, so this role may read it (HeadObject is authorised as GetObject).
  const object = await store.head({ bucket, key });
  if (object === undefined) {
    throw notFound("ObjectNotFound", `There is no object at ${query.path} in your home.`);
  }
  // The verdict must be for this version: a clean tag left for another ETag is not one.
  if (scanStatusFromTags(tags, scan, object.etag) !== ScanStatus.clean) {
    throw notScanned(query.path);
  }
  // GuardDuty scans the bytes as stored; a browser would decode a Content-Encoding first (ClamAV,
  // functions/scan/content-encoding.ts, scans the decoded bytes). Served only when both are the same.
  if (scan.scanner === "guardduty" && hasContentEncoding(object.contentEncoding)) {
    throw forbidden("Unscannable", `${query.path} was stored with Content-Encoding ${object.contentEncoding}, which the scan did not see through; it is never served.`);
  }
  // S3 still checks the tag when the URL is used (bucket policy on s3:ExistingObjectTag), so a
  // change of status after this point is honoured too. The answer's type and disposition are
  // pinned, whatever headers the object was stored with.
  const signed = await store.presignGet({ bucket, key, expiresIn, response: servedAs(key, object.contentType) });
  return { status: 200, body: { url: signed.url, expiresAt: signed.expiresAt } };
}

const notScanned = (path: string | undefined) => conflict("NotScanned", `${path} has not been scanned yet; try again in a few seconds.`);

const hasContentEncoding = (value: string | undefined) =>
  value !== undefined && value.split(",").some((c) => !["", "identity"].includes(c.trim().toLowerCase()));

/** Types a browser shows as media, never runs as a document (SVG can hold script, so it is not one). */
const PASSIVE_TYPE = /^(?:image\/(?!svg)[a-z0-9.+-]+|video\/[a-z0-9.+-]+|audio\/[a-z0-9.+-]+|application\/pdf)$/;

/**
 * How a presigned GET makes S3 answer, whatever was stored with the object (a direct-path upload
 * may carry any Content-Type or Content-Disposition): a passive media type as stored, anything
 * else as `application/octet-stream`, and always as an attachment named after the key, so a page
 * can never be made to render an upload as HTML.
 */
export function servedAs(key: string, storedType: string | undefined): { contentType: string; contentDisposition: string } {
  const type = (storedType ?? "").split(";")[0].trim().toLowerCase();
  const name = key.slice(key.lastIndexOf("/") + 1);
  const ascii = name.replace(/[^\x20-\x7E]|["\\%]/g, "_");
  return {
    contentType: PASSIVE_TYPE.test(type) ? type : "application/octet-stream",
    contentDisposition: `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
  };
}

/**
 * Deleting is idempotent: an object that is already gone answers 204 like one deleted now, so a
 * client retrying after a lost response never sees an error (S3's DeleteObject behaves the same).
 */
async function deleteObject({ home, bucket }: Target, query: Readonly<Record<string, string>>, store: ObjectStore): Promise<ApiResponse<never>> {
  await store.delete({ bucket, key: userKey(home, query.path) });
  return { status: 204 };
}

/** `limit`: absent means DEFAULT_LIST_LIMIT; more than MAX_LIST_LIMIT is served as MAX_LIST_LIMIT. */
export function parseLimit(text: string | undefined): number {
  if (text === undefined || text === "") {
    return DEFAULT_LIST_LIMIT;
  }
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) {
    throw badRequest("InvalidLimit", `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}.`);
  }
  return Math.min(Number(text), MAX_LIST_LIMIT);
}

/*
 * A cursor wraps S3's continuation token (on some engines the last key itself) so callers see
 * nothing of it, and binds it to the listing it came from: the caller's home and prefix. A cursor
 * from another listing or another user is refused rather than silently restarting a listing.
 */
interface CursorBody {
  v: 1;
  /** Digest of the full S3 prefix the token belongs to. */
  p: string;
  t: string;
}

const prefixDigest = (prefix: string) => createHash("sha256").update(prefix, "utf8").digest("base64url").slice(0, 22);

export function encodeCursor(token: string, prefix: string): string {
  const body: CursorBody = { v: 1, p: prefixDigest(prefix), t: token };
  return Buffer.from(JSON.stringify(body), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string, prefix: string): string {
  if (cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalidCursor();
  }
  let body: Partial<CursorBody>;
  try {
    body = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Partial<CursorBody>;
  } catch {
    throw invalidCursor();
  }
  if (body === null || typeof body !== "object" || body.v !== 1 || typeof body.t !== "string" || body.t === "" || body.p !== prefixDigest(prefix)) {
    throw invalidCursor();
  }
  return body.t;
}

const invalidCursor = () =>
  badRequest("InvalidCursor", "cursor must be a nextCursor this API returned for the same prefix; list again without it to start over.");

/** Keys under a reserved segment belong to the control plane, not to the user's listing. */
function isVisible(home: Home, key: string): boolean {
  return !relativePath(home, key)
    .split("/")
    .some((segment) => RESERVED_SEGMENTS.includes(segment.toLowerCase()));
}

/** The object's scan status from its tag (absent or unknown: pending), or undefined if it no longer exists. */
async function scanStatusOf(store: ObjectStore, bucket: string, key: string, scan: ScanVocabulary, etag?: string): Promise<ScanStatus | undefined> {
  const tags = await tagsOf(store, bucket, key);
  return tags === undefined ? undefined : scanStatusFromTags(tags, scan, etag);
}

/** The object's tags, or undefined if it no longer exists. */
async function tagsOf(store: ObjectStore, bucket: string, key: string): Promise<Record<string, string> | undefined> {
  try {
    return await store.getTags({ bucket, key });
  } catch (err) {
    if (httpStatusOf(err) === 404) {
      return undefined;
    }
    throw err;
  }
}

/** The HTTP status S3 answered with, when the port passes its error through. */
function httpStatusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** Like `Promise.all(items.map(fn))`, with at most `limit` calls in flight. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
