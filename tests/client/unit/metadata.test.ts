import * as assert from "node:assert/strict";
import { StorageError } from "../../../client/src/errors";
import { sameMetadata, uploadMetadata } from "../../../client/src/metadata";

describe("client/metadata", () => {
  describe("uploadMetadata", () => {
    it("answers the map as the server stores it: keys lowercased, values NFC", () => {
      assert.deepEqual(uploadMetadata("a.jpg", { Album: "Summer", "taken-by": "Zoe\u0308" }), { album: "Summer", "taken-by": "Zo\u00eb" });
    });

    it("answers an empty map for none", () => {
      assert.deepEqual(uploadMetadata("a.jpg", undefined), {});
    });

    it("refuses a map the server would, as StorageError InvalidMetadata naming the upload", () => {
      assert.throws(
        () => uploadMetadata("photos/a.jpg", { owner: "someone-else" }),
        (err: unknown) => err instanceof StorageError && err.code === "InvalidMetadata" && err.status === undefined && /^start the upload of photos\/a\.jpg: metadata key "owner"/.test(err.message),
      );
    });
  });

  describe("sameMetadata", () => {
    const cases: [string, Record<string, string>, Record<string, string>, boolean][] = [
      ["two empty maps", {}, {}, true],
      ["the same keys in another order", { a: "1", b: "2" }, { b: "2", a: "1" }, true],
      ["another value", { a: "1" }, { a: "2" }, false],
      ["a key more", { a: "1" }, { a: "1", b: "2" }, false],
      ["a key fewer", { a: "1", b: "2" }, { a: "1" }, false],
      ["other keys of the same number", { a: "1" }, { b: "1" }, false],
      ["a key the other has only by inheritance", { constructor: "x" }, {}, false],
    ];
    for (const [name, a, b, same] of cases) {
      it(`${same ? "matches" : "tells apart"} ${name}`, () => {
        assert.equal(sameMetadata(a, b), same);
        assert.equal(sameMetadata(b, a), same);
      });
    }
  });
});
