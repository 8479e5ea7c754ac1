import {
  folderPartition,
  homePartition,
  INDEX_TABLE,
  ITEM_PREFIX,
  type ListOrder,
  type ListSort,
  MAX_RESERVATIONS,
  parentFolder,
  type ScanStatus,
  sizeSortKey,
  USAGE_SORT_KEY,
} from "@mobile-s3/contract";
import { type AttributeValue } from "@aws-sdk/client-dynamodb";
import { createHash } from "node:crypto";
import { conditionally, dynamoDbConnection, type DynamoDbClientSource, isConditionFailure } from "./dynamodb-sdk";
import { fromItem, type Item, type Plain, toAttribute, toItem } from "./dynamodb-values";

/*
 * The object index over DynamoDB (docs/OBJECT-INDEX.md). Every change is one single-item write,
 * conditional where two writers could meet, so the index needs nothing DynamoDB does not promise
 * for one item ("Condition expressions": a conditional write is atomic; "UpdateItem": ADD on a
 * number is atomic). No transactions: the writes that must agree are ordered so that a crash
 * between them leaves a record the next writer finishes (the key item's `pending`).
 *
 * The quota's check and its promise are one conditional UpdateItem of the home's usage item: the
 * reservations live inside it, and `usedBytes` (stored + reserved) is kept beside them because a
 * condition expression can compare an attribute with a value but not add two attributes.
 */

/** One home: its tenant and its home id (the user-pool `sub`, or the identity id). */
export interface HomeRef {
  tenant: string;
  home: string;
}

/** A promise of bytes to an upload in progress (docs/OBJECT-INDEX.md, "Quota"). */
export interface Reservation {
  id: string;
  /** `put`: a signed single PUT or a server-side copy; `multipart`: a multipart upload, at its declared size. */
  kind: "put" | "multipart";
  /** The path, relative to the home, the bytes are promised to. */
  path: string;
  bytes: number;
  createdAt: number;
  /** When the promise lapses: the URL's expiry (plus grace), or the day the lifecycle aborts the upload. */
  expiresAt: number;
  uploadId?: string;
  /** Multipart: completed through the API; the indexer turns it into stored bytes when it sees `versionId`. */
  completed?: boolean;
  versionId?: string;
}

export interface UsageState {
  storedBytes: number;
  reservedBytes: number;
  objects: number;
  openUploads: number;
  reservations: Reservation[];
  /** Keys whose change the usage has taken in, by key digest: the revision applied. */
  applied: Record<string, number>;
}

/** One current object as the index holds it. */
export interface ObjectItem {
  path: string;
  size: number;
  etag: string;
  lastModified: string;
  contentType: string;
  metadata: Record<string, string>;
  scanStatus: ScanStatus;
  versionId?: string;
  /** When the key's oldest stored version was written. */
  created: string;
  owner?: string;
  /** The key item's revision this item was written from. */
  rev: number;
}

/** One stored version of a key, as the key item records it. */
export interface KeyVersion {
  size: number;
  lastModified: string;
}

/** What the usage item still has to take in from a key's change (written with the change, cleared after). */
export interface PendingChange {
  rev: number;
  storedBytes: number;
  objects: number;
  /** Reservations this change fulfils: their bytes move from reserved to stored. */
  consumes: { id: string; bytes: number }[];
}

/** The accounting of one key (the `k#` item). */
export interface KeyState {
  path: string;
  rev: number;
  versions: Record<string, KeyVersion>;
  /** Whether the key has a current object (not a delete marker, not nothing). */
  present: boolean;
  lastSequencer?: string;
  pending?: PendingChange;
}

export interface ListQuery {
  /** A path prefix relative to the home ("" for all). */
  prefix: string;
  /** `/`: one folder's entries (objects and subfolders); none: every object under the prefix. */
  delimiter?: "/";
  sort: ListSort;
  order: ListOrder;
  limit: number;
  /** DynamoDB's LastEvaluatedKey of the previous page. */
  startKey?: Item;
}

export interface ListPage {
  objects: ObjectItem[];
  /** Folder paths relative to the home, ending in `/`. */
  folders: string[];
  lastKey?: Item;
}

