import {
  bucketFor,
  type Copied,
  type DeletedFolder,
  INDEX_TABLE,
  type IndexedObject,
  type ListOrder,
  type ListSort,
  type ObjectListing,
  type ObjectRecord,
  type OBJECTS_ROUTES,
  ORDERS,
  OWNER_TAG,
  ScanStatus,
  scanStatusFromTags,
  type ScanVocabulary,
  type SignedUrl,
  SORTS,
  type Usage,
} from "@mobile-s3/contract";
import { createHash, randomBytes } from "node:crypto";
import { type ApiResponse, type AuthenticatedRequest, type HttpContext, jsonBody } from "../shared/api";
import { checkExtension } from "../shared/extension";
import { badRequest, conflict, forbidden, notFound } from "../shared/errors";
import { type Home, homeOf, relativePath, userKey, userPrefix } from "../shared/keys";
import { type HomeRef, isLapsed, type ObjectIndex, type ObjectItem } from "../shared/object-index";
import { type ObjectStore } from "../shared/store";
import { reserveOrRefuse } from "../shared/quota";
import { type ObjectsConfig } from "./config";

// The core: listings and records from the object index, presigned reads, deletes, copies and moves
// of the caller's objects, and the home's usage (docs/API.md).

/** Page size of a listing when the caller names none, and the most one page may hold (S3's own cap). */
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;
/** Objects one `DELETE /v1/objects?prefix=` call deletes at most, and how many at once. */
export const FOLDER_DELETE_BATCH = 100;
const DELETE_CONCURRENCY = 8;
/** How long a copy's promise lasts if the indexer never sees the copy (its event lost): the reconciliation's window. */
const COPY_PROMISE_MS = 15 * 60_000;
/** A cursor longer than this was not made here. */
const MAX_CURSOR_CHARS = 4096;

export interface ObjectsDeps {
  store: ObjectStore;
  index: ObjectIndex;
  /** Milliseconds since the epoch; tests may pin it. */
  now?: () => number;
}

export type ObjectsContext = HttpContext<ObjectsConfig, ObjectsDeps>;

/** The objects core: one of OBJECTS_ROUTES from a verified caller (the runtime has checked both). */
export function handleObjectsRequest(request: AuthenticatedRequest, { config, deps }: ObjectsContext): Promise<ApiResponse<ObjectsAnswer>> {
  const home = homeOf(request.caller, config.tenantClaim);
  const target: Target = { home, ref: { tenant: home.tenant, home: home.sub }, bucket: bucketFor(config.tenantRouting, home.tenant), scan: config.scan };
  const { store, index } = deps;
  const now = deps.now ?? Date.now;
  switch (request.routeKey as (typeof OBJECTS_ROUTES)[number]) {
    case "GET /v1/objects":
      return listObjects(target, request.query, index);
    case "GET /v1/objects/meta":
      return objectRecord(target, request.query, index);
    case "GET /v1/objects/url":
      return downloadUrl(target, request.query, { store, index }, config);
    case "DELETE /v1/objects":
      return request.query.prefix !== undefined ? deleteFolder(target, request.query, { store, index }) : deleteObject(target, request.query, store);
    case "POST /v1/objects/copy":
      return copyObject(target, request, { store, index, now }, config, false);
    case "POST /v1/objects/move":
      return copyObject(target, request, { store, index, now }, config, true);
    case "GET /v1/usage":
      return usageOf(target, index, config, now());
  }
}

/** What the objects routes answer with (docs/API.md). */
export type ObjectsAnswer = ObjectListing | ObjectRecord | SignedUrl | DeletedFolder | Copied | Usage;

interface Target {
  home: Home;
  ref: HomeRef;
  bucket: string;
  scan: ScanVocabulary;
}

const listed = (o: ObjectItem): IndexedObject => ({
  path: o.path,
  size: o.size,
  etag: o.etag,
  lastModified: o.lastModified,
  scanStatus: o.scanStatus,
  contentType: o.contentType,
  metadata: o.metadata,
});

/** The query value if it is one of `allowed` (absent: `fallback`), else undefined for the caller to refuse. */
function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T | undefined): T | undefined | false {
  if (value === undefined || value === "") {
    return fallback;
  }
  return (allowed as readonly string[]).includes(value) ? (value as T) : false;
}

const notOneOf = (name: string, allowed: readonly string[], value: string | undefined) => `${name} must be one of ${allowed.join(", ")}, not ${JSON.stringify((value ?? "").slice(0, 32))}.`;

