import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { type ClamdAddress, clamdAnswers } from "../../../functions/scan/clamd";
import { clamdConfig } from "../../../functions/scan/clamd-daemon";

/** Debian's clamav-daemon package puts clamd here (Lambda's image too: see functions/scan/Dockerfile). */
export const CLAMD_BINARY = "/usr/sbin/clamd";

/** The signature name clamd reports for a test signature (clamd appends `.UNOFFICIAL` to unsigned ones). */
export const reported = (name: string) => `${name}.UNOFFICIAL`;

/**
 * A `.ndb` line (`Name:TargetType:Offset:HexSignature`) matching the part of EICAR unique to it,
 * anywhere in any file, so no public database and no network are needed.
 */
export function eicarSignature(name: string): string {
  return `${name}:0:*:${Buffer.from("EICAR-STANDARD-ANTIVIRUS-TEST-FILE").toString("hex")}\n`;
}

/** A private temporary directory; clamd's paths must be free of spaces, which mkdtemp's are. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when the process has exited (immediately if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Waits until no process has this id (it was killed by someone else, say). */
export async function gone(pid: number, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`process ${pid} is still running after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface TestClamd {
  pid: number;
  socket: ClamdAddress & { socketPath: string };
  tcp: ClamdAddress & { host: string; port: number };
  databaseDir: string;
  /** Replaces the database directory's content with one signature file. */
  writeDatabase(name: string, content: string): void;
  /** SIGTERM by PID, SIGKILL after 5 s; waits for the exit and deletes the directory. */
  stop(): Promise<void>;
}

/**
 * The real clamd with the production config builder: LocalSocket in a temp directory, TCP on
 * 127.0.0.1 only, a test-written database, in the foreground as our child.
 */
export async function startTestClamd(settings: { maxStreamBytes: number; signature: string }): Promise<TestClamd> {
  const work = tempDir("clamd-test-");
  const databaseDir = path.join(work.dir, "db");
  const tmp = path.join(work.dir, "tmp");
  mkdirSync(databaseDir);
  mkdirSync(tmp);
  const writeDatabase = (name: string, content: string) => {
    for (const old of readdirSync(databaseDir).filter((f) => f !== name)) {
      rmSync(path.join(databaseDir, old), { force: true });
    }
    writeFileSync(path.join(databaseDir, name), content);
  };
  writeDatabase("test.ndb", eicarSignature(settings.signature));
  const port = await freePort();
  const socket = { socketPath: path.join(work.dir, "clamd.sock") };
  const configFile = path.join(work.dir, "clamd.conf");
  writeFileSync(
    configFile,
    clamdConfig({ socketPath: socket.socketPath, databaseDir, tempDir: tmp, maxStreamBytes: settings.maxStreamBytes, tcp: { host: "127.0.0.1", port } }),
  );
  const child = spawn(CLAMD_BINARY, ["--config-file", configFile, "--foreground"], { stdio: ["ignore", process.env.CLAMD_TEST_LOG ? "inherit" : "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      child.kill("SIGTERM");
      await exited(child);
      clearTimeout(timer);
    }
    work.remove();
  };
  const started = Date.now();
  while (!(await clamdAnswers(socket, 1_000))) {
    if (child.exitCode !== null || Date.now() - started > 30_000) {
      await stop();
      throw new Error(`test clamd did not start: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { pid: child.pid!, socket, tcp: { host: "127.0.0.1", port }, databaseDir, writeDatabase, stop };
}
