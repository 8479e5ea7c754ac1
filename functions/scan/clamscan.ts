import { ConfigurationError, type Env, ENV } from "@mobile-s3/contract";
import { spawn } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { type ScanInput, type ScanResult, type Scanner, ScanError } from "./scanner";

/** Where ClamAV is and which signatures it loads (from CLAMSCAN_PATH and CLAMAV_DB). */
export interface ClamAvLocation {
  /** The `clamscan` executable: an absolute path, or a name looked up on PATH. @default "clamscan" */
  binary: string;
  /**
   * A signature database file or directory, passed as `-d`. Absent: clamscan's compiled-in
   * directory (`/var/lib/clamav` in the Debian package and the container image).
   */
  database?: string;
}

export interface ClamScanSettings extends ClamAvLocation {
  /** A scan running longer is killed and fails (never "clean"). */
  timeoutMs: number;
  /**
   * The largest input scanned. ClamAV skips larger files and calls them OK by default; here
   * `--max-filesize` is set to this and `--alert-exceeds-max` turns any limit it hits into a
   * detection, and inputs over it are refused before clamscan runs.
   */
  maxFileBytes: number;
  /** Where byte inputs are written for clamscan to read. @default os.tmpdir() (Lambda's /tmp) */
  tmpDir?: string;
}

export const DEFAULT_CLAMSCAN = "clamscan";
/** ClamAV refuses limits of 4 GB and more. */
const CLAMAV_MAX_LIMIT_BYTES = 4000 * 1024 * 1024;
/** clamscan prints one line per file; anything much longer is not clamscan talking. */
const MAX_OUTPUT_CHARS = 64 * 1024;

const COMMAND_NAME = /^[A-Za-z0-9._-]+$/;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** CLAMSCAN_PATH (default `clamscan` on PATH) and CLAMAV_DB (default: clamscan's own database). */
export function loadClamAvLocation(env: Env): ClamAvLocation {
  const binary = optional(env, ENV.clamscanPath) ?? DEFAULT_CLAMSCAN;
  if (!path.isAbsolute(binary) && !COMMAND_NAME.test(binary)) {
    throw new ConfigurationError(ENV.clamscanPath, `must be an absolute path or a command name such as clamscan, got "${binary}"`);
  }
  const database = optional(env, ENV.clamavDb);
  if (database !== undefined && !path.isAbsolute(database)) {
    throw new ConfigurationError(ENV.clamavDb, `must be an absolute path to a signature database file or directory, got "${database}"`);
  }
  return database === undefined ? { binary } : { binary, database };
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function run(binary: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let settled = false;
    const settle = (done: () => void) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        done();
      }
    };
    const timer = setTimeout(() => {
      // Settle now: a process it started could keep the pipes open after it is killed.
      child.kill("SIGKILL");
      child.stdout.destroy();
      child.stderr.destroy();
      settle(() => resolve({ code: null, signal: "SIGKILL", stdout, stderr, timedOut: true }));
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout = (stdout + chunk).slice(0, MAX_OUTPUT_CHARS)));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(0, MAX_OUTPUT_CHARS)));
    child.on("error", (err) => settle(() => reject(new ScanError(`could not run ${binary}`, { cause: err }))));
    child.on("close", (code, signal) => settle(() => resolve({ code, signal, stdout, stderr, timedOut: false })));
  });
}

/** The first line clamscan wrote on stderr, for an error message (it names a file or database, never content). */
function firstError(stderr: string): string {
  const line = stderr.split("\n").find((l) => /error|can't|cannot|no such/i.test(l)) ?? stderr.split("\n")[0] ?? "";
  return line.trim().slice(0, 200);
}

/**
 * Reads clamscan's verdict on `file` from its exit code and its line for that file:
 * exit 0 with `<file>: OK` (or `Empty file`) is clean, exit 1 is infected (the line names the
 * signature), anything else is a `ScanError`.
 */
export function verdictOf(file: string, result: Pick<Run, "code" | "stdout" | "stderr">): ScanResult {
  const prefix = `${file}: `;
  const line = result.stdout
    .split("\n")
    .map((l) => l.trimEnd())
    .find((l) => l.startsWith(prefix));
  const said = line?.slice(prefix.length);
  if (result.code === 0) {
    if (said === "OK" || said === "Empty file") {
      return { verdict: "clean" };
    }
    throw new ScanError(`clamscan exited 0 without reporting the file clean (${JSON.stringify(said ?? result.stdout.slice(0, 200))})`);
  }
  if (result.code === 1) {
    // Exit 1 means "virus found" whatever the line says: never downgrade it.
    const signature = said === undefined ? undefined : /^(.+) FOUND$/.exec(said)?.[1];
    return signature === undefined ? { verdict: "infected" } : { verdict: "infected", signature };
  }
  throw new ScanError(`clamscan failed with exit code ${result.code}: ${firstError(result.stderr) || "no message"}`);
}

/**
 * ClamAV's command-line scanner: one `clamscan` process per scan, which loads the signatures each
 * time (milliseconds with a small test database, 10–30 s and ~1 GB of memory with the full public
 * one; see README.md for the Lambda image and the clamd alternative).
 */
export function clamScanner(settings: ClamScanSettings): Scanner {
  const limit = Math.min(settings.maxFileBytes, CLAMAV_MAX_LIMIT_BYTES);
  const args = (file: string) => [
    "--no-summary",
    "--stdout",
    // ClamAV calls a file it skipped for size "OK" unless told to alert: a skipped file is not a clean one.
    "--alert-exceeds-max=yes",
    `--max-filesize=${limit}`,
    ...(settings.database === undefined ? [] : ["-d", settings.database]),
    file,
  ];

  async function scanFile(file: string): Promise<ScanResult> {
    const result = await run(settings.binary, args(file), settings.timeoutMs);
    if (result.timedOut) {
      throw new ScanError(`clamscan did not finish within ${settings.timeoutMs} ms`);
    }
    if (result.code === null) {
      throw new ScanError(`clamscan was killed by ${result.signal ?? "a signal"}`);
    }
    return verdictOf(file, result);
  }

  return {
    async scan(input: ScanInput): Promise<ScanResult> {
      if ("file" in input) {
        const file = path.resolve(input.file);
        const info = await stat(file).catch((err: unknown) => {
          throw new ScanError("cannot read the file to scan", { cause: err });
        });
        if (!info.isFile()) {
          throw new ScanError("the path to scan is not a regular file");
        }
        const size = info.size;
        if (size > limit) {
          throw new ScanError(`the file is ${size} bytes, over the scanner's limit of ${limit}`);
        }
        return scanFile(file);
      }
      if (input.bytes.byteLength > limit) {
        throw new ScanError(`the input is ${input.bytes.byteLength} bytes, over the scanner's limit of ${limit}`);
      }
      // A private directory per scan: the name is ours, so clamscan's line for it is unambiguous.
      const dir = await mkdtemp(path.join(settings.tmpDir ?? os.tmpdir(), "scan-"));
      try {
        const file = path.join(dir, "object");
        await writeFile(file, input.bytes, { mode: 0o600, flag: "wx" });
        return await scanFile(file);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
