import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { type ReadyInfo } from "../../sandbox/ready-line";

/** The JSON of the sandbox's `ready {…}` line (sandbox/ready-line.ts). */
export type SandboxReady = ReadyInfo;

export interface SandboxExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningSandbox {
  ready: SandboxReady;
  pid: number;
  /** The last lines it wrote (stdout and stderr), for error messages. */
  output(): string;
  /** Settles when the process has exited, however it ended. */
  readonly exited: Promise<SandboxExit>;
  /** Ctrl-C: SIGINT (once, however often called), then waits for it to stop its engine, workers and data. */
  stop(timeoutMs?: number): Promise<SandboxExit>;
}

export interface StartOptions {
  /** Arguments after `npm start --`, e.g. ["--port", "0", "--data-dir", dir]. */
  args?: string[];
  /** Every line the sandbox writes, as it comes (the demo shows them on stderr). */
  onOutput?: (line: string) => void;
  /** The engine starts in 2–20 s, more when it installs its packages first. @default 180 s */
  readyTimeoutMs?: number;
  /** Aborting stops a sandbox still starting: SIGINT, then the promise rejects once it has exited. */
  signal?: AbortSignal;
}

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
const OUTPUT_LINES_KEPT = 60;
const STOP_TIMEOUT_MS = 120_000;
const READY = /^ready (\{.*\})\s*$/;

/**
 * The TypeScript file `npm start` runs when it runs the sandbox (`node -r … sandbox/….ts`), or
 * undefined while `npm start` does something else.
 */
export function sandboxEntry(root = REPO_ROOT): string | undefined {
  const start = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> }).scripts?.start;
  const entry = /(?:^|\s)(\.?\/?sandbox\/\S+\.ts)(?:\s|$)/.exec(start ?? "")?.[1];
  return entry !== undefined && existsSync(path.join(root, entry)) ? path.join(root, entry) : undefined;
}

/**
 * Starts a sandbox as a child process and resolves once it printed its `ready` line. The child
 * runs `node -r ts-node/register/transpile-only <entry>` directly (no npm in between, so SIGINT
 * reaches the sandbox itself) in its own process group, so a Ctrl-C meant for the caller is not
 * delivered twice. Should this process exit first, the child still gets its SIGINT and cleans up.
 */
export function startSandbox(options: StartOptions = {}): Promise<RunningSandbox> {
  const entry = sandboxEntry();
  if (entry === undefined) {
    return Promise.reject(new Error('package.json "start" does not run a sandbox/*.ts entry yet: no sandbox to start'));
  }
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", entry, ...(options.args ?? [])], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    lines.splice(0, Math.max(0, lines.length - OUTPUT_LINES_KEPT));
    options.onOutput?.(line);
  };
  const output = () => lines.join("\n");
  const exited = new Promise<SandboxExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const orphanGuard = () => interrupt(child);
  process.once("exit", orphanGuard);
  void exited.then(() => process.removeListener("exit", orphanGuard));

  return new Promise((resolve, reject) => {
    let ready: SandboxReady | undefined;
    const fail = async (why: string) => {
      interrupt(child);
      await Promise.race([exited, delay(STOP_TIMEOUT_MS)]);
      reject(new Error(`${why}\n--- sandbox output (last lines) ---\n${output()}`));
    };
    const timer = setTimeout(() => void fail(`no ready line within ${(options.readyTimeoutMs ?? 180_000) / 1000} s`), options.readyTimeoutMs ?? 180_000);
    options.signal?.addEventListener("abort", () => {
      if (ready === undefined) {
        clearTimeout(timer);
        void fail("interrupted while starting");
      }
    });
    createInterface({ input: child.stderr! }).on("line", keep);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      keep(line);
      const match = READY.exec(line);
      if (match && ready === undefined) {
        try {
          ready = JSON.parse(match[1]) as SandboxReady;
        } catch (err) {
          clearTimeout(timer);
          void fail(`the ready line is not JSON (${(err as Error).message}): ${line}`);
          return;
        }
        clearTimeout(timer);
        resolve(running(child, ready, output, exited));
      }
    });
    void exited.then(({ code, signal }) => {
      if (ready === undefined) {
        clearTimeout(timer);
        reject(new Error(`the sandbox exited (${signal ?? `code ${code}`}) before it was ready\n--- sandbox output (last lines) ---\n${output()}`));
      }
    });
  });
}

function running(child: ChildProcess, ready: SandboxReady, output: () => string, exited: Promise<SandboxExit>): RunningSandbox {
  let stopping: Promise<SandboxExit> | undefined;
  return {
    ready,
    pid: child.pid!,
    output,
    exited,
    // Once only: a second SIGINT could make a sandbox give up its clean shutdown.
    stop(timeoutMs = STOP_TIMEOUT_MS) {
      stopping ??= (async () => {
        interrupt(child);
        const result = await Promise.race([exited, delay(timeoutMs).then(() => undefined)]);
        if (result === undefined) {
          throw new Error(`the sandbox (pid ${child.pid}) did not stop within ${timeoutMs / 1000} s of SIGINT\n${output()}`);
        }
        return result;
      })();
      return stopping;
    },
  };
}

function interrupt(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGINT");
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
