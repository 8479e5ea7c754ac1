import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import * as path from "node:path";
import { type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CLAMAV_ENV, ConfigurationError, type Env } from "@mobile-s3/contract";
import { type Logger } from "../shared/log";
import { isNotFound } from "../shared/s3-objects";
import { type S3ClientSource, s3Connection } from "../shared/s3-sdk";
import { envLogger, envS3Client } from "../shared/settings";
import { type ClamdAddress, ClamdUnreachableError, clamdScanner } from "./clamd";
import { ClamdDaemon } from "./clamd-daemon";
import { clamScanner, loadClamAvLocation } from "./clamscan";
import { DEFAULT_SCAN_MAX_BYTES } from "./core";
import { type DefinitionsBucket, type DefinitionsSource } from "./definitions-core";
import { type ScanInput, type ScanResult, type Scanner } from "./scanner";


export const DEFAULT_CLAMD_PATH = "/usr/sbin/clamd";
export const DEFAULT_FRESHCLAM_PATH = "/usr/bin/freshclam";
export const DEFAULT_CLAMAV_WORK_DIR = "/tmp/clamav";
export const DEFAULT_REFRESH_MINUTES = 15;
/** A scan running longer fails (as `SCAN_TIMEOUT_MS` of the scan function). */
export const DEFAULT_CLAMAV_TIMEOUT_MS = 90_000;
/** The full public database takes 10-30 s to load; twice the worst seen, then the scan fails. */
export const CLAMD_START_TIMEOUT_MS = 60_000;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** An optional path setting: absolute and without spaces (it goes into a config file or a spawn). */
export function absolutePath(env: Env, name: string, fallback: string): string {
  const value = optional(env, name) ?? fallback;
  if (!path.isAbsolute(value) || /\s/.test(value)) {
    throw new ConfigurationError(name, `must be an absolute path without spaces, got "${value}"`);
  }
  return value;
}

/** CLAMAV_DEFINITIONS_BUCKET, or undefined when unset (the clamscan fallback). */
export function readDefinitionsBucket(env: Env): string | undefined {
  const bucket = optional(env, CLAMAV_ENV.definitionsBucket);
  if (bucket !== undefined && !BUCKET_NAME.test(bucket)) {
    throw new ConfigurationError(CLAMAV_ENV.definitionsBucket, `must be an S3 bucket name, got "${bucket}"`);
  }
  return bucket;
}

export interface ClamdSettingsFromEnv {
  bucket: string;
  clamdPath: string;
  workDir: string;
  refreshIntervalMs: number;
}

/** The warm-clamd settings, or undefined when no definitions bucket is named. */
export function loadClamdSettings(env: Env): ClamdSettingsFromEnv | undefined {
  const bucket = readDefinitionsBucket(env);
  if (bucket === undefined) {
    return undefined;
  }
  const minutesText = optional(env, CLAMAV_ENV.refreshMinutes);
  const minutes = minutesText === undefined ? DEFAULT_REFRESH_MINUTES : Number(minutesText);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) {
    throw new ConfigurationError(CLAMAV_ENV.refreshMinutes, `must be an integer from 1 to 1440, got "${minutesText}"`);
  }
  const workDir = absolutePath(env, CLAMAV_ENV.workDir, DEFAULT_CLAMAV_WORK_DIR);
  return { bucket, clamdPath: absolutePath(env, CLAMAV_ENV.clamdPath, DEFAULT_CLAMD_PATH), workDir, refreshIntervalMs: minutes * 60_000 };
}

/** No such object, or (a manifest naming a version) no such version of it. */
function isMissing(err: unknown): boolean {
  return isNotFound(err) || (err as { name?: string })?.name === "NoSuchVersion";
}

/**
 * The definitions bucket over the AWS SDK v3 (loaded on first use). Objects stream to and from
 * files. Uploads name no encryption, so the bucket's default SSE-KMS applies (its policy refuses
 * any other). A missing object is `undefined`/`false` only where S3 can say so: without
 * `s3:ListBucket` S3 answers a missing key with 403, which stays an error.
 */
