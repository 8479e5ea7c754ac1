import { OBJECT_CREATED, TENANTS_ROOT } from "@mobile-s3/contract";
import { randomUUID } from "node:crypto";
import { type ScanOutcome } from "../functions/scan/core";
import { type ObjectInfo, type ObjectStore } from "../functions/shared/store";

/** EventBridge retries a failed invocation twice (Lambda's asynchronous default); so does the worker. */
const ATTEMPTS = 3;

export interface ScanWorkerOptions {
  store: ObjectStore;
  /** Buckets the program sends to the scanner (SCAN_BUCKETS). */
  buckets: string[];
  /** The scan function's handler, as EventBridge invokes it. */
  scan: (event: unknown) => Promise<ScanOutcome>;
  region: string;
  /** @default 1000 */
  intervalMs?: number;
  /** A failure the worker gives up on (after its retries). */
  onGiveUp: (bucket: string, key: string, error: unknown) => void;
}

export interface ScanWorker {
  /** Resolves once the pass in progress, if any, has ended. */
  stop(): Promise<void>;
}

/** The EventBridge event S3 sends for a new object (the fields the program's rule and the handler read). */
export function objectCreatedEvent(bucket: string, object: ObjectInfo, region: string): Record<string, unknown> {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": OBJECT_CREATED.detailType,
    source: OBJECT_CREATED.source,
    time: new Date().toISOString(),
    region,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: "0",
      bucket: { name: bucket },
      object: { key: object.key, size: object.size, etag: object.etag.replace(/"/g, "") },
      reason: "PutObject",
    },
  };
}

async function listAll(store: ObjectStore, bucket: string): Promise<ObjectInfo[]> {
  const objects: ObjectInfo[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ bucket, prefix: TENANTS_ROOT, cursor, limit: 1000 });
    objects.push(...page.objects);
    cursor = page.nextCursor;
  } while (cursor);
  return objects;
}

/**
 * Stands in for S3 → EventBridge → the scan function, which the engine cannot do: every second it
 * lists the scanned buckets under `tenants/` (the prefix the program's rule matches) and sends the
 * scan handler one "Object Created" event per object it has not seen in that version (by ETag),
 * as S3 sends one per upload. Uploads that complete between two passes are scanned in the next.
 */
export function startScanWorker(opts: ScanWorkerOptions): ScanWorker {
  const interval = opts.intervalMs ?? 1000;
  /** bucket\0key → the ETag already delivered, or the failed attempts so far. */
  const delivered = new Map<string, string>();
  const failures = new Map<string, number>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();

  async function deliver(bucket: string, object: ObjectInfo): Promise<void> {
    const id = `${bucket}\0${object.key}`;
    const version = `${object.etag}\0${object.lastModified}`;
    if (delivered.get(id) === version) {
      return;
    }
    try {
      await opts.scan(objectCreatedEvent(bucket, object, opts.region));
      delivered.set(id, version);
      failures.delete(id);
    } catch (err) {
      const attempts = (failures.get(id) ?? 0) + 1;
      failures.set(id, attempts);
      if (attempts >= ATTEMPTS) {
        delivered.set(id, version);
        failures.delete(id);
        opts.onGiveUp(bucket, object.key, err);
      }
    }
  }

  async function runPass(): Promise<void> {
    for (const bucket of opts.buckets) {
      if (stopped) {
        return;
      }
      let objects: ObjectInfo[];
      try {
        objects = await listAll(opts.store, bucket);
      } catch {
        // The engine is stopping, or busy: the next pass lists again.
        continue;
      }
      const present = new Set(objects.map((o) => `${bucket}\0${o.key}`));
      for (const id of delivered.keys()) {
        if (id.startsWith(`${bucket}\0`) && !present.has(id)) {
          delivered.delete(id);
        }
      }
      for (const object of objects) {
        if (stopped) {
          return;
        }
        await deliver(bucket, object);
      }
    }
  }

  const schedule = () => {
    timer = setTimeout(() => {
      pass = runPass()
        .catch(() => undefined)
        .finally(() => {
          if (!stopped) {
            schedule();
          }
        });
    }, interval);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await pass;
    },
  };
}
