import * as assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { UploadJournal, type UploadRecord } from "../../../../client/src/journal";
import { FileStore } from "../../../../client/src/node/file-store";
import { AWKWARD_KEYS, keyValueStoreContract } from "../stores/key-value-store-contract";

describe("client/node/file-store FileStore", () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "file-store-"));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  keyValueStoreContract(() => new FileStore(freshDir()));

  const longKeys: [string, string][] = [
    ["just under the readable limit", "k".repeat(200)],
    ["just over the readable limit", "k".repeat(201)],
    ["255 bytes once encoded", "/".repeat(85)],
    ["far over 255 bytes", "写真/".repeat(200)],
    ["short, ending in the hashed names' suffix", "x.long"],
  ];
  for (const [name, key] of longKeys) {
    it(`keeps a key ${name}, under a file name of at most 255 bytes`, async () => {
      const dir = freshDir();
      const store = new FileStore(dir);
      await store.setItem(key, "value");
      await store.setItem("short", "other");
      assert.equal(await store.getItem(key), "value");
      assert.deepEqual([...(await store.getAllKeys())].sort(), [key, "short"].sort());
      for (const file of readdirSync(dir)) {
        assert.ok(Buffer.byteLength(file) <= 255, file);
      }
      await store.removeItem(key);
      assert.equal(await store.getItem(key), null);
      assert.deepEqual(await store.getAllKeys(), ["short"]);
    });
  }

  it("keeps an upload of a long Unicode path resumable (its journal key is over 255 bytes encoded)", async () => {
    const store = new FileStore(freshDir());
    const journal = new UploadJournal(store, "default@https://abc123.execute-api.us-east-1.amazonaws.com/prod");
    const requestedPath = "写真/2024年/夏休み/沖縄旅行/IMG_20240701_123456.jpg";
    const key = journal.keyOf(requestedPath, 123_456_789, "image/jpeg");
    assert.ok(encodeURIComponent(key).length > 255);
    const record: UploadRecord = {
      version: 1,
      key,
      requestedPath,
      path: requestedPath,
      size: 123_456_789,
      contentType: "image/jpeg",
      fingerprint: "f",
      uploadId: "u",
      partSize: 8_388_608,
      partCount: 15,
      parts: [[1, '"e"', 8_388_608]],
      createdAt: "2026-11-24T00:00:00.000Z",
    };
    await journal.save(key, () => record);
    assert.deepEqual(await journal.load(key), record);
    assert.deepEqual(await journal.pending(), [record]);
  });

  it("leaves no temporary file after many writes, concurrent ones included", async () => {
    const dir = freshDir();
    const store = new FileStore(dir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.setItem(AWKWARD_KEYS[i % AWKWARD_KEYS.length], `v${i}`)));
    for (let i = 0; i < 20; i++) {
      await store.setItem("k", `v${i}`);
      await store.setItem("写".repeat(100), `v${i}`);
    }
    assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith(".tmp")), []);
  });

  it("is seen by a new instance on the same directory", async () => {
    const dir = freshDir();
    const first = new FileStore(dir);
    for (const [i, key] of AWKWARD_KEYS.entries()) {
      await first.setItem(key, `value ${i}`);
    }
    await first.removeItem("plain");
    const reopened = new FileStore(dir);
    for (const [i, key] of AWKWARD_KEYS.entries()) {
      assert.equal(await reopened.getItem(key), key === "plain" ? null : `value ${i}`, JSON.stringify(key));
    }
    assert.deepEqual([...(await reopened.getAllKeys())].sort(), AWKWARD_KEYS.filter((k) => k !== "plain").sort());
  });

  it("creates its directory, nested, when it is missing", async () => {
    const dir = path.join(freshDir(), "a", "b");
    await new FileStore(dir).setItem("k", "v");
    assert.equal(await new FileStore(dir).getItem("k"), "v");
  });

  it("lists only its own files, not other files in the directory", async () => {
    const dir = freshDir();
    writeFileSync(path.join(dir, ".DS_Store"), "");
    writeFileSync(path.join(dir, "notes.txt"), "");
    writeFileSync(path.join(dir, "100%.json"), "{}");
    writeFileSync(path.join(dir, `${"0".repeat(64)}.long.json`), "not a wrapped value");
    writeFileSync(path.join(dir, "k.json.123.0.tmp"), "half a write");
    const store = new FileStore(dir);
    await store.setItem("k", "v");
    assert.deepEqual(await store.getAllKeys(), ["k"]);
  });
});
