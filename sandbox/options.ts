import { parseCommandLine, UsageError } from "../offline/command-line";

export const USAGE = "usage: npm start -- [--stack <name>] [--port <n>] [--data-dir <dir>] [--scanner auto|clamav|off]";

/** How uploads are scanned: ClamAV when it can be had, ClamAV or fail, or no scanning at all. */
export const SCANNER_MODES = ["auto", "clamav", "off"] as const;
export type ScannerMode = (typeof SCANNER_MODES)[number];

export interface SandboxOptions {
  /** Stack whose buckets the sandbox creates: `Pulumi.<stack>.yaml`. @default "dev" */
  stack: string;
  /** Port of the local API on 127.0.0.1; undefined or 0: any free port. */
  port?: number;
  /** Where the engine keeps its data; created, and deleted on exit. @default a new directory under os.tmpdir() */
  dataDir?: string;
  /** @default "auto" */
  scanner: ScannerMode;
  help: boolean;
}

export { UsageError };

export const HELP = `${USAGE}

Runs the control and data plane on this machine, no AWS account: the S3 engine (Ceph RADOS Gateway)
with the stack's buckets, the API of docs/API.md served by the real handlers, a local token
issuer and the malware-scan worker. Ctrl-C stops everything and deletes its data.

  --stack     stack whose config (Pulumi.<stack>.yaml) shapes the buckets and limits (default: dev)
  --port      port of the API on 127.0.0.1 (default: any free port)
  --data-dir  directory for the engine's data; must not exist or be empty, and is deleted on exit
              (default: a new directory under the system's temporary directory)
  --scanner   auto: ClamAV if it is or can be installed, else tag uploads clean with a warning
              clamav: ClamAV or fail; off: tag every upload clean without scanning (default: auto)
`;

export function parseOptions(argv: string[]): SandboxOptions {
  const { values } = parseCommandLine(argv, {
      stack: { type: "string", default: "dev" },
      port: { type: "string" },
      "data-dir": { type: "string" },
      scanner: { type: "string", default: "auto" },
      help: { type: "boolean", short: "h", default: false },
  });
  const stack = values.stack ?? "dev";
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new UsageError(`[--stack] must be a stack name such as dev, got "${stack}"`);
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) {
      throw new UsageError(`[--port] must be a port number from 1 to 65535 (0: any free port), got "${values.port}"`);
    }
  }
  const scanner = values.scanner ?? "auto";
  if (!(SCANNER_MODES as readonly string[]).includes(scanner)) {
    throw new UsageError(`[--scanner] must be one of ${SCANNER_MODES.join(", ")}, got "${scanner}"`);
  }
  const dataDir = values["data-dir"];
  if (dataDir !== undefined && dataDir.trim() === "") {
    throw new UsageError("[--data-dir] must name a directory");
  }
  return { stack, port, dataDir, scanner: scanner as ScannerMode, help: values.help ?? false };
}
