import { type ControlPlane } from "./api";
import { StorageArgumentError, StorageError } from "./errors";
import { type Copied, type CopyRequest, type DeletedFolder, type ListOrder, type ListSort, type ObjectListing, type ObjectRecord, type SignedUrl, type Usage } from "./wire";

/*
 * The objects function's routes (docs/API.md) as the app calls them: listings and records from
 * the object index, presigned reads, deletes, copies and moves in the user's home, and its usage.
 */

export interface ListOptions {
  /** Only paths starting with this, relative to the home (a folder ends in `/`: `photos/2024/`). */
  prefix?: string;
  /**
   * `"/"` lists one folder: the objects directly under `prefix`, and the folders below it (paths
   * relative to the home, ending in `/`) in `folders`.
   * @default none: every object under `prefix`, however deep, and `folders` empty
   */
  delimiter?: "/";
  /** @default "name" */
  sort?: ListSort;
  /** @default "asc" */
  order?: ListOrder;
  /** `nextCursor` of the previous page, listed with the same prefix, delimiter, sort and order. */
  cursor?: string;
  /** Entries per page (the server caps it). @default the server's, 100 */
  limit?: number;
  signal?: AbortSignal;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface CopyOptions extends CallOptions {
  /** Replace an object already at `to` (else `409 ObjectExists`). @default false */
  overwrite?: boolean;
}

export interface RemoveFolderOptions extends CallOptions {
  /** Called after each batch with the objects deleted so far. */
  onProgress?: (progress: { deleted: number }) => void;
}

/** One page of the home's objects (and, with `delimiter: "/"`, folders) from the object index. */
export async function listObjects(api: ControlPlane, options: ListOptions = {}): Promise<ObjectListing> {
  const { prefix, delimiter, sort, order, cursor, limit, signal } = options;
  const { body } = await api.call<ObjectListing>({
    operation: listOperation(prefix),
    method: "GET",
    route: "/v1/objects",
    query: { prefix, delimiter, sort, order, cursor, limit },
    signal,
  });
  return body;
}

/** Every page of a listing, from `options.cursor` (or the start) until the server has no `nextCursor`. */
export async function* listPages(api: ControlPlane, options: ListOptions = {}): AsyncGenerator<ObjectListing, void, undefined> {
  let cursor = options.cursor;
  for (;;) {
    const page = await listObjects(api, { ...options, cursor });
    yield page;
    if (page.nextCursor === undefined) {
      return;
    }
    cursor = nextCursorOf(listOperation(options.prefix), cursor, page.nextCursor);
  }
}

/** `GET /v1/objects/meta`: one object's record (`404 ObjectNotFound` if there is none). */
export async function objectRecord(api: ControlPlane, path: string, options: CallOptions = {}): Promise<ObjectRecord> {
  const { body } = await api.call<ObjectRecord>({ operation: `read the record of ${path}`, method: "GET", route: "/v1/objects/meta", query: { path }, signal: options.signal });
  return body;
}

export async function signedUrl(api: ControlPlane, path: string, options: CallOptions = {}): Promise<SignedUrl> {
  const { body } = await api.call<SignedUrl>({ operation: `get a URL for ${path}`, method: "GET", route: "/v1/objects/url", query: { path }, signal: options.signal });
  return body;
}

export async function removeObject(api: ControlPlane, path: string, options: CallOptions = {}): Promise<void> {
  await api.call({ operation: `delete ${path}`, method: "DELETE", route: "/v1/objects", query: { path }, signal: options.signal });
}

/** `POST /v1/objects/copy` or `/move`: a server-side copy of an object scanned clean (a move then deletes `from`). */
export async function copyObject(api: ControlPlane, verb: "copy" | "move", from: string, to: string, options: CopyOptions = {}): Promise<Copied> {
  for (const [name, value] of [["from", from], ["to", to]] as const) {
    if (typeof value !== "string" || value === "") {
      throw new StorageArgumentError(`${verb}: [${name}] must be a path in the user's home, e.g. photos/cat.jpg`);
    }
  }
  const request: CopyRequest = { from, to, ...(options.overwrite === undefined ? {} : { overwrite: options.overwrite }) };
  const { body } = await api.call<Copied>({ operation: `${verb} ${from} to ${to}`, method: "POST", route: `/v1/objects/${verb}`, body: request, signal: options.signal });
  return body;
}

/**
 * `DELETE /v1/objects?prefix=`: the server deletes a folder in bounded batches and answers a cursor
 * while objects remain; this calls again with it until none is left.
 */
export async function removeFolder(api: ControlPlane, prefix: string, options: RemoveFolderOptions = {}): Promise<{ deleted: number }> {
  // The whole home is never one call away: an empty or unterminated prefix is refused here.
  if (typeof prefix !== "string" || prefix === "" || prefix === "/" || !prefix.endsWith("/")) {
    throw new StorageArgumentError(`removeFolder: [prefix] must name a folder ending in /, such as photos/2024/, got ${JSON.stringify(prefix)}`);
  }
  const operation = `delete the folder ${prefix}`;
  let deleted = 0;
  let cursor: string | undefined;
  for (;;) {
    const { body } = await api.call<DeletedFolder>({ operation, method: "DELETE", route: "/v1/objects", query: { prefix, cursor }, signal: options.signal });
    deleted += body.deleted;
    options.onProgress?.({ deleted });
    if (body.nextCursor === undefined) {
      return { deleted };
    }
    cursor = nextCursorOf(operation, cursor, body.nextCursor);
  }
}

/** `GET /v1/usage`: the home's stored and reserved bytes against its quota. */
export async function usageOf(api: ControlPlane, options: CallOptions = {}): Promise<Usage> {
  const { body } = await api.call<Usage>({ operation: "read the home's usage", method: "GET", route: "/v1/usage", signal: options.signal });
  return body;
}

const listOperation = (prefix: string | undefined) => `list ${prefix === undefined || prefix === "" ? "the home" : prefix}`;

/** The cursor to send next; the one just sent coming back would never end, so it is a failure. */
function nextCursorOf(operation: string, sent: string | undefined, next: string): string {
  if (next === sent) {
    throw new StorageError(`${operation}: the server answered the cursor it was sent, so the listing would never end`, { code: "RepeatedCursor" });
  }
  return next;
}
