import { utf8Length } from "./keys";

/*
 * The object index (docs/OBJECT-INDEX.md): one DynamoDB table per stack, its key layout and the
 * records the API answers with. The program creates the table from INDEX_TABLE, the sandbox and
 * the tests create the same table in a local engine from it, and the functions read and write items
 * through functions/shared/object-index.ts. Every API read is one Query or one GetItem.
 *
 * Items, all in the partition of one home (`pk` = `<tenant>/<home>`):
 *   `u`            the home's usage: stored and reserved bytes, objects, open uploads, the reservations
 *   `o#<path>`     one current object (what listings and GET /v1/objects/meta show)
 *   `k#<path>`     one key's accounting: the bytes of all its versions, their ids, what the indexer last applied
 *   `d#<folder>/`  one folder that holds at least one object (the folder view's entries)
 *   `r`            the user's revocation: tokens issued before `revokedAt` are refused (partition `<tenant>/<sub>`)
 */

/** Attribute and index names of the table; the program, the sandbox and the functions share them. */
export const INDEX_TABLE = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Local indexes over a home's objects, for the flat listing sorted by modification time or size. */
  localIndexes: {
    byModified: "lm",
    bySize: "ls",
  },
  /** Global indexes over one folder's entries (objects and subfolders), by name, modification time and size. */
  globalIndexes: {
    byFolder: { partitionKey: "fp", sortKey: "fn" },
    byFolderModified: { partitionKey: "fp", sortKey: "fm" },
    byFolderSize: { partitionKey: "fp", sortKey: "fs" },
  },
} as const;

export const ITEM_PREFIX = { object: "o#", key: "k#", folder: "d#" } as const;
export const USAGE_SORT_KEY = "u";
/** The revocation item of a user (`POST /v1/admin/users/{sub}/revoke`), read with one GetItem per request. */
export const REVOCATION_SORT_KEY = "r";

/** The partition of one home. Tenant ids and home ids never contain `/` (TENANT_ID, USER_SUB, IDENTITY_ID). */
export const homePartition = (tenant: string, home: string) => `${tenant}/${home}`;
/** The folder view's partition: a home's folder (`""` for the home itself, else ending in `/`). */
export const folderPartition = (partition: string, folder: string) => `${partition}/${folder}`;

/** The folder a path is in (`""` at the home's top), ending in `/`. */
export function parentFolder(path: string): string {
  const slash = path.lastIndexOf("/", path.endsWith("/") ? path.length - 2 : path.length - 1);
  return slash < 0 ? "" : path.slice(0, slash + 1);
}

/** Every folder above a path, outermost first: `a/b/c.txt` → `["a/", "a/b/"]`. */
export function ancestorFolders(path: string): string[] {
  const folders: string[] = [];
  for (let i = path.indexOf("/"); i >= 0 && i < path.length - 1; i = path.indexOf("/", i + 1)) {
    folders.push(path.slice(0, i + 1));
  }
  return folders;
}

/** Sizes sort as text in the indexes: padded to S3's largest object (5 TiB, 13 digits) and beyond. */
export const sizeSortKey = (size: number) => String(size).padStart(16, "0");

export const SORTS = ["name", "modified", "size"] as const;
export type ListSort = (typeof SORTS)[number];
export const ORDERS = ["asc", "desc"] as const;
export type ListOrder = (typeof ORDERS)[number];

/*
 * Custom metadata: a flat map of string values, stored with the object as S3 user-defined metadata
 * (`x-amz-meta-<key>`, its value percent-encoded so any Unicode text survives an HTTP header) and
 * copied into the index. S3 allows 2 KB of user-defined metadata, counted as the UTF-8 bytes of each
 * key and value ("Working with object metadata"); the bound here counts the encoded values, as S3 sees them.
 */
export const MAX_METADATA_KEYS = 10;
export const MAX_METADATA_BYTES = 2048;
export const METADATA_KEY = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
/** Keys the control plane writes itself. */
export const RESERVED_METADATA_KEYS: readonly string[] = ["owner"];

/** How a metadata value is written into its `x-amz-meta-*` header, and read back. */
export const encodeMetadataValue = (value: string) => encodeURIComponent(value);
export function decodeMetadataValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const hasControlCharacter = (text: string) => [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** Why a metadata map was refused, as a phrase after "metadata". */
export type MetadataProblem = string;

/** The map as stored (keys lowercased), or why it cannot be. */
export function checkMetadata(value: unknown): { metadata: Record<string, string> } | { problem: MetadataProblem } {
  if (value === undefined) {
    return { metadata: {} };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { problem: 'must be an object of string values, such as {"album": "Summer"}' };
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_METADATA_KEYS) {
    return { problem: `may hold at most ${MAX_METADATA_KEYS} keys, not ${entries.length}` };
  }
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [rawKey, raw] of entries) {
    const key = rawKey.toLowerCase();
    if (!METADATA_KEY.test(key)) {
      return { problem: `key ${JSON.stringify(rawKey.slice(0, 64))} must be 1-64 letters, digits or hyphens, starting and ending with a letter or digit` };
    }
    if (RESERVED_METADATA_KEYS.includes(key) || key in metadata) {
      return { problem: `key ${JSON.stringify(key)} is ${key in metadata ? "given twice (keys are case-insensitive)" : "kept by the control plane"}` };
    }
    if (typeof raw !== "string" || hasControlCharacter(raw)) {
      return { problem: `value of ${JSON.stringify(key)} must be a string without control characters` };
    }
    metadata[key] = raw.normalize("NFC");
    bytes += utf8Length(key) + encodeMetadataValue(metadata[key]).length;
  }
  if (bytes > MAX_METADATA_BYTES) {
    return { problem: `takes ${bytes} bytes as S3 stores it (keys and percent-encoded values); at most ${MAX_METADATA_BYTES} are allowed` };
  }
  return { metadata };
}

/**
 * The S3 events that change what the index holds of a key, as EventBridge names them ("Using
 * EventBridge", Amazon S3 User Guide): a new object or version, a deletion (a delete marker, a
 * version removed, a lifecycle expiration), and tags set or removed, which is how both scanners'
 * verdicts arrive. The program's rule matches exactly these and the indexer takes exactly these.
 */
export const INDEXED_S3_EVENTS = ["Object Created", "Object Deleted", "Object Tags Added", "Object Tags Deleted"] as const;

/** The S3 tag every write path puts on an object: the home it was written into (Objects tagged with their owner). */
export const OWNER_TAG = "owner";

/*
 * Reservations, kept inside the usage item so one conditional update checks and records a promise
 * together. Their number is bounded (an item holds at most 400 KB).
 */
export const MAX_RESERVATIONS = 500;
