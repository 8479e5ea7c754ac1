import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../offline/stack-config";
import { clamScanner, DEFAULT_CLAMSCAN } from "../functions/scan/clamscan";
import { type Scanner } from "../functions/scan/scanner";
import { type Children } from "./children";
import { type ScannerMode } from "./options";
import { type Progress } from "./progress";

/** Where Debian's clamav package (and freshclam) keeps the signatures clamscan loads by default. */
const CLAMAV_DB_DIR = "/var/lib/clamav";
const DATABASE_FILE = /\.(cvd|cld|cud)$/;
/** The EICAR test file's unique middle, as an extended signature: `Name:any target:anywhere:hex`. */
const EICAR_SIGNATURE = `MobileS3.Sandbox.EICAR:0:*:${Buffer.from("EICAR-STANDARD-ANTIVIRUS-TEST-FILE").toString("hex")}`;

export interface SandboxScanner {
  /**
   * The scanner the scan worker and the proxy use: ClamAV, or, when there is none, one that calls
   * everything clean (never in AWS: there the scan function has ClamAV or fails).
   */
  scanner?: Scanner;
  /** CLAMAV_DB for the functions, when the sandbox brings its own signatures. */
  database?: string;
  /** One line for the person who started it. */
  description: string;
}

/** Calls every upload clean without looking at it: `--scanner off`, or no ClamAV to be had. */
export const noScanner: Scanner = { scan: () => Promise.resolve({ verdict: "clean" }) };

function hasOwnDatabase(): boolean {
  try {
    return readdirSync(CLAMAV_DB_DIR).some((f) => DATABASE_FILE.test(f));
  } catch {
    return false;
  }
}

function warnNoScanning(progress: Progress, why: string): SandboxScanner {
  progress.warn([
    `NO MALWARE SCANNING: ${why}.`,
    "Every upload is tagged clean WITHOUT being scanned. Keep real user files out of this sandbox.",
    "For ClamAV: sudo bash scripts/scanner/install.sh, then start the sandbox again (or pass --scanner clamav to insist).",
  ]);
  return { scanner: noScanner, description: "none: every upload is tagged clean unscanned (see the warning above)" };
}

/**
 * ClamAV's clamscan, installed with `scripts/scanner/install.sh` when missing. With no signature
 * database on the machine (freshclam never ran: no network), the sandbox writes its own, one
 * signature for the EICAR test file, so the infected path can be tried without downloading anything.
 */
export async function sandboxScanner(mode: ScannerMode, dataDir: string, children: Children, progress: Progress): Promise<SandboxScanner> {
  if (mode === "off") {
    return warnNoScanning(progress, "started with --scanner off");
  }
  const install = await children.bash(path.join(PROJECT_ROOT, "scripts", "scanner", "install.sh"), {
    detached: false,
    onLine: (line) => line.trim() && progress.step(line.trim()),
  });
  if (install.code !== 0) {
    const why = `ClamAV is not installed and could not be (${install.stderr.trim().split("\n").pop() || `exit ${install.code}`})`;
    if (mode === "clamav") {
      throw new Error(`${why}; install it as root (sudo bash scripts/scanner/install.sh) or start with --scanner off`);
    }
    return warnNoScanning(progress, why);
  }
  if (hasOwnDatabase()) {
    return { description: `ClamAV (${DEFAULT_CLAMSCAN}) with its signatures in ${CLAMAV_DB_DIR}; each scan loads them, which takes seconds` };
  }
  const dir = path.join(dataDir, "clamav");
  mkdirSync(dir, { recursive: true });
  const database = path.join(dir, "sandbox-eicar.ndb");
  writeFileSync(database, `${EICAR_SIGNATURE}\n`);
  const scanner = clamScanner({ binary: DEFAULT_CLAMSCAN, database, timeoutMs: 30_000, maxFileBytes: 16 * 1024 * 1024 });
  try {
    await scanner.scan({ bytes: Buffer.from("sandbox self-test\n") });
  } catch (err) {
    const why = `clamscan does not run (${(err as Error).message})`;
    if (mode === "clamav") {
      throw new Error(why);
    }
    return warnNoScanning(progress, why);
  }
  return {
    database,
    description: `ClamAV (${DEFAULT_CLAMSCAN}) with one signature, for the EICAR test file: ${CLAMAV_DB_DIR} holds no database (run freshclam for the real ones)`,
  };
}
