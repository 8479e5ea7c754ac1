import * as assert from "node:assert/strict";
import { UploadJournal, type UploadRecord } from "../../../client/src/journal";
import { type KeyValueStore } from "../../../client/src/stores/key-value-store";
import { MemoryStore } from "../../../client/src/stores/memory-store";

function recordOf(journal: UploadJournal, partsDone = 0, path = "photos/big.mp4"): UploadRecord {
  return {
    version: 1,
    key: journal.keyOf(path, 20, "video/mp4"),
    requestedPath: path,
    path,
    size: 20,
    contentType: "video/mp4",
    fingerprint: "fnv1a:20:0badf00d",
    uploadId: "2~wJx9",
    partSize: 1,
    partCount: 20,
    parts: Array.from({ length: partsDone }, (_, i): [number, string, number] => [i + 1, `"etag-${i + 1}"`, 1]),
    createdAt: "2026-11-24T00:00:00.000Z",
  };
}

/** A store whose writes stay in flight until the test lets them finish. */
class GatedStore extends MemoryStore {
  readonly writes: string[] = [];
  removes = 0;
  private readonly inFlight: (() => void)[] = [];
  private readonly waiting: (() => void)[] = [];

  override async setItem(key: string, value: string): Promise<void> {
    this.writes.push(value);
    await new Promise<void>((resolve) => {
      this.inFlight.push(resolve);
      this.waiting.splice(0).forEach((wake) => wake());
    });
    await super.setItem(key, value);
  }

  override async removeItem(key: string): Promise<void> {
    this.removes++;
    await super.removeItem(key);
  }

  /** Resolves once a write is in flight. */
  async writeStarted(): Promise<void> {
    while (this.inFlight.length === 0) {
      await new Promise<void>((wake) => this.waiting.push(wake));
    }
  }

  /** Lets writes finish, one at a time as they start, until `done` settles. */
  async drain(done: Promise<unknown>): Promise<void> {
    let settled = false;
    const watched = done.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      await Promise.race([this.writeStarted().then(() => this.inFlight.shift()?.()), watched]);
    }
  }
}

const partsIn = (text: string | null) => (JSON.parse(text ?? "null") as UploadRecord | null)?.parts.length;

