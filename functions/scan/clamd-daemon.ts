import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { errorName, type Logger } from "../shared/log";
import { type ClamdAddress, clamdAnswers, clamdCommand, MAX_STREAM_BYTES } from "./clamd";
import { CONFIG_PATH, type DefinitionsManifest, type DefinitionsSource, describeVersions, manifestId, readManifest, syncDatabaseDirectory } from "./definitions-core";
import { ScanError } from "./scanner";

/*
 * A warm clamd inside a Lambda execution environment. clamscan loads the whole signature database
 * for every object (over 1 GB and 10-30 s with the public one); clamd loads it once and then scans
 * over a socket. At the first scan of an execution environment the database files are copied from
 * the definitions bucket into /tmp (the only writable place), clamd.conf is written there and clamd
 * is started; later scans reuse it. At most every `refreshIntervalMs` the manifest is read again, and
 * if it names other files they are downloaded and clamd is told to RELOAD. A clamd that died is
 * started again by the next scan.
 *
 * Nothing here runs at module load: Lambda limits the Init phase to 10 seconds ("Lambda execution
 * environment lifecycle"), and a cold database load can take longer, so the work happens in the first
 * invocation, within the function's own timeout.
 */

/** A unix socket path must fit `sun_path` (108 bytes on Linux, with its terminating NUL). */
const MAX_SOCKET_PATH = 107;
/** clamd's own default `MaxScanSize`; raised only if objects may be larger. */
const DEFAULT_MAX_SCAN_BYTES = 400 * 1024 * 1024;

export interface ClamdConfigInput {
  socketPath: string;
  databaseDir: string;
  tempDir: string;
  /** `StreamMaxLength` and `MaxFileSize`: the largest input scanned whole. */
  maxStreamBytes: number;
  /** Also listen on TCP (the tests use 127.0.0.1). @default unix socket only */
  tcp?: { host: string; port: number };
  /** @default 2: Lambda runs one invocation per execution environment at a time. */
  maxThreads?: number;
}

function assertPath(setting: string, value: string): string {
  if (!CONFIG_PATH.test(value)) {
    throw new Error(`[${setting}] must be an absolute path of letters, digits, '.', '_', '-' and '/', got "${value}"`);
  }
  return value;
}

/**
 * clamd.conf for Lambda (every option as "clamd.conf" describes it):
 *
 * - `LocalSocket`, `DatabaseDirectory`, `TemporaryDirectory` under /tmp, the only writable path of a
 *   Lambda function ("Create a Lambda function using a container image": the image must run on a
 *   read-only file system); no `LogFile`, no `PidFile`: clamd logs to its stdout, which the function
 *   forwards to CloudWatch;
 * - `Foreground yes`: clamd stays the function's child, so its death is seen;
 * - `StreamMaxLength` and `MaxFileSize` both the scanner's limit, and `AlertExceedsMax yes`: a file or
 *   archive over a limit is reported `Heuristics.Limits.Exceeded.*` (a detection), never "OK";
 * - `ConcurrentDatabaseReload no`: a concurrent reload holds a second engine in memory, doubling the
 *   database's gigabyte; a blocking reload makes scans wait instead;
 * - `IdleTimeout 1`: a blocking reload waits until the pool's idle threads have exited, which is
 *   `IdleTimeout` seconds after the last command (30 by default: measured here, every RELOAD after a
 *   scan held PING for 29 s); one second keeps a reload as fast as the database load;
 * - `SelfCheck 0`: the database changes only when this module says RELOAD, after every file is in
 *   place, never half-way through a sync;
 * - `ExitOnOOM yes`: an engine that ran out of memory exits, and the next scan starts a fresh one.
 */
export function clamdConfig(input: ClamdConfigInput): string {
  assertPath("socketPath", input.socketPath);
  if (Buffer.byteLength(input.socketPath) > MAX_SOCKET_PATH) {
    throw new Error(`[socketPath] must be at most ${MAX_SOCKET_PATH} bytes (a unix socket path), got ${Buffer.byteLength(input.socketPath)}`);
  }
  assertPath("databaseDir", input.databaseDir);
  assertPath("tempDir", input.tempDir);
  if (!Number.isInteger(input.maxStreamBytes) || input.maxStreamBytes < 1 || input.maxStreamBytes > MAX_STREAM_BYTES) {
    throw new Error(`[maxStreamBytes] must be an integer from 1 to ${MAX_STREAM_BYTES}, got ${input.maxStreamBytes}`);
  }
  const maxThreads = input.maxThreads ?? 2;
  if (!Number.isInteger(maxThreads) || maxThreads < 1 || maxThreads > 64) {
    throw new Error(`[maxThreads] must be an integer from 1 to 64, got ${maxThreads}`);
  }
  const tcp = input.tcp;
  if (tcp && (!/^[0-9a-fA-F.:]+$/.test(tcp.host) || !Number.isInteger(tcp.port) || tcp.port < 1 || tcp.port > 65535)) {
    throw new Error(`[tcp] must be an IP address and a port from 1 to 65535, got ${JSON.stringify(tcp)}`);
  }
  return [
    "# Written by functions/scan/clamd-daemon.ts when clamd starts.",
    `LocalSocket ${input.socketPath}`,
    "LocalSocketMode 600",
    "FixStaleSocket yes",
    ...(tcp ? [`TCPSocket ${tcp.port}`, `TCPAddr ${tcp.host}`] : []),
    `DatabaseDirectory ${input.databaseDir}`,
    `TemporaryDirectory ${input.tempDir}`,
    "Foreground yes",
    "LogTime no",
    "LogClean no",
    "LogSyslog no",
    `MaxThreads ${maxThreads}`,
    "IdleTimeout 1",
    "CommandReadTimeout 5",
    "ReadTimeout 30",
    `StreamMaxLength ${input.maxStreamBytes}`,
    `MaxFileSize ${input.maxStreamBytes}`,
    `MaxScanSize ${Math.max(DEFAULT_MAX_SCAN_BYTES, input.maxStreamBytes)}`,
    "AlertExceedsMax yes",
    "ConcurrentDatabaseReload no",
    "SelfCheck 0",
    "ExitOnOOM yes",
    "Bytecode yes",
    "",
  ].join("\n");
}

