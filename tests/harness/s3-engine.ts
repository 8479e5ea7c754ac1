import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { AbortMultipartUploadCommand, DeleteBucketCommand, DeleteObjectsCommand, ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { s3Client } from "../../functions/shared/s3-client";
import { PROJECT_ROOT } from "../../offline/stack-config";

const run = promisify(execFile);
const SCRIPTS = path.join(PROJECT_ROOT, "scripts", "s3-engine");

/** A running Ceph RADOS Gateway: endpoint and the two users `start.sh` creates. */
export interface S3Engine {
  endpoint: string;
  region: string;
  dir: string;
  users: { accessKeyId: string; secretAccessKey: string }[];
  /** PID of radosgw, for the record; `stop.sh` stops every daemon by its PID file. */
  pid: number;
}

export const ENGINE_DIR = process.env.RGW_DIR ?? "/tmp/mobile-s3-rgw-tests";

function readEngine(dir: string): S3Engine {
  const env = Object.fromEntries(
    readFileSync(path.join(dir, "env"), "utf8")
      .split("\n")
      .map((line) => /^export ([A-Z0-9_]+)=(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
  return {
    endpoint: env.S3_ENDPOINT,
    region: env.AWS_REGION,
    dir,
    users: [
      { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
      { accessKeyId: env.S3_ACCESS_KEY_ID_2, secretAccessKey: env.S3_SECRET_ACCESS_KEY_2 },
    ],
    pid: Number(readFileSync(path.join(dir, "run", "rgw.pid"), "utf8")),
  };
}

function running(dir: string): boolean {
  const pidFile = path.join(dir, "run", "rgw.pid");
  if (!existsSync(pidFile) || !existsSync(path.join(dir, "env"))) {
    return false;
  }
  try {
    process.kill(Number(readFileSync(pidFile, "utf8")), 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a fresh engine in `dir` (installing its Debian packages first if they are missing). */
export async function startS3Engine(dir = ENGINE_DIR): Promise<S3Engine> {
  try {
    await run("bash", [path.join(SCRIPTS, "start.sh")], { env: { ...process.env, RGW_DIR: dir }, timeout: 300_000 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`could not start the S3 engine: ${e.stderr || e.stdout || e.message}`);
  }
  return readEngine(dir);
}

/** Stops the engine in `dir` by its PID files and deletes its data. */
export async function stopS3Engine(dir = ENGINE_DIR): Promise<void> {
  await run("bash", [path.join(SCRIPTS, "stop.sh")], { env: { ...process.env, RGW_DIR: dir }, timeout: 60_000 });
}

let shared: { engine: Promise<S3Engine>; ownedByUs: boolean } | undefined;

/**
 * The engine for this test run, started on first use and stopped by the root hook after the last
 * suite. Suites that never call this never start it. An engine already running in `ENGINE_DIR`
 * (started by hand with `npm run s3-engine:start`) is reused and left running.
 */
export function useS3Engine(): Promise<S3Engine> {
  if (!shared) {
    const reuse = running(ENGINE_DIR);
    shared = { engine: reuse ? Promise.resolve(readEngine(ENGINE_DIR)) : startS3Engine(ENGINE_DIR), ownedByUs: !reuse };
  }
  return shared.engine;
}

/** Called by the root hook: stops the shared engine if this run started it. */
export async function releaseS3Engine(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current?.ownedByUs) {
    await current.engine.then(
      () => stopS3Engine(ENGINE_DIR),
      () => stopS3Engine(ENGINE_DIR),
    );
  }
}

/**
 * An S3 client for the engine as user 0 or 1. Path-style addressing (no wildcard DNS on loopback);
 * checksums only when an operation requires them, so presigned URLs carry no CRC32 the client
 * would have to match. Call `destroy()` when done: radosgw keeps idle connections ~65 s.
 */
export function engineClient(engine: Pick<S3Engine, "endpoint" | "region" | "users">, user = 0): S3Client {
  return s3Client({ endpoint: engine.endpoint, region: engine.region, credentials: engine.users[user], forcePathStyle: true });
}

/** Aborts every open upload, deletes every object, then the bucket: what a suite leaves behind it. */
export async function emptyAndDeleteBucket(admin: S3Client, bucket: string): Promise<void> {
  const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const u of uploads.Uploads ?? []) {
    await admin.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
  }
  for (;;) {
    const listed = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
    if (!listed.Contents?.length) {
      break;
    }
    await admin.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: listed.Contents.map((o) => ({ Key: o.Key! })) } }));
  }
  await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
}