describe("client/journal UploadJournal", () => {
  describe("keyOf", () => {
    const base = { namespace: "default@https://api.example.com", path: "photos/a.jpg", size: 10, type: "image/jpeg" };
    const variants: [string, Partial<typeof base>][] = [
      ["another namespace", { namespace: "alice@https://api.example.com" }],
      ["another API", { namespace: "default@https://api.example.com/v2" }],
      ["another path", { path: "photos/b.jpg" }],
      ["a path differing in case", { path: "photos/A.jpg" }],
      ["another size", { size: 11 }],
      ["another content type", { type: "image/png" }],
      ["the namespace's tail moved into the path", { namespace: "default@https:", path: "/api.example.com/photos/a.jpg" }],
      ["a path that imitates the separators", { path: 'photos/a.jpg",10,"image/jpeg' }],
    ];
    const keyOf = (v: typeof base) => new UploadJournal(new MemoryStore(), v.namespace).keyOf(v.path, v.size, v.type);
    for (const [name, change] of variants) {
      it(`separates ${name}`, () => assert.notEqual(keyOf({ ...base, ...change }), keyOf(base)));
    }

    it("is the same for the same upload, under the journal's prefix", () => {
      assert.equal(keyOf(base), keyOf({ ...base }));
      assert.ok(keyOf(base).startsWith("mobile-s3/upload/"));
    });
  });

  describe("save", () => {
    it("coalesces: 100 saves while a write is in flight make one more write, of the latest snapshot", async () => {
      const store = new GatedStore();
      const journal = new UploadJournal(store, "ns");
      const key = recordOf(journal).key;
      const saves = [journal.save(key, () => recordOf(journal, 0))];
      await store.writeStarted();
      for (let parts = 1; parts <= 100; parts++) {
        saves.push(journal.save(key, () => recordOf(journal, parts)));
      }
      const all = Promise.all(saves);
      await store.drain(all);
      await all;
      assert.deepEqual(store.writes.map(partsIn), [0, 100]);
      assert.equal(partsIn(await store.getItem(key)), 100);
    });

    it("takes the snapshot when it writes, not when it is asked", async () => {
      const store = new GatedStore();
      const journal = new UploadJournal(store, "ns");
      const live = recordOf(journal, 0);
      const key = live.key;
      const first = journal.save(key, () => live);
      await store.writeStarted();
      const second = journal.save(key, () => live);
      live.parts.push([1, '"e1"', 1], [2, '"e2"', 1]);
      await store.drain(Promise.all([first, second]));
      assert.equal(partsIn(await store.getItem(key)), 2);
    });

    const failing: [string, (fail: () => boolean, inner: MemoryStore) => KeyValueStore][] = [
      ["rejects", (fail, inner) => ({ ...bound(inner), setItem: async (k, v) => (fail() ? Promise.reject(quota()) : inner.setItem(k, v)) })],
      // A localStorage wrapper throws before it returns a promise.
      ["throws synchronously", (fail, inner) => ({ ...bound(inner), setItem: (k, v) => (fail() ? throwQuota() : inner.setItem(k, v)) })],
    ];
    for (const [name, storeOf] of failing) {
      it(`passes on a write that ${name}, and writes again on the next save`, async () => {
        let full = true;
        const inner = new MemoryStore();
        const journal = new UploadJournal(storeOf(() => full, inner), "ns");
        const key = recordOf(journal).key;
        await assert.rejects(journal.save(key, () => recordOf(journal, 1)), { name: "QuotaExceededError" });
        full = false;
        await journal.save(key, () => recordOf(journal, 2));
        assert.deepEqual(await journal.load(key), recordOf(journal, 2));
      });
    }
  });

  describe("remove", () => {
    it("waits for the write in flight, drops the saves queued behind it, and leaves the key gone", async () => {
      const store = new GatedStore();
      const journal = new UploadJournal(store, "ns");
      const key = recordOf(journal).key;
      const inFlight = journal.save(key, () => recordOf(journal, 1));
      await store.writeStarted();
      const queued = journal.save(key, () => recordOf(journal, 2));
      const removing = journal.remove(key);
      await new Promise(setImmediate);
      assert.equal(store.removes, 0, "removed while a write was in flight");
      await store.drain(Promise.all([inFlight, queued, removing]));
      assert.equal(await store.getItem(key), null);
      assert.deepEqual(store.writes.map(partsIn), [1]);
      assert.deepEqual(await journal.pending(), []);
    });

    it("lets the same key be saved again afterwards", async () => {
      const journal = new UploadJournal(new MemoryStore(), "ns");
      const key = recordOf(journal).key;
      await journal.save(key, () => recordOf(journal, 1));
      await journal.remove(key);
      await journal.save(key, () => recordOf(journal, 3));
      assert.deepEqual(await journal.load(key), recordOf(journal, 3));
    });

    it("of a key never saved is fine", async () => {
      await new UploadJournal(new MemoryStore(), "ns").remove("mobile-s3/upload/ns/nothing");
    });
  });

  describe("load", () => {
    const journal = new UploadJournal(new MemoryStore(), "ns");
    const good = recordOf(journal, 4);
    const unreadable: [string, string][] = [
      ["garbage", "{not json"],
      ["an empty string", ""],
      ["JSON null", "null"],
      ["a number", "42"],
      ["another version", JSON.stringify({ ...good, version: 2 })],
      ["a record of another key", JSON.stringify({ ...good, key: journal.keyOf("photos/other.mp4", 20, "video/mp4") })],
      ["a record without an upload id", JSON.stringify({ ...good, uploadId: undefined })],
    ];
    for (const [name, text] of unreadable) {
      it(`ignores ${name}`, async () => {
        const store = new MemoryStore();
        await store.setItem(good.key, text);
        assert.equal(await new UploadJournal(store, "ns").load(good.key), undefined);
      });
    }

    it("reads back what was saved", async () => {
      const store = new MemoryStore();
      const mine = new UploadJournal(store, "ns");
      await mine.save(good.key, () => good);
      assert.deepEqual(await mine.load(good.key), good);
    });

    it("finds nothing under a key never saved", async () => {
      assert.equal(await journal.load(good.key), undefined);
    });
  });

  describe("pending", () => {
    it("lists this namespace's readable records only", async () => {
      const store = new MemoryStore();
      const journalIn = (namespace: string) => new UploadJournal(store, namespace);
      const mine = journalIn("alice@https://api.example.com");
      for (const other of [
        journalIn("bob@https://api.example.com"),
        journalIn("alice@https://api.example.com/v2"),
        journalIn("alice@https://api.example.com.evil"),
        journalIn("alice@https://api.example"),
      ]) {
        const record = recordOf(other, 1);
        await other.save(record.key, () => record);
      }
      for (const path of ["a.mp4", "b.mp4"]) {
        const record = recordOf(mine, 2, path);
        await mine.save(record.key, () => record);
      }
      await store.setItem(mine.keyOf("broken.mp4", 20, "video/mp4"), "{not json");
      await store.setItem("someone-else's/key", "{}");
      const found = await mine.pending();
      assert.deepEqual(found.map((r) => r.requestedPath).sort(), ["a.mp4", "b.mp4"]);
    });

    it("is empty for a store that cannot list its keys", async () => {
      const inner = new MemoryStore();
      const store: KeyValueStore = { getItem: (k) => inner.getItem(k), setItem: (k, v) => inner.setItem(k, v), removeItem: (k) => inner.removeItem(k) };
      const journal = new UploadJournal(store, "ns");
      const record = recordOf(journal, 1);
      await journal.save(record.key, () => record);
      assert.deepEqual(await journal.pending(), []);
    });
  });
});

function bound(store: MemoryStore): KeyValueStore {
  return { getItem: (k) => store.getItem(k), setItem: (k, v) => store.setItem(k, v), removeItem: (k) => store.removeItem(k), getAllKeys: () => store.getAllKeys() };
}

function quota(): Error {
  return Object.assign(new Error("the store is full"), { name: "QuotaExceededError" });
}

function throwQuota(): never {
  throw quota();
}
