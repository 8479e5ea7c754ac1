import * as assert from "node:assert/strict";
import { type KeyValueStore } from "../../../../client/src/stores/key-value-store";

/** Keys a store must keep apart and give back exactly, whatever it does with them underneath. */
export const AWKWARD_KEYS = [
  "plain",
  "",
  "mobile-s3/upload/default@https://api.example.com/[\"photos/a.jpg\",10,\"image/jpeg\"]",
  "with/slashes/and\\backslashes",
  "quotes \"double\" and 'single'",
  "写真/ファイル ünïcødé 🐈.jpg",
  "..",
  ".",
  ".hidden",
  "*",
  "a*b?c<d>e|f:g",
  "percent %2F %25 %",
  "CON",
  "ends with .json",
  "x.tmp",
  "new\nline\ttab",
  "Case",
  "case",
  "k".repeat(180),
  "写".repeat(60),
];

/** What every KeyValueStore does, run against `make()` (a fresh, empty store each time). */
export function keyValueStoreContract(make: () => KeyValueStore): void {
  it("gives back what was set under each awkward key, and lists exactly those keys", async () => {
    const store = make();
    for (const [i, key] of AWKWARD_KEYS.entries()) {
      await store.setItem(key, `value ${i}`);
    }
    for (const [i, key] of AWKWARD_KEYS.entries()) {
      assert.equal(await store.getItem(key), `value ${i}`, JSON.stringify(key));
    }
    assert.deepEqual([...(await store.getAllKeys!())].sort(), [...AWKWARD_KEYS].sort());
  });

  it("keeps values as given", async () => {
    const store = make();
    for (const value of ["", "{\"json\":true}", "line\nbreaks\r\n", "ünïcødé 🐈", "x".repeat(100_000)]) {
      await store.setItem("k", value);
      assert.equal(await store.getItem("k"), value);
    }
  });

  it("answers null for a key never set", async () => {
    assert.equal(await make().getItem("missing"), null);
  });

  it("overwrites", async () => {
    const store = make();
    await store.setItem("k", "first");
    await store.setItem("k", "second");
    assert.equal(await store.getItem("k"), "second");
    assert.deepEqual(await store.getAllKeys!(), ["k"]);
  });

  it("removes one key and leaves the others", async () => {
    const store = make();
    for (const key of AWKWARD_KEYS) {
      await store.setItem(key, "v");
    }
    for (const key of AWKWARD_KEYS.slice(0, 10)) {
      await store.removeItem(key);
      assert.equal(await store.getItem(key), null, JSON.stringify(key));
    }
    assert.deepEqual([...(await store.getAllKeys!())].sort(), AWKWARD_KEYS.slice(10).sort());
  });

  it("removes a key never set without complaint", async () => {
    await make().removeItem("missing");
  });

  it("lists nothing when empty", async () => {
    assert.deepEqual(await make().getAllKeys!(), []);
  });
}
