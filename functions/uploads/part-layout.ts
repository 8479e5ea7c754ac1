/** S3's multipart rules: every part but the last at least 5 MiB, at most 10,000 parts, a part at most 5 GiB. */
export const MIN_PART_BYTES = 5 * 1024 ** 2;
export const MAX_PART_BYTES = 5 * 1024 ** 3;
export const MAX_PARTS = 10_000;

const MIB = 1024 ** 2;

export interface PartLayout {
  partSize: number;
  partCount: number;
}

/**
 * How an object of `size` bytes is cut into parts: the smallest whole number of MiB, at least
 * 5 MiB, that needs no more than 10,000 parts. Small parts suit phones: a dropped connection costs
 * one part, not the file. Every part is `partSize` bytes except the last, which holds the rest.
 */
export function partLayout(size: number): PartLayout {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new RangeError(`size must be a positive integer, got ${size}`);
  }
  const partSize = Math.max(MIN_PART_BYTES, Math.ceil(size / MAX_PARTS / MIB) * MIB);
  if (partSize > MAX_PART_BYTES) {
    throw new RangeError(`an object of ${size} bytes cannot be uploaded in ${MAX_PARTS} parts of at most ${MAX_PART_BYTES} bytes`);
  }
  return { partSize, partCount: Math.ceil(size / partSize) };
}

/** The exact length of part `partNumber` (1-based) of an object of `size` bytes cut as `layout`. */
export function partLength(layout: PartLayout, size: number, partNumber: number): number {
  if (!Number.isSafeInteger(partNumber) || partNumber < 1 || partNumber > layout.partCount) {
    throw new RangeError(`part ${partNumber} is outside 1..${layout.partCount}`);
  }
  return partNumber < layout.partCount ? layout.partSize : size - layout.partSize * (layout.partCount - 1);
}
