import { type ChildProcess, spawn } from "node:child_process";

export interface ScriptResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ScriptOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Its own process group, out of reach of the terminal's Ctrl-C, so the sandbox alone decides when
   * and how it stops (and can stop everything it started, by group). Not for anything that may ask
   * for a sudo password: that needs the terminal.
   */
  detached: boolean;
  /** Each line of its output, as it comes. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
}

const KILL_AFTER_MS = 5_000;

/**
 * The bash scripts the sandbox runs (engine install, start and stop), tracked so that a shutdown
 * in the middle of one stops it before cleaning up after it: never a daemon started after the
 * cleanup ran.
 */
export class Children {
  private readonly running = new Set<{ child: ChildProcess; detached: boolean; exited: Promise<void> }>();
  private closed = false;

  /** Runs `bash <script>` and resolves when it ends, whatever its exit code; after `stopAll`, runs nothing. */
  bash(script: string, opts: ScriptOptions): Promise<ScriptResult> {
    if (this.closed) {
      return Promise.resolve({ code: null, signal: "SIGTERM", stdout: "", stderr: "the sandbox is stopping\n" });
    }
    const child = spawn("bash", [script], {
      env: opts.env ?? process.env,
      detached: opts.detached,
      stdio: ["inherit", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const lines = (stream: "stdout" | "stderr") => {
      let pending = "";
      return (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        if (stream === "stdout") {
          stdout += text;
        } else {
          stderr += text;
        }
        pending += text;
        const parts = pending.split("\n");
        pending = parts.pop() ?? "";
        for (const line of parts) {
          opts.onLine?.(line, stream);
        }
      };
    };
    child.stdout!.on("data", lines("stdout"));
    child.stderr!.on("data", lines("stderr"));
    const result = new Promise<ScriptResult>((resolve) => {
      child.on("error", (err) => resolve({ code: 127, signal: null, stdout, stderr: `${stderr}${err.message}\n` }));
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    const entry = { child, detached: opts.detached, exited: result.then(() => undefined) };
    this.running.add(entry);
    return result.finally(() => this.running.delete(entry));
  }

  /** Stops every script still running (its whole group when detached), waits for each to end, and starts no more. */
  async stopAll(): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.running].map(async ({ child, detached, exited }) => {
        const signal = (sig: NodeJS.Signals) => {
          try {
            if (detached && child.pid !== undefined) {
              process.kill(-child.pid, sig);
            } else {
              child.kill(sig);
            }
          } catch {
            // Already gone.
          }
        };
        signal("SIGTERM");
        const timer = setTimeout(() => signal("SIGKILL"), KILL_AFTER_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