/** GET /v1/objects: one page of the index, one Query (no S3 call). */
async function listObjects({ home, ref }: Target, query: Readonly<Record<string, string>>, index: ObjectIndex): Promise<ApiResponse<ObjectListing>> {
  const prefix = userPrefix(home, query.prefix).slice(home.prefix.length);
  const delimiter = oneOf(query.delimiter, ["/"] as const, undefined);
  if (delimiter === false) {
    throw badRequest("InvalidDelimiter", `${notOneOf("delimiter", ["/"], query.delimiter)} Leave it out for every object under the prefix.`);
  }
  const sort = oneOf<ListSort>(query.sort, SORTS, "name");
  if (sort === false || sort === undefined) {
    throw badRequest("InvalidSort", notOneOf("sort", SORTS, query.sort));
  }
  const order = oneOf<ListOrder>(query.order, ORDERS, "asc");
  if (order === false || order === undefined) {
    throw badRequest("InvalidOrder", notOneOf("order", ORDERS, query.order));
  }
  const limit = parseLimit(query.limit);
  const binding = `${home.prefix}\0${prefix}\0${delimiter ?? ""}\0${sort}\0${order}`;
  const startKey = query.cursor === undefined || query.cursor === "" ? undefined : startKeyOf(decodeCursor(query.cursor, binding), ref);
  const page = await index.list(ref, { prefix, ...(delimiter === undefined ? {} : { delimiter }), sort, order, limit, ...(startKey === undefined ? {} : { startKey }) });
  return {
    status: 200,
    body: {
      objects: page.objects.map(listed),
      folders: page.folders,
      ...(page.lastKey === undefined ? {} : { nextCursor: encodeCursor(JSON.stringify(page.lastKey), binding) }),
    },
  };
}

/** The index key a cursor carries, refused unless it lies in the caller's own partitions. */
function startKeyOf(token: string, ref: HomeRef): Record<string, { S: string }> {
  let key: unknown;
  try {
    key = JSON.parse(token);
  } catch {
    throw invalidCursor();
  }
  const own = `${ref.tenant}/${ref.home}`;
  const entries = key !== null && typeof key === "object" ? Object.entries(key as Record<string, unknown>) : [];
  const valid =
    entries.length > 0 &&
    entries.every(([, v]) => v !== null && typeof v === "object" && typeof (v as { S?: unknown }).S === "string" && Object.keys(v as object).length === 1) &&
    entries.some(([name]) => name === INDEX_TABLE.partitionKey || name === INDEX_TABLE.globalIndexes.byFolder.partitionKey);
  const partition = (key as Record<string, { S: string }>)[INDEX_TABLE.partitionKey]?.S;
  const folder = (key as Record<string, { S: string }>)[INDEX_TABLE.globalIndexes.byFolder.partitionKey]?.S;
  if (!valid || (partition !== undefined && partition !== own) || (folder !== undefined && !folder.startsWith(`${own}/`))) {
    throw invalidCursor();
  }
  return key as Record<string, { S: string }>;
}

/** GET /v1/objects/meta: the object's record from the index, one GetItem. */
async function objectRecord({ home, ref }: Target, query: Readonly<Record<string, string>>, index: ObjectIndex): Promise<ApiResponse<ObjectRecord>> {
  const path = relativePath(home, userKey(home, query.path));
  const item = await index.getObject(ref, path);
  if (item === undefined) {
    throw notFound("ObjectNotFound", `There is no object at ${path} in your home.`);
  }
  return { status: 200, body: { ...listed(item), ...(item.versionId === undefined ? {} : { versionId: item.versionId }), created: item.created } };
}

/** GET /v1/usage: the home's usage item; promises already lapsed are not counted. */
async function usageOf({ ref }: Target, index: ObjectIndex, config: ObjectsConfig, now: number): Promise<ApiResponse<Usage>> {
  const usage = await index.usage(ref);
  const reservedBytes = usage.reservations.filter((r) => !isLapsed(r, now)).reduce((sum, r) => sum + r.bytes, 0);
  return {
    status: 200,
    body: { storedBytes: usage.storedBytes, reservedBytes, quotaBytes: config.userQuotaBytes ?? null, objects: usage.objects, openUploads: Math.max(0, usage.openUploads) },
  };
}

