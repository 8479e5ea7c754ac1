import { spawn } from "node:child_process";
import * as path from "node:path";
import { type UploadResult } from "../client/src";
import { type FaultProxy } from "./fault-proxy";

const UPLOAD_FILE = path.join(__dirname, "upload-file.ts");
const OUTPUT_KEPT = 2000;

/** An app process uploading one file (`scripts/upload-file.ts`), configured by `env`. */
export interface UploadProcess {
  /** Settles when the process exits: its `done {json}` result, or why it did not finish. */
  readonly result: Promise<UploadResult>;
  /** Whether it has exited, however it ended. */
  exited(): boolean;
  /** What it wrote last (stdout and stderr), for error messages. */
  output(): string;
  kill(): void;
}

export function startUploadProcess(env: Record<string, string>): UploadProcess {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", UPLOAD_FILE], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const result = new Promise<UploadResult>((resolve, reject) =>
    child.once("exit", (code, signal) => {
      const done = /^done (\{.*\})$/m.exec(out);
      if (code === 0 && done) {
        resolve(JSON.parse(done[1]) as UploadResult);
      } else {
        reject(new Error(`upload process exited (${signal ?? code}):\n${out.slice(-OUTPUT_KEPT)}`));
      }
    }),
  );
  return {
    result,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    output: () => out.slice(-OUTPUT_KEPT),
    kill: () => child.kill("SIGKILL"),
  };
}

const isPartPut = (r: { method: string; partNumber?: number }) => r.method === "PUT" && r.partNumber !== undefined;

/**
 * `kill -9` of `upload` once `confirmed` of its parts were answered 200 and another is on the wire,
 * as the proxy's log from request `from` on shows; resolves when it is gone. Fails if the process
 * ended before, or finished despite the kill.
 */
export async function killMidPart(proxy: FaultProxy, from: number, upload: UploadProcess, confirmed = 3): Promise<void> {
  for (;;) {
    const parts = proxy.requests.slice(from).filter(isPartPut);
    if (parts.filter((r) => r.status === 200 && r.completed).length >= confirmed && parts.some((r) => r.endedAt === undefined && r.bytesIn > 0)) {
      break;
    }
    if (upload.exited()) {
      throw new Error(`the upload process ended before it could be killed:\n${upload.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  upload.kill();
  const finished = await upload.result.then(
    () => true,
    () => false,
  );
  if (finished) {
    throw new Error("the killed upload process finished its upload");
  }
}
