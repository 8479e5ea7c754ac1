import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { type RunningSandbox, type SandboxExit, startSandbox } from "../../scripts/demo/sandbox-process";

/** A sandbox these tests started, on a free port and in a data directory of its own. */
export interface TestSandbox {
  sandbox: RunningSandbox;
  /** What `--data-dir` named; the sandbox creates it and must remove it on SIGINT. */
  dataDir: string;
  /** Our temporary parent of `dataDir`, removed by `cleanUp` whatever happened. */
  parent: string;
}

const ENGINE_DAEMONS = /\b(radosgw|ceph-mon|ceph-osd)\b/;

/**
 * `npm start -- --port 0 --data-dir <fresh dir>`: never a developer's port, data or engine.
 * The engine starts in 2–20 s (more when it installs its packages), hence the generous wait.
 */
export async function startTestSandbox(label: string): Promise<TestSandbox> {
  const parent = mkdtempSync(path.join(tmpdir(), `mobile-s3-sbx-${label}-`));
  const dataDir = path.join(parent, "data");
  try {
    const sandbox = await startSandbox({
      args: ["--port", "0", "--data-dir", dataDir],
      readyTimeoutMs: 180_000,
      ...(process.env.SANDBOX_TEST_OUTPUT ? { onOutput: (line: string) => console.error(`  [${label}] ${line}`) } : {}),
    });
    return { sandbox, dataDir, parent };
  } catch (err) {
    rmSync(parent, { recursive: true, force: true });
    throw err;
  }
}

/** Every process whose command line mentions `dir`. */
export function processesMentioning(dir: string): { pid: number; args: string }[] {
  return execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && m[2].includes(dir))
    .map((m) => ({ pid: Number(m[1]), args: m[2] }));
}

/**
 * What Ctrl-C must leave: the process gone (after a clean exit), no engine daemon and no other
 * process of its data directory, and no data directory.
 */
export function assertStoppedClean(test: TestSandbox, exit: SandboxExit): void {
  const { sandbox, dataDir } = test;
  const why = () => `\n--- sandbox output (last lines) ---\n${sandbox.output()}`;
  assert.ok(exit.code === 0 || exit.code === 130 || exit.signal === "SIGINT", `a clean exit on SIGINT, got ${JSON.stringify(exit)}${why()}`);
  assert.throws(() => process.kill(sandbox.pid, 0), { code: "ESRCH" }, `process ${sandbox.pid} is gone`);
  const left = processesMentioning(dataDir);
  const daemons = left.filter((p) => ENGINE_DAEMONS.test(p.args));
  assert.deepEqual(daemons, [], `no radosgw/ceph-mon/ceph-osd of ${dataDir} remains`);
  assert.deepEqual(left, [], `no process of ${dataDir} remains`);
  assert.equal(existsSync(dataDir), false, `${dataDir} is removed${why()}`);
}

/** After a failed test: stop what still runs and remove our temporary directories. */
export async function cleanUp(tests: TestSandbox[]): Promise<void> {
  await Promise.all(tests.map((t) => t.sandbox.stop().catch(() => undefined)));
  tests.forEach((t) => rmSync(t.parent, { recursive: true, force: true }));
}
