import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clamScanner, type ClamScanSettings } from "../../../functions/scan/clamscan";
import { type Scanner } from "../../../functions/scan/scanner";

/**
 * The EICAR anti-virus test file (68 bytes, harmless by design). Kept base64-encoded so this
 * repository never holds the string itself and no scanner on a developer's machine quarantines
 * the test source.
 */
export const EICAR = Buffer.from("WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo=", "base64");

/** The signature the test database gives EICAR (clamscan appends `.UNOFFICIAL` to non-official names). */
export const EICAR_SIGNATURE = "MobileS3.Test.EICAR.UNOFFICIAL";

/** The smallest valid PNG: one transparent pixel. */
export const PNG_1PX = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

/**
 * A ClamAV database of one signature, written by the test, so clamscan needs no network and no
 * public database: an extended (.ndb) signature matching a part of EICAR unique to it, anywhere
 * in any file (`Name:TargetType 0 = any:Offset * = anywhere:hex`).
 */
export function writeEicarDatabase(): { dir: string; database: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "clamav-test-db-"));
  const database = path.join(dir, "mobile-s3-test.ndb");
  const unique = Buffer.from("EICAR-STANDARD-ANTIVIRUS-TEST-FILE").toString("hex");
  writeFileSync(database, `MobileS3.Test.EICAR:0:*:${unique}\n`);
  return { dir, database, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The real clamscan with the test database. */
export function testScanner(database: string, overrides: Partial<ClamScanSettings> = {}): Scanner {
  return clamScanner({ binary: "clamscan", database, timeoutMs: 30_000, maxFileBytes: 16 * 1024 * 1024, ...overrides });
}
