/**
 * `npm run demo [-- --api <url>] [--keep]`: plays a mobile app against the local sandbox. Without
 * `--api` (or SANDBOX_API) it starts a sandbox of its own on free ports and stops it at the end.
 * Steps go to stdout, sandbox output and the progress bar to stderr. Exit 0 only when every
 * answer was the expected one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { runDemo } from "./demo/flow";
import { progressBar } from "./demo/progress";
import { type RunningSandbox, startSandbox } from "./demo/sandbox-process";
import { formatStep, formatSummary } from "./demo/summary";

const USAGE = `usage: npm run demo [-- --api <url>] [--keep]
  --api <url>   a running sandbox's API (default: $SANDBOX_API, else start one for the demo)
  --keep        leave the demo's objects in the sandbox`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { api: { type: "string" }, keep: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let api = values.api ?? process.env.SANDBOX_API;
  let sandbox: RunningSandbox | undefined;
  let dataDir: string | undefined;
  let echo = true;
  const removeTempDir = () => dataDir && rmSync(path.dirname(dataDir), { recursive: true, force: true });
  // Ctrl-C: a sandbox started here stops first (the flow then fails against it and ends below);
  // its directory is removed only after it has exited, or its engine could not be found to stop.
  const starting = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    if (dataDir === undefined) {
      process.exit(130);
    }
    starting.abort();
    void sandbox?.stop().catch(() => undefined);
  };
  process.once("SIGINT", onSigint);
  try {
    if (api === undefined) {
      // A directory of its own, so it never meets a developer's sandbox; the sandbox removes it on exit.
      dataDir = path.join(mkdtempSync(path.join(tmpdir(), "mobile-s3-demo-")), "data");
      console.error("Starting a sandbox for the demo (npm start -- --port 0) …");
      sandbox = await startSandbox({
        args: ["--port", "0", "--data-dir", dataDir],
        signal: starting.signal,
        onOutput: (line) => echo && console.error(`  sandbox │ ${line}`),
      });
      // Its banner and request log would break into the progress bar; a failure shows their tail.
      echo = false;
      api = sandbox.ready.api;
    }
    console.log(`mobile-s3 demo against ${api}\n`);
    const report = await runDemo({
      api,
      keep: values.keep,
      progress: progressBar(process.stderr),
      onStep: (step) => console.log(formatStep(step)),
    });
    console.log(formatSummary(report));
    return 0;
  } catch (err) {
    if (interrupted) {
      console.log("\n✘ interrupted");
      return 130;
    }
    console.log(`\n✘ ${err instanceof Error ? err.message : String(err)}`);
    if (sandbox) {
      console.error(`--- the sandbox's last lines ---\n${sandbox.output()}`);
    }
    return 1;
  } finally {
    echo = true;
    if (sandbox) {
      console.error("Stopping the demo's sandbox (SIGINT) …");
      const exit = await sandbox.stop();
      console.error(`  sandbox stopped (${exit.signal ?? `exit code ${exit.code}`})`);
    }
    removeTempDir();
    process.removeListener("SIGINT", onSigint);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
