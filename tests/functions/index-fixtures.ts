import { GetObjectTaggingCommand, HeadObjectCommand, ListObjectVersionsCommand, type ListObjectVersionsCommandOutput, PutObjectTaggingCommand } from "@aws-sdk/client-s3";
import { type IndexerOutcome } from "../../functions/indexer/core";
import { type ObjectStore } from "../../functions/shared/store";
import { type IndexWorld, objectEvent } from "../harness/object-index";
import { type S3ObjectEventKind } from "../../sandbox/s3-events";

/*
 * What the functions' suites that run against the object index share: reading S3 as the truth the
 * index must agree with, the scanner's verdict written as the scanner writes it, and events for
 * buckets other than the world's own.
 */

/** The object's tags in S3, as a map. */
export async function tagsOf(world: IndexWorld, key: string, bucket = world.bucket): Promise<Record<string, string>> {
  const out = await world.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
  return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key!, t.Value!]));
}

/** Every version's bytes under `prefix` (ListObjectVersions, all pages): what S3 bills and the quota counts. */
export async function storedBytes(world: IndexWorld, prefix: string, bucket = world.bucket): Promise<number> {
  let total = 0;
  let page: Partial<ListObjectVersionsCommandOutput> = {};
  do {
    page = await world.s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, ...(page.IsTruncated ? { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker } : {}) }),
    );
    total += (page.Versions ?? []).reduce((sum, v) => sum + (v.Size ?? 0), 0);
  } while (page.IsTruncated);
  return total;
}

/**
 * The ClamAV scanner's verdict, as functions/scan writes it (the tags kept, `scan-status=clean` for
 * the current ETag), then the "Object Tags Added" event it causes, delivered to the indexer.
 */
export async function markClean(world: IndexWorld, key: string): Promise<void> {
  const { ETag } = await world.s3.send(new HeadObjectCommand({ Bucket: world.bucket, Key: key }));
  const tags = { ...(await tagsOf(world, key)), "scan-status": "clean", "scan-etag": ETag!.replace(/"/g, "") };
  await world.s3.send(new PutObjectTaggingCommand({ Bucket: world.bucket, Key: key, Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } }));
  await world.notify(key, "tagsAdded");
}

/** An S3 event for a key of any bucket (the world's `notify` knows only its own), handed to `indexer`. */
export function notifyIn(indexer: (event: unknown) => Promise<IndexerOutcome>, world: IndexWorld, bucket: string, key: string, kind: S3ObjectEventKind = "created"): Promise<IndexerOutcome> {
  return indexer(objectEvent(bucket, key, world.engine.region, kind));
}

/** The store with every call it receives noted by operation name (the calls still go through). */
export function recordingStore(store: ObjectStore, calls: string[]): ObjectStore {
  return new Proxy(store, {
    get(target, method: keyof ObjectStore) {
      const operation = target[method] as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        calls.push(method);
        return operation.apply(target, args);
      };
    },
  });
}