export type ReserveRefusal = { refused: "quota" | "openUploads" | "reservations"; usage: UsageState };

export interface ObjectIndex {
  usage(home: HomeRef): Promise<UsageState>;
  /** Records a promise if the home stays within its limits, in one conditional write; else says which limit. */
  reserve(home: HomeRef, reservation: Reservation, limits: { quotaBytes?: number; maxOpenUploads?: number }): Promise<ReserveRefusal | undefined>;
  /** Withdraws a promise; false when it was already gone. */
  release(home: HomeRef, reservation: Reservation): Promise<boolean>;
  setUploadId(home: HomeRef, reservationId: string, uploadId: string): Promise<void>;
  /** A multipart upload completed through the API: no longer open; its bytes stay promised until the indexer sees the version. */
  markCompleted(home: HomeRef, reservation: Reservation, versionId: string | undefined): Promise<void>;
  /** S3 refused the completion: the upload is open again. */
  reopen(home: HomeRef, reservation: Reservation): Promise<void>;
  getObject(home: HomeRef, path: string): Promise<ObjectItem | undefined>;
  list(home: HomeRef, query: ListQuery): Promise<ListPage>;

  // The indexer's and the reconciliation's half.
  getKey(home: HomeRef, path: string): Promise<KeyState | undefined>;
  /** Writes a key's new state if its revision is still `expectedRev` (undefined: the key had no item); false on a race. */
  putKey(home: HomeRef, state: KeyState, expectedRev: number | undefined): Promise<boolean>;
  deleteKey(home: HomeRef, path: string, expectedRev: number): Promise<boolean>;
  /** Takes a key's pending change into the usage item, once: "applied" now or before, or "reservationGone" (retry without it). */
  /**
   * Takes the right to finish a key's pending change: one writer at a time, so a writer that read the
   * change before another finished it cannot apply it again. A claim older than `leaseMs` (longer
   * than a Lambda invocation can run) is taken over: its holder crashed.
   */
  claimPending(home: HomeRef, path: string, rev: number, now: number, leaseMs: number): Promise<boolean>;
  applyPending(home: HomeRef, path: string, change: PendingChange): Promise<"applied" | "already" | { gone: string[] }>;
  clearPending(home: HomeRef, path: string, rev: number): Promise<void>;
  putObject(home: HomeRef, item: ObjectItem): Promise<void>;
  deleteObject(home: HomeRef, path: string, rev: number): Promise<void>;
  /** Makes sure each folder has its entry; the token lets a concurrent prune see it was touched. */
  touchFolders(home: HomeRef, folders: readonly string[]): Promise<void>;
  /** Removes the entries of these folders (deepest first) that no longer hold any object. */
  pruneFolders(home: HomeRef, folders: readonly string[]): Promise<number>;
  /** Every key, object and folder item of a home (reconciliation). */
  keysOf(home: HomeRef): Promise<KeyState[]>;
  objectsOf(home: HomeRef): Promise<ObjectItem[]>;
  foldersOf(home: HomeRef): Promise<string[]>;
  /** Homes with a usage item, optionally of one tenant (reconciliation; a Scan). */
  homes(tenant?: string): Promise<HomeRef[]>;
  /** Sets the usage counters to what the home holds (reconciliation), if they still read `seen`; false on a race. */
  correctUsage(home: HomeRef, seen: UsageState, corrected: { storedBytes: number; objects: number; reservedBytes: number }): Promise<boolean>;
  /** Every item of a home, as stored (tests compare indexes). */
  dump(home: HomeRef): Promise<Record<string, Plain>[]>;
}

/** Conditional writes of one promise before a refusal no limit explains (others' promises ending meanwhile) is given up. */
const RESERVE_ATTEMPTS = 5;

/**
 * Whether a promise can no longer be kept: a URL past its expiry (the reservation's `expiresAt`
 * includes the grace a PUT started just before may take), or a multipart upload past the day the
 * bucket's lifecycle aborts it.
 */
export const isLapsed = (r: Reservation, now: number) => r.expiresAt < now;

/** A short, fixed-length name for a path, safe as a map key. */
export const pathDigest = (path: string) => createHash("sha256").update(path, "utf8").digest("base64url").slice(0, 22);

