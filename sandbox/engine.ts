import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../offline/stack-config";
import { type Children } from "./children";
import { freePorts } from "./free-ports";
import { type Progress } from "./progress";

const run = promisify(execFile);

const SCRIPTS = path.join(PROJECT_ROOT, "scripts", "s3-engine");
/** start.sh found a port taken before it started anything: pick others and try again. */
const PORT_TAKEN = /port \d+ on 127\.0\.0\.1 is taken/;
const START_ATTEMPTS = 3;

/** A running engine: Ceph RADOS Gateway on loopback, in its own directory, on its own ports. */
export interface SandboxEngine {
  dir: string;
  endpoint: string;
  region: string;
  /** The engine's one user, owner of every bucket: throwaway keys made up for this run. */
  accessKeyId: string;
  secretAccessKey: string;
  ports: { rgw: number; monV2: number; monV1: number };
}

/** The engine could not be installed or started; the message says what to do. */
export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineError";
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function lastLines(text: string, count = 6): string {
  return text.trim().split("\n").slice(-count).join("\n");
}

/**
 * Installs the engine's Debian packages when they are missing (`scripts/s3-engine/install.sh`). It
 * runs in the terminal's process group, so sudo can ask for a password.
 */
export async function installEngine(children: Children, progress: Progress): Promise<void> {
  if (!onPath("dpkg-query") || !onPath("apt-get")) {
    throw new EngineError(
      "the S3 engine is Ceph RADOS Gateway from Debian packages (scripts/s3-engine/install.sh), and this system has no " +
        "dpkg/apt-get: run the sandbox on Debian or Ubuntu (a container will do, e.g. docker run -it -v \"$PWD\":/src -w /src node:20-bookworm)",
    );
  }
  const result = await children.bash(path.join(SCRIPTS, "install.sh"), {
    detached: false,
    onLine: (line) => line.trim() && progress.step(line.trim()),
  });
  if (result.code !== 0) {
    throw new EngineError(
      `could not install the S3 engine's Debian packages (${lastLines(result.stderr, 2) || `exit ${result.code}`}). ` +
        "Install them once as root, then run npm start again: sudo bash scripts/s3-engine/install.sh",
    );
  }
}

/** Reads the `export NAME=value` lines start.sh writes to `$RGW_DIR/env`. */
function readEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .map((line) => /^export ([A-Z0-9_]+)=(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
}

const alphabet = (chars: string) => (length: number) =>
  Array.from(randomBytes(length), (byte) => chars[byte % chars.length]).join("");
const upperAlnum = alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
const alnum = alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

/**
 * Starts a fresh engine in `dir` (`scripts/s3-engine/start.sh`) on free ports with throwaway keys.
 * The script runs in its own process group: the sandbox, not the terminal, stops it. Whatever
 * happens, `stopEngine(dir)` afterwards stops what it started.
 */
export async function startEngine(dir: string, children: Children, progress: Progress): Promise<SandboxEngine> {
  for (let attempt = 1; ; attempt++) {
    const [rgw, monV2, monV1] = await freePorts(3);
    const keys = { ACCESS_KEY: upperAlnum(20), SECRET_KEY: alnum(40), ACCESS_KEY2: upperAlnum(20), SECRET_KEY2: alnum(40), STS_KEY: alnum(16) };
    const result = await children.bash(path.join(SCRIPTS, "start.sh"), {
      detached: true,
      env: { ...process.env, RGW_DIR: dir, RGW_PORT: String(rgw), MON_V2_PORT: String(monV2), MON_V1_PORT: String(monV1), ...keys },
      onLine: (line) => line.trim() && progress.step(line.trim()),
    });
    if (result.code === 0) {
      const env = readEnvFile(path.join(dir, "env"));
      return {
        dir,
        endpoint: env.S3_ENDPOINT,
        region: env.AWS_REGION,
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
        ports: { rgw, monV2, monV1 },
      };
    }
    if (PORT_TAKEN.test(result.stderr) && attempt < START_ATTEMPTS) {
      progress.step(`${lastLines(result.stderr, 1)}; trying other ports`);
      continue;
    }
    const log = path.join(dir, "log", "client.rgw.log");
    const rgwLog = existsSync(log) ? `\nlast lines of the gateway's log:\n${lastLines(readFileSync(log, "utf8"))}` : "";
    throw new EngineError(`the S3 engine did not start (${result.signal ?? `exit ${result.code}`}): ${lastLines(result.stderr) || "no message"}${rgwLog}`);
  }
}

/**
 * Stops the engine in `dir` by the PIDs it recorded (`scripts/s3-engine/stop.sh`, which also deletes
 * `dir`). Run after `Children.stopAll`, so no start.sh is still starting daemons behind its back.
 */
export async function stopEngine(dir: string): Promise<void> {
  await run("bash", [path.join(SCRIPTS, "stop.sh")], { env: { ...process.env, RGW_DIR: dir }, timeout: 60_000 });
}
