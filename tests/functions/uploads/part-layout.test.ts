import * as assert from "node:assert/strict";
import { layoutProblem, MAX_PARTS, MIN_PART_BYTES, partLayout } from "../../../functions/uploads/part-layout";

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

  const problems: [string, number[], RegExp | undefined][] = [
    ["three even parts and a shorter tail", [5 * MIB, 5 * MIB, 1234], undefined],
    ["a single part of any size", [42], undefined],
    ["a tail as long as the others", [6 * MIB, 6 * MIB], undefined],
    ["no parts", [], /at least one part/],
    ["parts under 5 MiB", [100, 100], /at least 5242880 bytes; part 1 has 100/],
    ["parts of different sizes", [6 * MIB, 5 * MIB, 10], /must be 6291456 bytes like part 1; part 2 has 5242880/],
    ["a tail longer than the parts", [5 * MIB, 5 * MIB + 1], /last part must hold from 1 to 5242880 bytes; part 2 has 5242881/],
    ["an empty tail", [5 * MIB, 0], /part 2 has 0/],
  ];
  for (const [label, sizes, problem] of problems) {
    it(`${problem ? "refuses" : "accepts"} ${label}`, () => {
      const found = layoutProblem(sizes);
      if (problem === undefined) {
        assert.equal(found, undefined);
      } else {
        assert.match(found ?? "", problem);
      }
    });
  }
});
