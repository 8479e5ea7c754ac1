import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileSource } from "../../../../client/src/node/file-source";
import { bytesOf } from "../../../../client/src/source";

const SIZE = 200 * 1024 + 17;
const BYTES = Uint8Array.from({ length: SIZE }, (_, i) => (i * 131 + 3) % 251);

describe("client/node/file-source fileSource", () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "file-source-"));
    file = path.join(dir, "video.mp4");
    writeFileSync(file, BYTES);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ranges: [string, number, number][] = [
    ["the whole file", 0, SIZE],
    ["the first byte", 0, 1],
    ["the last byte", SIZE - 1, SIZE],
    ["a part in the middle", 65_536, 131_072],
    ["the last, short part", 196_608, SIZE],
    ["an empty range", 10, 10],
  ];
  for (const [name, start, end] of ranges) {
    it(`reads exactly ${name}`, async () => {
      const source = await fileSource(file);
      assert.equal(source.size, SIZE);
      assert.deepEqual(await bytesOf(await source.slice(start, end)), BYTES.subarray(start, end));
    });
  }

  it("fingerprints the path, size and modification time", async () => {
    utimesSync(file, 1_764_000_000, 1_764_000_000);
    assert.equal((await fileSource(file)).fingerprint, `file:${file}:${SIZE}:1764000000000`);
  });

  it("fails a read when the file shrank after it was opened", async () => {
    const source = await fileSource(file);
    truncateSync(file, 1000);
    await assert.rejects(Promise.resolve(source.slice(500, 2000)), /is shorter than when the upload started/);
    assert.deepEqual(await bytesOf(await source.slice(0, 1000)), BYTES.subarray(0, 1000), "what is still there reads fine");
  });

  it("fails for a file that is not there", async () => {
    await assert.rejects(fileSource(path.join(dir, "missing.mp4")), { code: "ENOENT" });
  });
});
