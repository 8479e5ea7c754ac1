import * as assert from "node:assert/strict";
import { StorageArgumentError } from "../../../client/src/errors";
import { type ByteSource, bytesOf, sampleFingerprint, toByteSource, type UploadSource } from "../../../client/src/source";

const BYTES = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) % 256);
const KIB = 1024;

async function read(source: ByteSource, start: number, end: number): Promise<number[]> {
  return [...(await bytesOf(await source.slice(start, end)))];
}

/** A source of `bytes` that counts its reads. */
function counting(bytes: Uint8Array, fingerprint?: string): ByteSource & { reads: number } {
  const source = {
    reads: 0,
    size: bytes.byteLength,
    ...(fingerprint === undefined ? {} : { fingerprint }),
    slice(start: number, end: number) {
      source.reads++;
      return bytes.slice(start, end);
    },
  };
  return source;
}

describe("client/source", () => {
  describe("toByteSource", () => {
    const accepted: [string, () => UploadSource][] = [
      ["a Uint8Array", () => BYTES.slice()],
      ["a Uint8Array view into a larger buffer", () => new Uint8Array(Uint8Array.from([9, 9, ...BYTES, 9]).buffer, 2, BYTES.length)],
      ["a Buffer", () => Buffer.from(BYTES)],
      ["an ArrayBuffer", () => BYTES.slice().buffer],
      ["a Blob", () => new Blob([BYTES])],
      ["a File", () => new File([BYTES], "cat.jpg", { type: "image/jpeg", lastModified: 1_764_000_000_000 })],
    ];
    for (const [name, make] of accepted) {
      it(`reads ${name} by range`, async () => {
        const source = toByteSource(make());
        assert.equal(source.size, BYTES.length);
        for (const [start, end] of [[0, 1000], [0, 1], [999, 1000], [100, 356], [500, 500]]) {
          assert.deepEqual(await read(source, start, end), [...BYTES.subarray(start, end)], `${start}…${end}`);
        }
      });
    }

    it("fingerprints a File by its name, modification time and size", () => {
      const file = new File([BYTES], "cat.jpg", { lastModified: 1_764_000_000_000 });
      assert.equal(toByteSource(file).fingerprint, "file:cat.jpg:1764000000000:1000");
    });

    it("leaves a plain Blob to the sample fingerprint", () => {
      assert.equal(toByteSource(new Blob([BYTES])).fingerprint, undefined);
    });

    it("hands a Blob's slices on as Blobs, never copied into memory", async () => {
      assert.ok((await toByteSource(new Blob([BYTES])).slice(0, 10)) instanceof Blob);
    });

    it("passes a custom ByteSource through as it is", () => {
      const custom = counting(BYTES, "uri:content://media/1:1764000000000");
      assert.equal(toByteSource(custom), custom);
    });

    const refused: [string, unknown][] = [
      ["undefined", undefined],
      ["null", null],
      ["a string", "file:///photos/cat.jpg"],
      ["a number", 42],
      ["an empty object", {}],
      ["a size without slice", { size: 3 }],
      ["slice without a size", { slice: () => BYTES }],
      ["a fractional size", { size: 1.5, slice: () => BYTES }],
      ["a size given as a string", { size: "3", slice: () => BYTES }],
      ["an unsafe size", { size: 2 ** 53, slice: () => BYTES }],
      ["a Uint16Array", new Uint16Array(4)],
      ["an array of numbers", [1, 2, 3]],
    ];
    for (const [name, value] of refused) {
      it(`refuses ${name} with a StorageArgumentError naming the source`, () => {
        assert.throws(() => toByteSource(value as UploadSource), (err: unknown) => err instanceof StorageArgumentError && /the source must be/.test(err.message));
      });
    }
  });

  describe("sampleFingerprint", () => {
    const SIZE = 1024 * KIB;
    const original = Uint8Array.from({ length: SIZE }, (_, i) => (i * 2_654_435_761) >>> 24);
    const changedAt = (offset: number) => {
      const copy = original.slice();
      copy[offset] ^= 0x01;
      return copy;
    };

    it("is the same for the same bytes, whoever holds them", async () => {
      const a = await sampleFingerprint(toByteSource(original.slice()));
      assert.equal(await sampleFingerprint(toByteSource(new Blob([original]))), a);
      assert.equal(await sampleFingerprint(counting(original.slice())), a);
      assert.match(a, /^fnv1a:1048576:[0-9a-f]{8}$/);
    });

    const changes: [string, number][] = [
      ["the first byte", 0],
      ["a byte in the first 64 KiB", 40 * KIB],
      ["the middle byte", SIZE / 2],
      ["a byte at the start of the middle sample", SIZE / 2 - 32 * KIB],
      ["a byte in the last 64 KiB", SIZE - 10 * KIB],
      ["the last byte", SIZE - 1],
    ];
    for (const [name, offset] of changes) {
      it(`changes when ${name} changes`, async () => {
        assert.notEqual(await sampleFingerprint(toByteSource(changedAt(offset))), await sampleFingerprint(toByteSource(original)));
      });
    }

    it("changes with the size", async () => {
      assert.notEqual(await sampleFingerprint(toByteSource(original.subarray(0, SIZE - 1))), await sampleFingerprint(toByteSource(original)));
    });

    for (const size of [1, 100, 64 * KIB, 64 * KIB + 1, 130 * KIB]) {
      it(`samples a source of ${size} bytes`, async () => {
        assert.match(await sampleFingerprint(toByteSource(original.subarray(0, size))), new RegExp(`^fnv1a:${size}:[0-9a-f]{8}$`));
      });
    }

    it("uses a given fingerprint as it is, without reading", async () => {
      const source = counting(original, "uri:content://media/1:1764000000000");
      assert.equal(await sampleFingerprint(source), "uri:content://media/1:1764000000000");
      assert.equal(source.reads, 0);
    });
  });
});
