import { createHash, randomBytes } from "node:crypto";
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { engineAdmin, tokenFor } from "../../scripts/demo/sandbox-access";
import { type RunningSandbox, startSandbox } from "../../scripts/demo/sandbox-process";
import { type FaultProxy, startFaultProxy } from "../../scripts/fault-proxy";
import { createStorageClient, type StorageClient, type StorageClientOptions } from "../../client/src";

export { engineAdmin, tokenFor };

/**
 * One sandbox (real handlers, local issuer, its own S3 engine) for every client suite, started on
 * first use and stopped by the root hook. Scanning is off: every upload is tagged clean at once, so
 * tests can read back what they wrote (the scanner has its own tests).
 */
let shared: Promise<RunningSandbox> | undefined;

export function useClientSandbox(): Promise<RunningSandbox> {
  shared ??= startSandbox({ args: ["--port", "0", "--scanner", "off"] });
  return shared;
}

export async function releaseClientSandbox(): Promise<void> {
  const current = shared;
  shared = undefined;
  await current?.then(
    (sandbox) => sandbox.stop(),
    () => undefined,
  );
}

/** The sandbox with a fault proxy in front of its engine (`s3`) and its API (`api`); filled in by `before`. */
export interface FaultyNetwork {
  sandbox: RunningSandbox;
  s3: FaultProxy;
  api: FaultProxy;
}

/** Registers the suite's hooks: proxies started before, faults cleared after each test, proxies closed after. */
export function useFaultyNetwork(): FaultyNetwork {
  const net = {} as FaultyNetwork;
  before(async () => {
    net.sandbox = await useClientSandbox();
    net.s3 = await startFaultProxy({ target: net.sandbox.ready.s3.endpoint });
    net.api = await startFaultProxy({ target: net.sandbox.ready.api });
  });
  afterEach(() => {
    net.s3.setFaults(undefined);
    net.api.setFaults(undefined);
  });
  after(async () => {
    await net.s3?.close();
    await net.api?.close();
  });
  return net;
}

/** Lines the client logged, to check that none carries a secret. */
export interface CapturedLog {
  lines: string[];
  logger: NonNullable<StorageClientOptions["logger"]>;
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, logger: { debug: keep("debug"), info: keep("info"), warn: keep("warn"), error: keep("error") } };
}

/** A client for `sub` against the sandbox; `options` override (fetch through a proxy, a store…). */
export async function clientFor(sandbox: RunningSandbox, sub: string, options: Partial<StorageClientOptions> = {}): Promise<StorageClient> {
  const token = await tokenFor(sandbox, sub);
  return createStorageClient({ apiUrl: sandbox.ready.api, getToken: () => token, ...options });
}

/** Random bytes of `size` and their SHA-256. */
export function randomFile(size: number): { bytes: Uint8Array; sha256: string } {
  const bytes = randomBytes(size);
  return { bytes, sha256: sha256Hex(bytes) };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Downloads `path` through a presigned GET (objects are clean at once with the scanner off) and hashes it. */
export async function downloadedSha256(client: StorageClient, path: string): Promise<string> {
  const { url } = await cleanUrl(client, path);
  const answer = await fetch(url);
  if (answer.status !== 200) {
    throw new Error(`GET ${path} answered ${answer.status}`);
  }
  return sha256Hex(new Uint8Array(await answer.arrayBuffer()));
}

/** A read URL once the sandbox's scan worker (which polls) has tagged `path` clean. */
export async function cleanUrl(client: StorageClient, path: string, timeoutMs = 30_000): Promise<{ url: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await client.getUrl(path);
    } catch (err) {
      if ((err as { code?: string }).code !== "NotScanned" || Date.now() > deadline) {
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Multipart uploads the engine still holds under `prefix`, in every bucket of the sandbox. */
export async function openMultipartUploads(sandbox: RunningSandbox, prefix: string): Promise<{ bucket: string; key: string; uploadId: string }[]> {
  const s3 = engineAdmin(sandbox);
  try {
    const found: { bucket: string; key: string; uploadId: string }[] = [];
    for (const bucket of sandbox.ready.s3.buckets) {
      const { Uploads = [] } = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
      found.push(...Uploads.map((u) => ({ bucket, key: u.Key!, uploadId: u.UploadId! })));
    }
    return found;
  } finally {
    s3.destroy();
  }
}

/** Aborts what a test left open, so the next one starts clean. */
export async function abortAll(sandbox: RunningSandbox, prefix: string): Promise<void> {
  const s3 = engineAdmin(sandbox);
  try {
    for (const upload of await openMultipartUploads(sandbox, prefix)) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: upload.bucket, Key: upload.key, UploadId: upload.uploadId }));
    }
  } finally {
    s3.destroy();
  }
}

export const MIB = 1024 * 1024;

/** Secrets that must never reach a log line or an error message. */
export const SECRET_PATTERNS = [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./, /X-Amz-Signature=[0-9a-f]/i, /X-Amz-Credential=[A-Z0-9]/i, /Bearer [A-Za-z0-9]/];