async function downloadUrl(
  { home, ref, bucket, scan }: Target,
  query: Readonly<Record<string, string>>,
  { store, index }: { store: ObjectStore; index: ObjectIndex },
  config: ObjectsConfig,
): Promise<ApiResponse<SignedUrl>> {
  const expiresIn = config.presignTtlSeconds;
  const key = userKey(home, query.path);
  await refuseOverQuota(ref, index, config);
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

/**
 * The direct path cannot be stopped before it writes (IAM does not see quotas): a home it took past
 * its quota is served nothing through the API until it is back under (docs/OBJECT-INDEX.md, "Quota").
 */
async function refuseOverQuota(ref: HomeRef, index: ObjectIndex, config: ObjectsConfig): Promise<void> {
  if (config.userQuotaBytes === undefined) {
    return;
  }
  const usage = await index.usage(ref);
  if (usage.storedBytes > config.userQuotaBytes) {
    throw forbidden(
      "OverQuota",
      `Your home holds ${usage.storedBytes} bytes, over your quota of ${config.userQuotaBytes} (written without the API); delete files to read them again.`,
    );
  }
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

/**
 * DELETE /v1/objects?prefix=<folder>/: deletes what the index lists under the folder, at most
 * FOLDER_DELETE_BATCH objects per call; `nextCursor` (pass it back as `cursor`) when more remain.
 */
async function deleteFolder(
  { home, ref, bucket }: Target,
  query: Readonly<Record<string, string>>,
  { store, index }: { store: ObjectStore; index: ObjectIndex },
): Promise<ApiResponse<DeletedFolder>> {
  if (query.path !== undefined) {
    throw badRequest("InvalidPath", "Send either path (one object) or prefix (a folder), not both.");
  }
  if (!query.prefix.endsWith("/")) {
    throw badRequest("InvalidPath", "prefix must name a folder, ending in /, such as photos/2024/.");
  }
  const prefix = userPrefix(home, query.prefix).slice(home.prefix.length);
  const binding = `${home.prefix}\0${prefix}\0delete`;
  const startKey = query.cursor === undefined || query.cursor === "" ? undefined : startKeyOf(decodeCursor(query.cursor, binding), ref);
  const page = await index.list(ref, { prefix, sort: "name", order: "asc", limit: FOLDER_DELETE_BATCH, ...(startKey === undefined ? {} : { startKey }) });
  await mapLimit(page.objects, DELETE_CONCURRENCY, (o) => store.delete({ bucket, key: `${home.prefix}${o.path}` }));
  return { status: 200, body: { deleted: page.objects.length, ...(page.lastKey === undefined ? {} : { nextCursor: encodeCursor(JSON.stringify(page.lastKey), binding) }) } };
}

/**
 * POST /v1/objects/copy and /move: a server-side copy of a clean object (S3 reads the source with
 * GetObject, which every read gate grants only for clean objects), reserved against the quota first,
 * tagged with its owner and nothing else (S3's REPLACE tagging directive: the verdict is not copied,
 * so the copy is unreadable until its own scan). A move then deletes the source.
 */
async function copyObject(
  { home, ref, bucket }: Target,
  request: AuthenticatedRequest,
  deps: { store: ObjectStore; index: ObjectIndex; now: () => number },
  config: ObjectsConfig,
  move: boolean,
): Promise<ApiResponse<Copied>> {
  const body = jsonBody(request);
  const extra = Object.keys(body).find((f) => !["from", "to", "overwrite"].includes(f));
  if (extra !== undefined) {
    throw badRequest("UnknownField", `${JSON.stringify(extra.slice(0, 64))} is not a field of this request; send only from, to, overwrite.`);
  }
  if (body.overwrite !== undefined && typeof body.overwrite !== "boolean") {
    throw badRequest("InvalidOverwrite", "overwrite must be true or false.");
  }
  const fromKey = userKey(home, body.from as string);
  const toKey = userKey(home, body.to as string);
  const from = relativePath(home, fromKey);
  const to = relativePath(home, toKey);
  if (from === to) {
    throw badRequest("SamePath", "from and to are the same path.");
  }
  const source = await deps.index.getObject(ref, from);
  if (source === undefined) {
    throw notFound("ObjectNotFound", `There is no object at ${from} in your home.`);
  }
  if (source.scanStatus === ScanStatus.infected) {
    throw forbidden("Infected", `${from} failed its malware scan and is never copied.`);
  }
  if (source.scanStatus === ScanStatus.unscannable) {
    throw forbidden("Unscannable", `${from} could not be scanned for malware and is never copied.`);
  }
  if (source.scanStatus !== ScanStatus.clean) {
    throw notScanned(from);
  }
  checkExtension(to, source.contentType);
  const existing = body.overwrite === true ? undefined : await deps.index.getObject(ref, to);
  if (existing !== undefined) {
    if (existing.etag === source.etag && existing.size === source.size) {
      // Already a copy of these bytes: a retry whose first answer was lost gets the same answer.
      if (move) {
        await deps.store.delete({ bucket, key: fromKey });
      }
      return { status: 200, body: { path: to, etag: existing.etag, size: existing.size } };
    }
    throw conflict("ObjectExists", `${to} already exists; send "overwrite": true to replace it.`);
  }
  await refuseOverQuota(ref, deps.index, config);
  const now = deps.now();
  const reservation = { id: `c${randomBytes(12).toString("base64url")}`, kind: "put" as const, path: to, bytes: source.size, createdAt: now, expiresAt: now + COPY_PROMISE_MS };
  await reserveOrRefuse(deps.index, ref, reservation, { quotaBytes: config.userQuotaBytes }, now);
  let copied: { etag: string };
  try {
    copied = await deps.store.copy({ bucket, fromKey, toKey, tags: { [OWNER_TAG]: home.sub }, size: source.size });
  } catch (err) {
    await deps.index.release(ref, reservation);
    if (httpStatusOf(err) === 403) {
      // The source's clean tag went (a new upload over it) between the index's answer and the copy.
      throw notScanned(from);
    }
    if (httpStatusOf(err) === 404) {
      throw notFound("ObjectNotFound", `There is no object at ${from} in your home.`);
    }
    throw err;
  }
  if (move) {
    await deps.store.delete({ bucket, key: fromKey });
  }
  return { status: 200, body: { path: to, etag: copied.etag.replace(/"/g, "") || source.etag, size: source.size } };
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
