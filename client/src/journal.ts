import { type KeyValueStore } from "./stores/key-value-store";

/** A multipart upload in progress, as saved after every confirmed part. */
export interface UploadRecord {
  version: 1;
  /** The store key this record lives under. */
  key: string;
  /** The path the app asked for, and the normalised path the server answered. */
  requestedPath: string;
  path: string;
  size: number;
  contentType: string;
  /**
   * The custom metadata the multipart upload was created with, as checked (absent in records saved
   * before metadata existed: none). S3 fixes it at creation, so only the same map continues the upload.
   */
  metadata?: Record<string, string>;
  fingerprint: string;
  uploadId: string;
  partSize: number;
  partCount: number;
  /** Parts S3 confirmed: [partNumber, etag, size]. */
  parts: [number, string, number][];
  createdAt: string;
}

/** What `pendingUploads()` shows an app after a restart. */
export interface PendingUpload {
  path: string;
  size: number;
  contentType: string;
  /** Pass it to `upload` again with the file: other metadata starts the upload afresh. */
  metadata: Record<string, string>;
  partsDone: number;
  partCount: number;
  createdAt: string;
}

const PREFIX = "mobile-s3/upload/";

/**
 * Upload records in the app's key-value store. Writes per record are coalesced: while one is in
 * flight, further saves only mark the record dirty and the latest state is written next, so a
 * 10,000-part upload does not queue 10,000 writes of a growing JSON document.
 */
export class UploadJournal {
  private readonly slots = new Map<string, { next?: () => string; flushing?: Promise<void> }>();

  constructor(
    private readonly store: KeyValueStore,
    /** Separates apps, API endpoints or signed-in users sharing one store. */
    private readonly namespace: string,
  ) {}

  keyOf(path: string, size: number, contentType: string): string {
    return `${PREFIX}${this.namespace}/${JSON.stringify([path, size, contentType])}`;
  }

  async load(key: string): Promise<UploadRecord | undefined> {
    const text = await this.store.getItem(key);
    if (text === null) {
      return undefined;
    }
    try {
      const record = JSON.parse(text) as UploadRecord;
      return record.version === 1 && record.key === key && typeof record.uploadId === "string" ? record : undefined;
    } catch {
      // A record this version cannot read is no upload to resume; the next save replaces it.
      return undefined;
    }
  }

  /** Saves `snapshot()` as it is when the write happens; resolves once that (or a later) state is stored. */
  save(key: string, snapshot: () => UploadRecord): Promise<void> {
    const slot = this.slotOf(key);
    slot.next = () => JSON.stringify(snapshot());
    slot.flushing ??= (async () => {
      // Yield first: a store that throws synchronously (a localStorage wrapper over quota) would
      // otherwise settle this before `??=` keeps it, and the slot would hold that failure for good.
      await undefined;
      try {
        while (slot.next !== undefined) {
          const text = slot.next();
          slot.next = undefined;
          await this.store.setItem(key, text);
        }
      } finally {
        slot.flushing = undefined;
      }
    })();
    return slot.flushing;
  }

  async remove(key: string): Promise<void> {
    const slot = this.slotOf(key);
    slot.next = undefined;
    await slot.flushing?.catch(() => undefined);
    await this.store.removeItem(key);
    this.slots.delete(key);
  }

  async pending(): Promise<UploadRecord[]> {
    if (this.store.getAllKeys === undefined) {
      return [];
    }
    const mine = `${PREFIX}${this.namespace}/`;
    const keys = (await this.store.getAllKeys()).filter((key) => key.startsWith(mine));
    const records = await Promise.all(keys.map((key) => this.load(key)));
    // The prefix alone would also take in namespace "a/b" for "a": only keys this namespace builds count.
    return records.filter((record): record is UploadRecord => record !== undefined && record.key === this.keyOf(record.requestedPath, record.size, record.contentType));
  }

  private slotOf(key: string) {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = {};
      this.slots.set(key, slot);
    }
    return slot;
  }
}
