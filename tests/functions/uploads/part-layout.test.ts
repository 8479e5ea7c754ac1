import * as assert from "node:assert/strict";
import { MAX_PARTS, MIN_PART_BYTES, partLayout, partLength } from "../../../functions/uploads/part-layout";

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const TIB = 1024 ** 4;

describe("functions/uploads/part-layout", () => {
  const layouts: [string, number, number, number][] = [
    ["one byte", 1, 5 * MIB, 1],
    ["exactly one minimum part", 5 * MIB, 5 * MIB, 1],
    ["one byte over a part", 5 * MIB + 1, 5 * MIB, 2],
    ["two parts and a tail", 10 * MIB + 1234, 5 * MIB, 3],
    ["1 GiB", GIB, 5 * MIB, 205],
    ["the most 5 MiB parts can carry", 10_000 * 5 * MIB, 5 * MIB, 10_000],
    ["one byte more than that", 10_000 * 5 * MIB + 1, 6 * MIB, 8334],
    ["100 GiB", 100 * GIB, 11 * MIB, 9310],
    ["S3's largest object, 5 TiB", 5 * TIB, 525 * MIB, 9987],
  ];
  for (const [label, size, partSize, partCount] of layouts) {
    it(`cuts ${label} (${size} bytes) into ${partCount} part(s) of ${partSize / MIB} MiB`, () => {
      assert.deepEqual(partLayout(size), { partSize, partCount });
    });
  }

  it("always keeps to S3's rules: parts of at least 5 MiB, whole MiB, at most 10,000 of them, covering the object", () => {
    for (let size = 1; size <= 5 * TIB; size = Math.ceil(size * 1.37) + 7) {
      const { partSize, partCount } = partLayout(size);
      assert.ok(partSize >= MIN_PART_BYTES && partSize % MIB === 0, `part size for ${size}`);
      assert.ok(partCount >= 1 && partCount <= MAX_PARTS, `part count for ${size}`);
      assert.ok((partCount - 1) * partSize < size && size <= partCount * partSize, `parts cover ${size} exactly`);
    }
  });

  it("refuses sizes that are not positive whole numbers", () => {
    for (const size of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => partLayout(size), RangeError);
    }
  });

  it("gives every part its exact length: partSize for all but the last, the rest for the last", () => {
    for (const size of [1, 5 * MIB, 5 * MIB + 1, 17 * MIB, 10_000 * 5 * MIB + 1]) {
      const layout = partLayout(size);
      const lengths = Array.from({ length: layout.partCount }, (_, i) => partLength(layout, size, i + 1));
      assert.equal(lengths.reduce((a, b) => a + b, 0), size, `${size}: the parts add up`);
      assert.ok(lengths.slice(0, -1).every((l) => l === layout.partSize));
      assert.ok(lengths[lengths.length - 1] >= 1 && lengths[lengths.length - 1] <= layout.partSize);
    }
    assert.deepEqual([1, 2, 3, 4].map((n) => partLength(partLayout(17 * MIB), 17 * MIB, n)), [5 * MIB, 5 * MIB, 5 * MIB, 2 * MIB]);
  });

  it("has no part beyond the layout's partCount, nor a part 0", () => {
    const layout = partLayout(17 * MIB);
    assert.throws(() => partLength(layout, 17 * MIB, 5), /outside 1\.\.4/);
    assert.throws(() => partLength(layout, 17 * MIB, 1024), /outside 1\.\.4/);
    assert.throws(() => partLength(layout, 17 * MIB, 0), RangeError);
  });
});
