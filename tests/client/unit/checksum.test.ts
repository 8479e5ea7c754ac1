import * as assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { base64, platformSha256, sha256Base64 } from "../../../client/src/checksum";
import { StorageArgumentError } from "../../../client/src/errors";

describe("client/checksum", () => {
  describe("base64", () => {
    it("matches Buffer's for every length from 0 to 70 (all three paddings)", () => {
      for (let length = 0; length <= 70; length++) {
        const bytes = Uint8Array.from({ length }, (_, i) => (i * 73 + length) % 256);
        assert.equal(base64(bytes), Buffer.from(bytes).toString("base64"), `length ${length}`);
      }
    });

    it("matches Buffer's for random bytes and for every byte value", () => {
      for (const bytes of [randomBytes(1000), randomBytes(4097), Uint8Array.from({ length: 256 }, (_, i) => i), new Uint8Array(33).fill(255)]) {
        assert.equal(base64(bytes), Buffer.from(bytes).toString("base64"));
      }
    });

    it("encodes a view, not the buffer behind it", () => {
      const view = new Uint8Array(Uint8Array.from([1, 2, 3, 4, 5, 6]).buffer, 1, 4);
      assert.equal(base64(view), Buffer.from([2, 3, 4, 5]).toString("base64"));
    });
  });

  describe("sha256Base64", () => {
    const sha256 = platformSha256();

    it("finds the platform's SHA-256 in Node", () => {
      assert.equal(typeof sha256, "function");
    });

    for (const bytes of [new Uint8Array(0), new TextEncoder().encode("abc"), randomBytes(70_000)]) {
      it(`equals node:crypto's digest for ${bytes.length} bytes`, async () => {
        assert.equal(await sha256Base64(bytes, sha256), createHash("sha256").update(bytes).digest("base64"));
      });
    }

    it("uses the SHA-256 the app passes", async () => {
      const given = async () => Uint8Array.from([0xde, 0xad, 0xbe, 0xef]);
      assert.equal(await sha256Base64(new Uint8Array(3), given), "3q2+7w==");
    });

    it("without a SHA-256, refuses with a StorageArgumentError naming the sha256 option", async () => {
      await assert.rejects(sha256Base64(new Uint8Array(3), undefined), (err: unknown) => err instanceof StorageArgumentError && /createStorageClient\(\{ sha256 \}\)/.test(err.message));
    });
  });
});