const pk = (home: HomeRef) => homePartition(home.tenant, home.home);
const keyOf = (home: HomeRef, sk: string): Item => ({ [INDEX_TABLE.partitionKey]: { S: pk(home) }, [INDEX_TABLE.sortKey]: { S: sk } });
const nameOf = (path: string) => path.slice(parentFolder(path).length);

/** DynamoDB refuses to SET a path inside a map that does not exist yet: the usage item is created first. */
const isMissingMap = (err: unknown) => (err as { name?: string; message?: string })?.name === "ValidationException" && /document path/i.test((err as Error).message ?? "");

function num(value: Plain | undefined): number {
  return typeof value === "number" ? value : 0;
}

function reservationOf(id: string, value: Plain): Reservation {
  const r = value as Record<string, Plain>;
  return {
    id,
    kind: r.kind === "multipart" ? "multipart" : "put",
    path: String(r.path),
    bytes: num(r.bytes),
    createdAt: num(r.createdAt),
    expiresAt: num(r.expiresAt),
    ...(typeof r.uploadId === "string" ? { uploadId: r.uploadId } : {}),
    ...(r.completed === true ? { completed: true } : {}),
    ...(typeof r.versionId === "string" ? { versionId: r.versionId } : {}),
  };
}

function usageOf(item: Item | undefined): UsageState {
  const u = item === undefined ? {} : fromItem(item);
  const reservations = (u.reservations ?? {}) as Record<string, Plain>;
  return {
    storedBytes: num(u.storedBytes),
    reservedBytes: num(u.reservedBytes),
    objects: num(u.objects),
    openUploads: num(u.openUploads),
    reservations: Object.entries(reservations).map(([id, r]) => reservationOf(id, r)),
    applied: (u.applied ?? {}) as Record<string, number>,
  };
}

function objectOf(item: Item): ObjectItem {
  const o = fromItem(item);
  return {
    path: String(o.path),
    size: num(o.size),
    etag: String(o.etag),
    lastModified: String(o.lastModified),
    contentType: String(o.contentType ?? "application/octet-stream"),
    metadata: (o.metadata ?? {}) as Record<string, string>,
    scanStatus: String(o.scanStatus) as ScanStatus,
    ...(typeof o.versionId === "string" ? { versionId: o.versionId } : {}),
    created: String(o.created ?? o.lastModified),
    ...(typeof o.owner === "string" ? { owner: o.owner } : {}),
    rev: num(o.rev),
  };
}

function keyStateOf(item: Item): KeyState {
  const k = fromItem(item);
  return {
    path: String(k.path),
    rev: num(k.rev),
    versions: (k.versions ?? {}) as unknown as Record<string, KeyVersion>,
    present: k.present === true,
    ...(typeof k.lastSequencer === "string" ? { lastSequencer: k.lastSequencer } : {}),
    ...(k.pending ? { pending: k.pending as unknown as PendingChange } : {}),
  };
}

/** The index a listing reads (none: the table itself, by name). */
function listIndex(query: ListQuery): string | undefined {
  if (query.delimiter === "/") {
    return query.sort === "name" ? "byFolder" : query.sort === "modified" ? "byFolderModified" : "byFolderSize";
  }
  return query.sort === "name" ? undefined : query.sort === "modified" ? "byModified" : "bySize";
}