export interface ClamdDaemonSettings {
  /** The clamd executable. In the image, `/usr/sbin/clamd` (Lambda's PATH has no sbin). */
  binary: string;
  /** A directory of its own under /tmp for the socket, the database and clamd's temporary files. */
  workDir: string;
  /** The scanner's limit: clamd's `StreamMaxLength` and `MaxFileSize`. */
  maxStreamBytes: number;
  /** The bucket's manifest is read again at most this often. */
  refreshIntervalMs: number;
  /** Loading the full public database takes 10-30 s; a clamd not answering PING by then failed. */
  startTimeoutMs: number;
  /** Also listen on TCP. @default unix socket only */
  tcp?: { host: string; port: number };
}

export interface ClamdDaemonPorts {
  definitions: DefinitionsSource;
  log: Logger;
  /** @default Date.now */
  now?: () => number;
}

/** What the daemon has done, for the logs and the tests. */
export interface ClamdDaemonStats {
  starts: number;
  reloads: number;
  syncs: number;
  /** The manifest clamd's database came from. */
  manifestId?: string;
}

const POLL_MS = 100;
const COMMAND_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * The clamd of one execution environment. `ready()` returns the address of a clamd that answers
 * PING with the latest definitions it could get, starting or reloading it as needed; calls are
 * serialised, so two scans never start two daemons. Failures that leave no usable clamd reject
 * with a `ScanError` (the scan fails and is retried); a failed refresh keeps the clamd it has.
 */
export class ClamdDaemon {
  readonly address: ClamdAddress & { socketPath: string };
  private readonly databaseDir: string;
  private readonly stagingDir: string;
  private readonly tempDir: string;
  private readonly configFile: string;
  private readonly now: () => number;
  private child: ChildProcess | undefined;
  private running = false;
  private lastCheck = Number.NEGATIVE_INFINITY;
  private installed: string | undefined;
  private readonly digests = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly counters: ClamdDaemonStats = { starts: 0, reloads: 0, syncs: 0 };

  constructor(
    private readonly settings: ClamdDaemonSettings,
    private readonly ports: ClamdDaemonPorts,
  ) {
    assertPath("workDir", settings.workDir);
    this.address = { socketPath: path.join(settings.workDir, "clamd.sock") };
    this.databaseDir = path.join(settings.workDir, "db");
    this.stagingDir = path.join(settings.workDir, "staging");
    this.tempDir = path.join(settings.workDir, "tmp");
    this.configFile = path.join(settings.workDir, "clamd.conf");
    this.now = ports.now ?? Date.now;
    // Checked now, so a bad setting fails at cold start rather than at the first scan.
    clamdConfig(this.configInput());
  }

  /** The running clamd's process id, if one runs. */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get stats(): ClamdDaemonStats {
    return { ...this.counters, ...(this.installed ? { manifestId: this.installed } : {}) };
  }