export function s3DefinitionsBucket(source: S3ClientSource, bucket: string): DefinitionsBucket {
  const connect = s3Connection(source);
  return {
    async readText(key) {
      const { sdk, client } = await connect();
      try {
        const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body!.transformToString("utf8");
      } catch (err) {
        if (isMissing(err)) {
          return undefined;
        }
        throw err;
      }
    },
    async writeText(key, text, contentType) {
      const { sdk, client } = await connect();
      const body = Buffer.from(text, "utf8");
      const out = await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.byteLength }));
      return out.VersionId ? { versionId: out.VersionId } : {};
    },
    async download(key, toFile, versionId) {
      const { sdk, client } = await connect();
      let body: Readable;
      try {
        const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
        body = out.Body as Readable;
      } catch (err) {
        if (isMissing(err)) {
          return false;
        }
        throw err;
      }
      await pipeline(body, createWriteStream(toFile, { mode: 0o600 }));
      return true;
    },
    async upload(key, fromFile) {
      const { sdk, client } = await connect();
      const { size } = await stat(fromFile);
      const out = await client.send(
        new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(fromFile), ContentLength: size, ContentType: "application/octet-stream" }),
      );
      return out.VersionId ? { versionId: out.VersionId } : {};
    },
  };
}

export interface ClamAvScannerOptions {
  /** A scan running longer fails. @default DEFAULT_CLAMAV_TIMEOUT_MS */
  timeoutMs: number;
  /** The largest input scanned (clamd's `StreamMaxLength`, clamscan's `--max-filesize`). @default DEFAULT_SCAN_MAX_BYTES */
  maxFileBytes: number;
  log: Logger;
  /** Where definitions come from. @default the S3 bucket CLAMAV_DEFINITIONS_BUCKET names */
  definitions: DefinitionsSource;
  /** @default Date.now */
  now: () => number;
}

/**
 * The scanner of the functions that scan (scan, proxy), built once per cold start:
 *
 * - with CLAMAV_DEFINITIONS_BUCKET set (the container image in Lambda): a warm clamd
 *   (clamd-daemon.ts) with the definitions the updater publishes, streamed to over its socket;
 *   nothing starts until the first scan;
 * - without it (the sandbox, the tests): `clamscan` per object (clamscan.ts), with CLAMSCAN_PATH and
 *   CLAMAV_DB as before.
 *
 * Either way it resolves only with a verdict ClamAV gave, and rejects with a `ScanError` otherwise.
 */
export function createClamAvScanner(env: Env, options: Partial<ClamAvScannerOptions> = {}): Scanner {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CLAMAV_TIMEOUT_MS;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_SCAN_MAX_BYTES;
  const settings = loadClamdSettings(env);
  if (settings === undefined) {
    return clamScanner({ ...loadClamAvLocation(env), timeoutMs, maxFileBytes });
  }
  const log = options.log ?? envLogger("clamav", env);
  const s3 = envS3Client(env);
  const definitions = options.definitions ?? s3DefinitionsBucket(s3, settings.bucket);
  const daemon = new ClamdDaemon(
    {
      binary: settings.clamdPath,
      workDir: settings.workDir,
      maxStreamBytes: maxFileBytes,
      refreshIntervalMs: settings.refreshIntervalMs,
      startTimeoutMs: CLAMD_START_TIMEOUT_MS,
    },
    { definitions, log, ...(options.now ? { now: options.now } : {}) },
  );
  return warmClamdScanner(daemon, { timeoutMs, maxStreamBytes: maxFileBytes });
}

/**
 * Scans through `daemon`'s clamd. A clamd that is gone (it died between two scans, or during this
 * one) is started again and the input scanned once more; a second failure is the scan's failure.
 */
export function warmClamdScanner(daemon: Pick<ClamdDaemon, "ready" | "pid">, settings: { timeoutMs: number; maxStreamBytes: number }): Scanner {
  const scanAt = (address: ClamdAddress, input: ScanInput): Promise<ScanResult> =>
    clamdScanner({ address, timeoutMs: settings.timeoutMs, maxStreamBytes: settings.maxStreamBytes }).scan(input);
  return {
    async scan(input) {
      const address = await daemon.ready();
      try {
        return await scanAt(address, input);
      } catch (err) {
        if (err instanceof ClamdUnreachableError || daemon.pid === undefined) {
          return scanAt(await daemon.ready(), input);
        }
        throw err;
      }
    },
  };
}
