import { ConfigurationError } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadClamAvLocation, verdictOf } from "../../../functions/scan/clamscan";
import { ScanError } from "../../../functions/scan/scanner";
import { EICAR, EICAR_SIGNATURE, PNG_1PX, testScanner, writeEicarDatabase } from "./clamav-fixture";

const isScanError = (err: unknown) => err instanceof ScanError;

describe("functions/scan/clamscan", () => {
  let db: ReturnType<typeof writeEicarDatabase>;
  let work: string;
  before(() => {
    db = writeEicarDatabase();
    work = mkdtempSync(path.join(os.tmpdir(), "clamscan-test-"));
  });
  after(() => {
    db.remove();
    rmSync(work, { recursive: true, force: true });
  });

  /** A stand-in for clamscan that prints `stdout` and exits with `code` (or sleeps). */
  function fakeClamscan(name: string, script: string): string {
    const file = path.join(work, name);
    writeFileSync(file, `#!/bin/sh\n${script}\n`);
    chmodSync(file, 0o755);
    return file;
  }

  describe("with the real clamscan and a test-written signature database", () => {
    it("finds EICAR in bytes and names the signature", async () => {
      assert.deepEqual(await testScanner(db.database).scan({ bytes: EICAR }), { verdict: "infected", signature: EICAR_SIGNATURE });
    });

    it("finds EICAR embedded in a file of another type", async () => {
      const polyglot = Buffer.concat([PNG_1PX, EICAR]);
      assert.equal((await testScanner(db.database).scan({ bytes: polyglot })).verdict, "infected");
    });

    it("calls clean bytes clean, and an empty input too", async () => {
      assert.deepEqual(await testScanner(db.database).scan({ bytes: PNG_1PX }), { verdict: "clean" });
      assert.deepEqual(await testScanner(db.database).scan({ bytes: new Uint8Array() }), { verdict: "clean" });
    });

    it("scans a file by path, including a name with spaces and a colon", async () => {
      const infected = path.join(work, "an: infected file.txt");
      const clean = path.join(work, "a clean file.png");
      writeFileSync(infected, EICAR);
      writeFileSync(clean, PNG_1PX);
      assert.deepEqual(await testScanner(db.database).scan({ file: infected }), { verdict: "infected", signature: EICAR_SIGNATURE });
      assert.deepEqual(await testScanner(db.database).scan({ file: clean }), { verdict: "clean" });
    });

    it("leaves nothing behind in its temporary directory", async () => {
      const tmpDir = mkdtempSync(path.join(work, "tmp-"));
      await testScanner(db.database, { tmpDir }).scan({ bytes: EICAR });
      await testScanner(db.database, { tmpDir }).scan({ bytes: PNG_1PX });
      assert.deepEqual(readdirSync(tmpDir), []);
    });
  });

  describe("never takes an error for a clean verdict", () => {
    const failures: [string, () => Promise<unknown>, RegExp][] = [
      ["a missing clamscan", () => testScanner(db.database, { binary: path.join(work, "no-such-clamscan") }).scan({ bytes: PNG_1PX }), /could not run/],
      ["a missing signature database (clamscan exits 2)", () => testScanner(path.join(work, "missing.ndb")).scan({ bytes: PNG_1PX }), /exit code 2/],
      ["an empty signature directory", () => testScanner(mkdtempSync(path.join(work, "empty-db-"))).scan({ bytes: PNG_1PX }), /exit code 2/],
      ["a file that does not exist", () => testScanner(db.database).scan({ file: path.join(work, "missing.png") }), /cannot read/],
      ["a directory instead of a file", () => testScanner(db.database).scan({ file: work }), /not a regular file/],
      ["an input over the size limit", () => testScanner(db.database, { maxFileBytes: 10 }).scan({ bytes: PNG_1PX }), /over the scanner's limit/],
      [
        "exit 0 without an OK line",
        () => testScanner(db.database, { binary: fakeClamscan("silent-clamscan", "exit 0") }).scan({ bytes: PNG_1PX }),
        /without reporting the file clean/,
      ],
      [
        "an unexpected exit code",
        () => testScanner(db.database, { binary: fakeClamscan("odd-clamscan", "echo 'LibClamAV Error: oops' >&2; exit 40") }).scan({ bytes: PNG_1PX }),
        /exit code 40: LibClamAV Error: oops/,
      ],
      [
        "a scan that does not finish in time",
        () => testScanner(db.database, { binary: fakeClamscan("slow-clamscan", "exec sleep 5"), timeoutMs: 200 }).scan({ bytes: PNG_1PX }),
        /did not finish within 200 ms/,
      ],
    ];
    for (const [label, scan, message] of failures) {
      it(`rejects with a ScanError for ${label}`, async () => {
        await assert.rejects(scan(), (err: unknown) => isScanError(err) && message.test((err as Error).message));
      });
    }

    it("passes --alert-exceeds-max, so a file ClamAV skips for size is a detection, not OK", async () => {
      const argsFile = path.join(work, "args.txt");
      const recorder = fakeClamscan("recording-clamscan", `echo "$@" > ${argsFile}; for f; do :; done; echo "$f: OK"`);
      await testScanner(db.database, { binary: recorder, maxFileBytes: 1234 }).scan({ bytes: PNG_1PX });
      const args = readFileSync(argsFile, "utf8");
      assert.match(args, /--alert-exceeds-max=yes/);
      assert.match(args, /--max-filesize=1234/);
      assert.match(args, new RegExp(`-d ${db.database.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    });
  });

  describe("verdictOf", () => {
    const file = "/tmp/scan-x/object";
    const cases: [string, { code: number; stdout: string }, object | RegExp][] = [
      ["exit 0 with OK", { code: 0, stdout: `${file}: OK\n` }, { verdict: "clean" }],
      ["exit 0 for an empty file", { code: 0, stdout: `${file}: Empty file\n` }, { verdict: "clean" }],
      ["exit 1 with a FOUND line", { code: 1, stdout: `${file}: Win.Test.EICAR_HDB-1 FOUND\n` }, { verdict: "infected", signature: "Win.Test.EICAR_HDB-1" }],
      ["exit 1 for a limit ClamAV hit", { code: 1, stdout: `${file}: Heuristics.Limits.Exceeded.MaxFileSize FOUND\n` }, { verdict: "infected", signature: "Heuristics.Limits.Exceeded.MaxFileSize" }],
      ["exit 1 without a line it can read (still infected)", { code: 1, stdout: "" }, { verdict: "infected" }],
      ["exit 0 with a line for another file", { code: 0, stdout: `/elsewhere: OK\n` }, /without reporting the file clean/],
      ["exit 0 saying FOUND", { code: 0, stdout: `${file}: X FOUND\n` }, /without reporting the file clean/],
      ["exit 2", { code: 2, stdout: "" }, /exit code 2/],
    ];
    for (const [label, result, expected] of cases) {
      it(`reads ${label}`, () => {
        if (expected instanceof RegExp) {
          assert.throws(() => verdictOf(file, { ...result, stderr: "" }), (err: unknown) => isScanError(err) && expected.test((err as Error).message));
        } else {
          assert.deepEqual(verdictOf(file, { ...result, stderr: "" }), expected);
        }
      });
    }
  });

  describe("loadClamAvLocation", () => {
    it("defaults to clamscan on PATH with its own database", () => {
      assert.deepEqual(loadClamAvLocation({}), { binary: "clamscan" });
    });

    it("reads CLAMSCAN_PATH and CLAMAV_DB", () => {
      assert.deepEqual(loadClamAvLocation({ CLAMSCAN_PATH: "/opt/clamav/bin/clamscan", CLAMAV_DB: "/tmp/clamav" }), {
        binary: "/opt/clamav/bin/clamscan",
        database: "/tmp/clamav",
      });
    });

    const bad: [Record<string, string>, string][] = [
      [{ CLAMSCAN_PATH: "bin/clamscan" }, "CLAMSCAN_PATH"],
      [{ CLAMSCAN_PATH: "clamscan --debug" }, "CLAMSCAN_PATH"],
      [{ CLAMAV_DB: "relative/db" }, "CLAMAV_DB"],
    ];
    for (const [env, variable] of bad) {
      it(`refuses ${JSON.stringify(env)}, naming ${variable}`, () => {
        assert.throws(() => loadClamAvLocation(env), (err: unknown) => err instanceof ConfigurationError && err.variable === variable);
      });
    }
  });
});