  /** A clamd that answers, with the definitions as fresh as `refreshIntervalMs` allows. */
  ready(): Promise<ClamdAddress> {
    const next = this.queue.then(() => this.ensure());
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stops clamd (SIGTERM, then SIGKILL) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private configInput() {
    return {
      socketPath: this.address.socketPath,
      databaseDir: this.databaseDir,
      tempDir: this.tempDir,
      maxStreamBytes: this.settings.maxStreamBytes,
      ...(this.settings.tcp ? { tcp: this.settings.tcp } : {}),
    };
  }

  private async ensure(): Promise<ClamdAddress> {
    if (this.installed === undefined) {
      await this.install(await this.manifestOrFail());
    } else if (this.now() - this.lastCheck >= this.settings.refreshIntervalMs) {
      await this.refresh();
    }
    if (!this.running) {
      await this.start();
    }
    return this.address;
  }

  /** At cold start there is no database yet: without a manifest there is nothing to scan with. */
  private async manifestOrFail(): Promise<DefinitionsManifest> {
    let manifest: DefinitionsManifest | undefined;
    try {
      manifest = await readManifest(this.ports.definitions);
    } catch (err) {
      throw new ScanError("cannot read the ClamAV definitions manifest", { cause: err });
    }
    this.lastCheck = this.now();
    if (!manifest) {
      throw new ScanError("the definitions bucket holds no ClamAV definitions yet (the updater has not published any)");
    }
    return manifest;
  }

  private async install(manifest: DefinitionsManifest): Promise<void> {
    try {
      const { downloaded, removed } = await syncDatabaseDirectory(manifest, { dir: this.databaseDir, stagingDir: this.stagingDir }, this.ports.definitions, this.digests);
      this.counters.syncs += 1;
      this.installed = manifestId(manifest);
      this.ports.log.info("ClamAV definitions installed", {
        versions: describeVersions(manifest),
        publishedAt: manifest.publishedAt,
        downloaded: downloaded.length,
        removed: removed.length,
      });
    } catch (err) {
      throw new ScanError("cannot install the ClamAV definitions", { cause: err });
    }
  }

  /**
   * A newer manifest is installed and clamd reloads it; if the reload does not end with a clamd
   * answering PING, clamd is restarted. Failing to read or download keeps what runs: stale
   * definitions still scan, and the next interval tries again.
   */
  private async refresh(): Promise<void> {
    let manifest: DefinitionsManifest | undefined;
    try {
      manifest = await readManifest(this.ports.definitions);
    } catch (err) {
      this.ports.log.warn("definitions refresh failed; scanning with the installed ones", { error: errorName(err) });
      this.lastCheck = this.now();
      return;
    }
    this.lastCheck = this.now();
    if (!manifest || manifestId(manifest) === this.installed) {
      return;
    }
    try {
      await this.install(manifest);
    } catch (err) {
      this.ports.log.warn("new definitions not installed; scanning with the previous ones", { error: errorName((err as { cause?: unknown }).cause ?? err) });
      return;
    }
    if (this.running) {
      await this.reload();
    }
  }

  private async reload(): Promise<void> {
    const reply = await clamdCommand(this.address, "RELOAD", COMMAND_TIMEOUT_MS).catch((err: unknown) => errorName(err));
    this.counters.reloads += 1;
    if (reply === "RELOADING" && (await this.answersWithin(this.settings.startTimeoutMs))) {
      this.ports.log.info("clamd reloaded its definitions");
      return;
    }
    this.ports.log.warn("clamd did not come back from RELOAD; restarting it", { reply: reply.slice(0, 100) });
    await this.stop();
  }

  private async start(): Promise<void> {
    await mkdir(this.tempDir, { recursive: true });
    await writeFile(this.configFile, clamdConfig(this.configInput()), { mode: 0o600 });
    await rm(this.address.socketPath, { force: true });
    const child = spawn(this.settings.binary, ["--config-file", this.configFile, "--foreground"], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.running = true;
    this.counters.starts += 1;
    const lastLines: string[] = [];
    let spawnError: Error | undefined;
    const forward = (level: "debug" | "warn") => (chunk: string) => {
      for (const line of chunk.split("\n").filter((l) => l.trim() !== "")) {
        lastLines.push(line.slice(0, 300));
        lastLines.splice(0, Math.max(0, lastLines.length - 5));
        const important = level === "warn" || /ERROR|WARNING/.test(line);
        this.ports.log[important ? "warn" : "debug"]("clamd", { line: line.slice(0, 300) });
      }
    };
    child.stdout?.setEncoding("utf8").on("data", forward("debug"));
    child.stderr?.setEncoding("utf8").on("data", forward("warn"));
    child.on("error", (err) => {
      spawnError = err;
      this.running = false;
    });
    child.on("exit", (code, signal) => {
      if (this.child === child) {
        this.running = false;
      }
      this.ports.log.warn("clamd exited", { code: code ?? undefined, signal: signal ?? undefined });
    });

    const started = Date.now();
    if (await this.answersWithin(this.settings.startTimeoutMs)) {
      this.ports.log.info("clamd started", { pid: child.pid, ms: Date.now() - started });
      return;
    }
    if (this.running) {
      child.kill("SIGKILL");
      throw new ScanError(`clamd did not answer PING within ${this.settings.startTimeoutMs} ms of starting`);
    }
    if (spawnError) {
      throw new ScanError(`could not run ${this.settings.binary}`, { cause: spawnError });
    }
    throw new ScanError(`clamd exited while starting: ${lastLines.join(" | ").slice(0, 500) || "no output"}`);
  }

  /** Polls PING until clamd answers (true), `timeoutMs` passes or clamd exits (false). */
  private async answersWithin(timeoutMs: number): Promise<boolean> {
    const started = Date.now();
    while (this.running && Date.now() - started <= timeoutMs) {
      if (await clamdAnswers(this.address, COMMAND_TIMEOUT_MS)) {
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return false;
  }
}