export function objectIndex(source: DynamoDbClientSource, table: string): ObjectIndex {
  const connect = dynamoDbConnection(source);
  const P = INDEX_TABLE.partitionKey;
  const S = INDEX_TABLE.sortKey;

  async function getItem(home: HomeRef, sk: string): Promise<Item | undefined> {
    const { sdk, client } = await connect();
    const out = await client.send(new sdk.GetItemCommand({ TableName: table, Key: keyOf(home, sk), ConsistentRead: true }));
    return out.Item;
  }

  async function update(home: HomeRef, sk: string, p: { update: string; condition?: string; names?: Record<string, string>; values?: Record<string, Plain> }): Promise<Item | undefined> {
    const { sdk, client } = await connect();
    const values = p.values === undefined ? undefined : Object.fromEntries(Object.entries(p.values).map(([k, v]) => [k, toAttribute(v)]));
    const out = await client.send(
      new sdk.UpdateItemCommand({
        TableName: table,
        Key: keyOf(home, sk),
        UpdateExpression: p.update,
        ...(p.condition === undefined ? {} : { ConditionExpression: p.condition }),
        ...(p.names === undefined ? {} : { ExpressionAttributeNames: p.names }),
        ...(values === undefined || Object.keys(values).length === 0 ? {} : { ExpressionAttributeValues: values }),
        ReturnValues: "ALL_NEW",
      }),
    );
    return out.Attributes;
  }

  /** Creates the usage item's maps and counters where they are missing (idempotent). */
  async function ensureUsage(home: HomeRef): Promise<void> {
    await update(home, USAGE_SORT_KEY, {
      update:
        "SET reservations = if_not_exists(reservations, :empty), applied = if_not_exists(applied, :empty), storedBytes = if_not_exists(storedBytes, :zero), " +
        "reservedBytes = if_not_exists(reservedBytes, :zero), usedBytes = if_not_exists(usedBytes, :zero), objects = if_not_exists(objects, :zero), " +
        "openUploads = if_not_exists(openUploads, :zero), tenant = :tenant, home = :home",
      values: { ":empty": {}, ":zero": 0, ":tenant": home.tenant, ":home": home.home },
    });
  }

  /** An update of the usage item that may be the home's first: its maps are created on demand. */
  async function updateUsage(home: HomeRef, p: Parameters<typeof update>[2]): Promise<Item | undefined> {
    try {
      return await update(home, USAGE_SORT_KEY, p);
    } catch (err) {
      if (!isMissingMap(err)) {
        throw err;
      }
      await ensureUsage(home);
      return update(home, USAGE_SORT_KEY, p);
    }
  }

  async function usage(home: HomeRef): Promise<UsageState> {
    return usageOf(await getItem(home, USAGE_SORT_KEY));
  }

  async function queryAll(home: HomeRef, prefix: string): Promise<Item[]> {
    const { sdk, client } = await connect();
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await client.send(
        new sdk.QueryCommand({
          TableName: table,
          KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
          ExpressionAttributeNames: { "#pk": P, "#sk": S },
          ExpressionAttributeValues: { ":pk": { S: pk(home) }, ":prefix": { S: prefix } },
          ConsistentRead: true,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  return {
    usage,

    async reserve(home, r, limits) {
      const conditions = ["(attribute_not_exists(reservations) OR size(reservations) < :maxReservations)"];
      const values: Record<string, Plain> = { ":maxReservations": MAX_RESERVATIONS, ":bytes": r.bytes, ":r": reservationPlain(r) };
      if (limits.quotaBytes !== undefined) {
        if (r.bytes > limits.quotaBytes) {
          return { refused: "quota", usage: await usage(home) };
        }
        conditions.push("(attribute_not_exists(usedBytes) OR usedBytes <= :limit)");
        values[":limit"] = limits.quotaBytes - r.bytes;
      }
      if (r.kind === "multipart" && limits.maxOpenUploads !== undefined) {
        conditions.push("(attribute_not_exists(openUploads) OR openUploads < :maxOpen)");
        values[":maxOpen"] = limits.maxOpenUploads;
      }
      if (r.kind === "multipart") {
        values[":one"] = 1;
      }
      for (let attempt = 1; ; attempt++) {
        const reserved = await conditionally(() =>
          updateUsage(home, {
            update: `SET reservations.#id = :r ADD reservedBytes :bytes, usedBytes :bytes${r.kind === "multipart" ? ", openUploads :one" : ""}`,
            condition: conditions.join(" AND "),
            names: { "#id": r.id },
            values,
          }),
        );
        if (reserved) {
          return undefined;
        }
        // Which limit refused it, read after the write: a promise that ended in between may have made
        // room, and then no limit explains the refusal: the write is tried again.
        const now = await usage(home);
        const used = now.storedBytes + now.reservedBytes;
        const refused =
          now.reservations.length >= MAX_RESERVATIONS
            ? "reservations"
            : limits.quotaBytes !== undefined && used + r.bytes > limits.quotaBytes
              ? "quota"
              : r.kind === "multipart" && limits.maxOpenUploads !== undefined && now.openUploads >= limits.maxOpenUploads
                ? "openUploads"
                : undefined;
        if (refused !== undefined) {
          return { refused, usage: now };
        }
        if (attempt >= RESERVE_ATTEMPTS) {
          // Still racing: refused as the quota would refuse it, so the client tries again.
          return { refused: limits.quotaBytes !== undefined ? "quota" : r.kind === "multipart" ? "openUploads" : "reservations", usage: now };
        }
      }
    },

    async release(home, r) {
      try {
        await update(home, USAGE_SORT_KEY, {
          update: `REMOVE reservations.#id ADD reservedBytes :minus, usedBytes :minus${r.kind === "multipart" && !r.completed ? ", openUploads :minusOne" : ""}`,
          condition: "attribute_exists(reservations.#id)",
          names: { "#id": r.id },
          values: { ":minus": -r.bytes, ...(r.kind === "multipart" && !r.completed ? { ":minusOne": -1 } : {}) },
        });
        return true;
      } catch (err) {
        if (isConditionFailure(err) || isMissingMap(err)) {
          return false;
        }
        throw err;
      }
    },

    async setUploadId(home, id, uploadId) {
      await update(home, USAGE_SORT_KEY, {
        update: "SET reservations.#id.uploadId = :u",
        condition: "attribute_exists(reservations.#id)",
        names: { "#id": id },
        values: { ":u": uploadId },
      });
    },

    async markCompleted(home, r, versionId) {
      // Refused when the indexer already consumed it (it saw the version first) or a retry marked it.
      await conditionally(() =>
        update(home, USAGE_SORT_KEY, {
          update: `SET reservations.#id.completed = :yes${versionId === undefined ? "" : ", reservations.#id.versionId = :v"} ADD openUploads :minusOne`,
          condition: "attribute_exists(reservations.#id) AND attribute_not_exists(reservations.#id.completed)",
          names: { "#id": r.id },
          values: { ":yes": true, ":minusOne": -1, ...(versionId === undefined ? {} : { ":v": versionId }) },
        }),
      );
    },

    async reopen(home, r) {
      await conditionally(() =>
        update(home, USAGE_SORT_KEY, {
          update: "REMOVE reservations.#id.completed ADD openUploads :one",
          condition: "attribute_exists(reservations.#id.completed)",
          names: { "#id": r.id },
          values: { ":one": 1 },
        }),
      );
    },

    async getObject(home, path) {
      const item = await getItem(home, `${ITEM_PREFIX.object}${path}`);
      return item === undefined ? undefined : objectOf(item);
    },

    async list(home, query) {
      const { sdk, client } = await connect();
      const index = listIndex(query);
      const names: Record<string, string> = {};
      const values: Record<string, AttributeValue> = {};
      let keyCondition: string;
      let filter: string | undefined;
      if (query.delimiter === "/") {
        const folder = query.prefix === "" || query.prefix.endsWith("/") ? query.prefix : parentFolder(query.prefix);
        const namePrefix = query.prefix.slice(folder.length);
        const g = INDEX_TABLE.globalIndexes.byFolder;
        names["#fp"] = g.partitionKey;
        values[":fp"] = { S: folderPartition(pk(home), folder) };
        keyCondition = "#fp = :fp";
        if (namePrefix !== "") {
          names["#fn"] = g.sortKey;
          values[":np"] = { S: namePrefix };
          if (query.sort === "name") {
            keyCondition += " AND begins_with(#fn, :np)";
          } else {
            filter = "begins_with(#fn, :np)";
          }
        }
      } else {
        names["#pk"] = P;
        values[":pk"] = { S: pk(home) };
        if (query.sort === "name") {
          names["#sk"] = S;
          values[":prefix"] = { S: `${ITEM_PREFIX.object}${query.prefix}` };
          keyCondition = "#pk = :pk AND begins_with(#sk, :prefix)";
        } else {
          keyCondition = "#pk = :pk";
          if (query.prefix !== "") {
            names["#path"] = "path";
            values[":prefix"] = { S: query.prefix };
            filter = "begins_with(#path, :prefix)";
          }
        }
      }
      const out = await client.send(
        new sdk.QueryCommand({
          TableName: table,
          ...(index === undefined ? {} : { IndexName: index }),
          KeyConditionExpression: keyCondition,
          ...(filter === undefined ? {} : { FilterExpression: filter }),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: query.order === "asc",
          Limit: query.limit,
          // Global indexes are eventually consistent (DynamoDB refuses a consistent read on them).
          ...(query.delimiter === "/" ? {} : { ConsistentRead: true }),
          ...(query.startKey === undefined ? {} : { ExclusiveStartKey: query.startKey }),
        }),
      );
      const objects: ObjectItem[] = [];
      const folders: string[] = [];
      for (const item of out.Items ?? []) {
        const sk = item[S]?.S ?? "";
        if (sk.startsWith(ITEM_PREFIX.folder)) {
          folders.push(sk.slice(ITEM_PREFIX.folder.length));
        } else if (sk.startsWith(ITEM_PREFIX.object)) {
          objects.push(objectOf(item));
        }
      }
      return { objects, folders, ...(out.LastEvaluatedKey === undefined ? {} : { lastKey: out.LastEvaluatedKey }) };
    },

    async getKey(home, path) {
      const item = await getItem(home, `${ITEM_PREFIX.key}${path}`);
      return item === undefined ? undefined : keyStateOf(item);
    },

    async putKey(home, state, expectedRev) {
      const { sdk, client } = await connect();
      return conditionally(() =>
        client.send(
          new sdk.PutItemCommand({
            TableName: table,
            Item: { ...keyOf(home, `${ITEM_PREFIX.key}${state.path}`), ...toItem(keyStatePlain(state)) },
            // Never over a change the usage item has not taken in yet.
            ConditionExpression: expectedRev === undefined ? "attribute_not_exists(#pk)" : "#rev = :rev AND attribute_not_exists(pending)",
            ExpressionAttributeNames: expectedRev === undefined ? { "#pk": P } : { "#rev": "rev" },
            ...(expectedRev === undefined ? {} : { ExpressionAttributeValues: { ":rev": { N: String(expectedRev) } } }),
          }),
        ),
      );
    },

    async deleteKey(home, path, expectedRev) {
      const { sdk, client } = await connect();
      return conditionally(() =>
        client.send(
          new sdk.DeleteItemCommand({
            TableName: table,
            Key: keyOf(home, `${ITEM_PREFIX.key}${path}`),
            ConditionExpression: "#rev = :rev AND attribute_not_exists(pending)",
            ExpressionAttributeNames: { "#rev": "rev" },
            ExpressionAttributeValues: { ":rev": { N: String(expectedRev) } },
          }),
        ),
      );
    },

    async claimPending(home, path, rev, now, leaseMs) {
      return conditionally(() =>
        update(home, `${ITEM_PREFIX.key}${path}`, {
          update: "SET pending.claimedAt = :now",
          condition: "pending.rev = :rev AND (attribute_not_exists(pending.claimedAt) OR pending.claimedAt < :stale)",
          values: { ":now": now, ":rev": rev, ":stale": now - leaseMs },
        }),
      );
    },

    async applyPending(home, path, change) {
      const k = pathDigest(path);
      const consumed = change.consumes.reduce((sum, c) => sum + c.bytes, 0);
      const names: Record<string, string> = { "#k": k };
      const removes = change.consumes.map((c, i) => {
        names[`#r${i}`] = c.id;
        return `reservations.#r${i}`;
      });
      const conditions = ["(attribute_not_exists(applied.#k) OR applied.#k < :rev)", ...removes.map((r) => `attribute_exists(${r})`)];
      const applied = await conditionally(() =>
        updateUsage(home, {
          update: `SET applied.#k = :rev ADD storedBytes :stored, usedBytes :used, reservedBytes :reserved, objects :objects${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
          condition: conditions.join(" AND "),
          names,
          values: { ":rev": change.rev, ":stored": change.storedBytes, ":used": change.storedBytes - consumed, ":reserved": -consumed, ":objects": change.objects },
        }),
      );
      if (applied) {
        return "applied";
      }
      const now = await usage(home);
      if ((now.applied[k] ?? -1) >= change.rev) {
        return "already";
      }
      const held = new Set(now.reservations.map((r) => r.id));
      return { gone: change.consumes.filter((c) => !held.has(c.id)).map((c) => c.id) };
    },

    async clearPending(home, path, rev) {
      await conditionally(() =>
        update(home, `${ITEM_PREFIX.key}${path}`, {
          update: "REMOVE pending",
          condition: "pending.rev = :rev",
          values: { ":rev": rev },
        }),
      );
      try {
        // The marker is only needed while the key item still names the change; it is tidied away.
        await update(home, USAGE_SORT_KEY, { update: "REMOVE applied.#k", condition: "applied.#k = :rev", names: { "#k": pathDigest(path) }, values: { ":rev": rev } });
      } catch (err) {
        if (!isConditionFailure(err) && !isMissingMap(err)) {
          throw err;
        }
      }
    },

    async putObject(home, item) {
      const { sdk, client } = await connect();
      await conditionally(() =>
        client.send(
          new sdk.PutItemCommand({
            TableName: table,
            Item: { ...keyOf(home, `${ITEM_PREFIX.object}${item.path}`), ...toItem(objectPlain(home, item)) },
            // Never over a newer state of the key (a slower writer that read S3 earlier).
            ConditionExpression: "attribute_not_exists(#rev) OR #rev <= :rev",
            ExpressionAttributeNames: { "#rev": "rev" },
            ExpressionAttributeValues: { ":rev": { N: String(item.rev) } },
          }),
        ),
      );
    },

    async deleteObject(home, path, rev) {
      const { sdk, client } = await connect();
      await conditionally(() =>
        client.send(
          new sdk.DeleteItemCommand({
            TableName: table,
            Key: keyOf(home, `${ITEM_PREFIX.object}${path}`),
            ConditionExpression: "attribute_not_exists(#rev) OR #rev <= :rev",
            ExpressionAttributeNames: { "#rev": "rev" },
            ExpressionAttributeValues: { ":rev": { N: String(rev) } },
          }),
        ),
      );
    },

    async touchFolders(home, folders) {
      const { globalIndexes } = INDEX_TABLE;
      await Promise.all(
        folders.map((folder) => {
          const name = nameOf(folder);
          return update(home, `${ITEM_PREFIX.folder}${folder}`, {
            update: "SET #fp = :fp, #fn = :fn, #fm = :sortKey, #fs = :sortKey, #path = :path, #token = :token",
            names: { "#fp": globalIndexes.byFolder.partitionKey, "#fn": globalIndexes.byFolder.sortKey, "#fm": globalIndexes.byFolderModified.sortKey, "#fs": globalIndexes.byFolderSize.sortKey, "#path": "path", "#token": "token" },
            // Folders sort by name before the objects of their folder (ascending) whatever the sort.
            values: { ":fp": folderPartition(pk(home), parentFolder(folder)), ":fn": name, ":sortKey": `0#${name}`, ":path": folder, ":token": randomToken() },
          });
        }),
      );
    },

    async pruneFolders(home, folders) {
      const { sdk, client } = await connect();
      let pruned = 0;
      for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
        const entry = await getItem(home, `${ITEM_PREFIX.folder}${folder}`);
        if (entry === undefined) {
          continue;
        }
        const below = await client.send(
          new sdk.QueryCommand({
            TableName: table,
            KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
            ExpressionAttributeNames: { "#pk": P, "#sk": S },
            ExpressionAttributeValues: { ":pk": { S: pk(home) }, ":prefix": { S: `${ITEM_PREFIX.object}${folder}` } },
            ConsistentRead: true,
            Limit: 1,
          }),
        );
        if ((below.Items ?? []).length > 0) {
          // Holds an object: so do all the folders above it.
          return pruned;
        }
        // Only if nobody touched it since it was read: an object written meanwhile keeps it.
        const deleted = await conditionally(() =>
          client.send(
            new sdk.DeleteItemCommand({
              TableName: table,
              Key: keyOf(home, `${ITEM_PREFIX.folder}${folder}`),
              ConditionExpression: "#token = :token",
              ExpressionAttributeNames: { "#token": "token" },
              ExpressionAttributeValues: { ":token": entry.token ?? { S: "" } },
            }),
          ),
        );
        if (!deleted) {
          return pruned;
        }
        pruned += 1;
      }
      return pruned;
    },

    async keysOf(home) {
      return (await queryAll(home, ITEM_PREFIX.key)).map(keyStateOf);
    },

    async objectsOf(home) {
      return (await queryAll(home, ITEM_PREFIX.object)).map(objectOf);
    },

    async foldersOf(home) {
      return (await queryAll(home, ITEM_PREFIX.folder)).map((item) => (item[S]?.S ?? "").slice(ITEM_PREFIX.folder.length));
    },

    async homes(tenant) {
      const { sdk, client } = await connect();
      const homes: HomeRef[] = [];
      let start: Item | undefined;
      do {
        const out = await client.send(
          new sdk.ScanCommand({
            TableName: table,
            FilterExpression: tenant === undefined ? "#sk = :u" : "#sk = :u AND tenant = :tenant",
            ExpressionAttributeNames: { "#sk": S },
            ExpressionAttributeValues: { ":u": { S: USAGE_SORT_KEY }, ...(tenant === undefined ? {} : { ":tenant": { S: tenant } }) },
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
        for (const item of out.Items ?? []) {
          const u = fromItem(item);
          if (typeof u.tenant === "string" && typeof u.home === "string") {
            homes.push({ tenant: u.tenant, home: u.home });
          }
        }
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      return homes;
    },

    async correctUsage(home, seen, corrected) {
      await ensureUsage(home);
      return conditionally(() =>
        update(home, USAGE_SORT_KEY, {
          update: "SET storedBytes = :stored, objects = :objects, reservedBytes = :reserved, usedBytes = :used",
          condition: "storedBytes = :seenStored AND objects = :seenObjects AND reservedBytes = :seenReserved",
          values: {
            ":stored": corrected.storedBytes,
            ":objects": corrected.objects,
            ":reserved": corrected.reservedBytes,
            ":used": corrected.storedBytes + corrected.reservedBytes,
            ":seenStored": seen.storedBytes,
            ":seenObjects": seen.objects,
            ":seenReserved": seen.reservedBytes,
          },
        }),
      );
    },

    async dump(home) {
      return (await queryAll(home, "")).map((item) => fromItem(item));
    },
  };
}

const randomToken = () => createHash("sha256").update(`${Date.now()}:${Math.random()}:${process.hrtime.bigint()}`).digest("base64url").slice(0, 16);

function reservationPlain(r: Reservation): Plain {
  return {
    kind: r.kind,
    path: r.path,
    bytes: r.bytes,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    ...(r.uploadId === undefined ? {} : { uploadId: r.uploadId }),
  };
}

function keyStatePlain(state: KeyState): { [key: string]: Plain | undefined } {
  return {
    path: state.path,
    rev: state.rev,
    versions: state.versions as unknown as Plain,
    present: state.present,
    lastSequencer: state.lastSequencer,
    pending: state.pending as unknown as Plain,
  };
}

function objectPlain(home: HomeRef, o: ObjectItem): { [key: string]: Plain | undefined } {
  const { localIndexes, globalIndexes } = INDEX_TABLE;
  const name = nameOf(o.path);
  return {
    path: o.path,
    size: o.size,
    etag: o.etag,
    lastModified: o.lastModified,
    contentType: o.contentType,
    metadata: o.metadata,
    scanStatus: o.scanStatus,
    versionId: o.versionId,
    created: o.created,
    owner: o.owner,
    rev: o.rev,
    [localIndexes.byModified]: `${o.lastModified}#${o.path}`,
    [localIndexes.bySize]: `${sizeSortKey(o.size)}#${o.path}`,
    [globalIndexes.byFolder.partitionKey]: folderPartition(homePartition(home.tenant, home.home), parentFolder(o.path)),
    [globalIndexes.byFolder.sortKey]: name,
    [globalIndexes.byFolderModified.sortKey]: `1#${o.lastModified}#${name}`,
    [globalIndexes.byFolderSize.sortKey]: `1#${sizeSortKey(o.size)}#${name}`,
  };
}
