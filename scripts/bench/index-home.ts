import { ancestorFolders, ScanStatus } from "@mobile-s3/contract";
import { createHash } from "node:crypto";
import { type HomeRef, type KeyState, type ObjectIndex, type ObjectItem } from "../../functions/shared/object-index";

/*
 * A home of any size in the object index, for the "index" section: the items the indexer leaves
 * once it has taken in every upload (functions/indexer/refresh.ts), written through the index's own
 * writes, without S3. Per object, its key item (one version, nothing pending) and its object item;
 * one folder entry per folder; and the usage counters taken in through `applyPending` and cleared,
 * as the indexer does per key (here once for the whole home: the counters end the same).
 */

/**
 * A camera roll: the first ten objects and one in ten after them at the home's top, the nine between
 * each two of those in one album, the albums (about √n / 2) taking turns. Names sort as S3 and the index sort them, by UTF-16 code unit, so the top's
 * `IMG_…` files come before the `album-…/` folders: every home's first page of ten is the same ten
 * objects, whatever the home's size.
 */
export function homePath(i: number, objects: number): string {
  const albums = Math.max(1, Math.ceil(Math.sqrt(objects) / 2));
  const name = `IMG_${String(i).padStart(6, "0")}.jpg`;
  return i < 10 || i % 10 === 0 ? name : `album-${String((Math.floor(i / 10) - 1) % albums).padStart(3, "0")}/${name}`;
}

/** Entries at the top of a home of `objects` (what a listing with the `/` delimiter holds): its files there and its folders. */
export function topEntries(objects: number): number {
  const paths = Array.from({ length: objects }, (_, i) => homePath(i, objects));
  return new Set(paths.map((p) => (p.includes("/") ? p.slice(0, p.indexOf("/") + 1) : p))).size;
}

const hex = (text: string, length: number) => createHash("sha256").update(text).digest("hex").slice(0, length);

/** Object `i` of a home of `objects`: the same on every run, sizes of 0.5 to 8 MB, a minute apart. */
export function homeObject(home: HomeRef, i: number, objects: number): { key: KeyState; object: ObjectItem } {
  const path = homePath(i, objects);
  const size = 500_000 + ((i * 7_919_003) % 7_500_000);
  const lastModified = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();
  const versionId = hex(`${home.home}/${path}/version`, 32);
  return {
    key: { path, rev: 1, versions: { [versionId]: { size, lastModified } }, present: true },
    object: {
      path,
      size,
      etag: hex(`${home.home}/${path}`, 32),
      lastModified,
      contentType: "image/jpeg",
      metadata: i % 3 === 0 ? { album: "Summer 2024" } : {},
      scanStatus: ScanStatus.clean,
      versionId,
      created: lastModified,
      owner: home.home,
      rev: 1,
    },
  };
}

async function inBatches<T>(items: readonly T[], concurrency: number, write: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      await write(items[next++]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Where the home-wide change is recorded while it is taken in (any path: it is cleared at once). */
const SEED_PATH = ".bench-seed";

/** Writes a home of `objects` objects into the index, as the indexer leaves it; returns the bytes stored. */
export async function seedHome(index: ObjectIndex, home: HomeRef, objects: number, concurrency = 16): Promise<{ storedBytes: number; folders: number }> {
  const items = Array.from({ length: objects }, (_, i) => homeObject(home, i, objects));
  await inBatches(items, concurrency, async ({ key, object }) => {
    if (!(await index.putKey(home, key, undefined))) {
      throw new Error(`the index already holds ${key.path} of the bench home; seed a fresh table`);
    }
    await index.putObject(home, object);
  });
  const folders = [...new Set(items.flatMap(({ object }) => ancestorFolders(object.path)))];
  for (let i = 0; i < folders.length; i += concurrency) {
    await index.touchFolders(home, folders.slice(i, i + concurrency));
  }
  const storedBytes = items.reduce((sum, { object }) => sum + object.size, 0);
  const change = { rev: 1, storedBytes, objects, consumes: [] };
  if ((await index.applyPending(home, SEED_PATH, change)) !== "applied") {
    throw new Error("the bench home's usage item did not take its objects in");
  }
  await index.clearPending(home, SEED_PATH, change.rev);
  return { storedBytes, folders: folders.length };
}

