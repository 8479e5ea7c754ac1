import { DEFINITIONS_LAYOUT } from "@mobile-s3/contract";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { errorName, type Logger } from "../shared/log";

/*
 * ClamAV signature updates for the self-hosted scanner. A scheduled function runs `freshclam` into
 * /tmp and publishes the database files to a private bucket with a manifest; the scanning functions
 * (clamd-daemon.ts) read the manifest, download what changed and reload clamd. This module is the
 * shared vocabulary (bucket layout, manifest) and the updater's core; the S3 adapter is in
 * clamav.ts, the Lambda adapter in definitions-handler.ts. No AWS SDK here.
 */


export const FRESHCLAM_STATE_FILE = "freshclam.dat";

/**
 * File types clamd loads from its database directory: the signed databases freshclam maintains
 * (`.cvd`, and `.cld` once it has applied incremental updates) and the plain signature formats a
 * `DatabaseCustomURL` may add ("Signatures" in the ClamAV documentation).
 */
export const DATABASE_EXTENSIONS = [
  ".cvd",
  ".cld",
  ".cud",
  ".ndb",
  ".ndu",
  ".hdb",
  ".hsb",
  ".mdb",
  ".msb",
  ".ldb",
  ".ldu",
  ".cdb",
  ".idb",
  ".fp",
  ".sfp",
  ".ign2",
  ".wdb",
  ".pdb",
  ".gdb",
  ".ftm",
  ".yar",
  ".yara",
  ".cbc",
] as const;

/** Without these freshclam has not produced a usable database, and nothing is published. */
export const REQUIRED_DATABASES = ["main", "daily"] as const;

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** A database file name the scanners will write into their database directory: no path, a known type. */
export function isDatabaseFileName(name: string): boolean {
  return FILE_NAME.test(name) && !name.includes("..") && DATABASE_EXTENSIONS.some((ext) => name.endsWith(ext));
}

export interface DefinitionFile {
  /** The file name in clamd's database directory, e.g. `daily.cld`. */
  name: string;
  /** Its object key in the definitions bucket. */
  key: string;
  /** The object version holding exactly these bytes (versioned bucket), so readers never mix uploads. */
  versionId?: string;
  sha256: string;
  size: number;
  /** From the signed header of a `.cvd`/`.cld`: the database version, e.g. 27500 for daily. */
  version?: number;
  /** From the same header: how many signatures it holds. */
  signatures?: number;
  /** From the same header: when ClamAV built it (ISO 8601). */
  builtAt?: string;
}

export interface DefinitionsManifest {
  format: 1;
  /** When the updater published this set. */
  publishedAt: string;
  files: DefinitionFile[];
}

/** The manifest or the update is unusable; the message says why (never a credential or a URL with one). */
export class DefinitionsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DefinitionsError";
  }
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Parses and checks a manifest. Everything a reader will act on is validated, above all file names:
 * a name becomes a path in the scanner's /tmp, so anything with a directory part is refused.
 */
export function parseManifest(text: string): DefinitionsManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DefinitionsError("the definitions manifest is not valid JSON", { cause: err });
  }
  const manifest = record(value);
  if (manifest?.format !== 1 || typeof manifest.publishedAt !== "string" || !Array.isArray(manifest.files)) {
    throw new DefinitionsError("the definitions manifest is not a format-1 manifest");
  }
  const seen = new Set<string>();
  const files = manifest.files.map((entry, i): DefinitionFile => {
    const f = record(entry);
    if (
      !f ||
      typeof f.name !== "string" ||
      !isDatabaseFileName(f.name) ||
      typeof f.key !== "string" ||
      f.key === "" ||
      typeof f.sha256 !== "string" ||
      !SHA256.test(f.sha256) ||
      typeof f.size !== "number" ||
      !Number.isSafeInteger(f.size) ||
      f.size < 0 ||
      (f.versionId !== undefined && typeof f.versionId !== "string")
    ) {
      throw new DefinitionsError(`entry ${i} of the definitions manifest is not a database file it can use`);
    }
    if (seen.has(f.name)) {
      throw new DefinitionsError(`the definitions manifest lists ${f.name} twice`);
    }
    seen.add(f.name);
    return {
      name: f.name,
      key: f.key,
      ...(typeof f.versionId === "string" ? { versionId: f.versionId } : {}),
      sha256: f.sha256,
      size: f.size,
      ...(typeof f.version === "number" ? { version: f.version } : {}),
      ...(typeof f.signatures === "number" ? { signatures: f.signatures } : {}),
      ...(typeof f.builtAt === "string" ? { builtAt: f.builtAt } : {}),
    };
  });
  if (files.length === 0) {
    throw new DefinitionsError("the definitions manifest names no database file");
  }
  return { format: 1, publishedAt: manifest.publishedAt, files };
}

/** Identifies a set of database files by content: equal ids mean clamd has nothing new to load. */
export function manifestId(manifest: Pick<DefinitionsManifest, "files">): string {
  const lines = [...manifest.files].map((f) => `${f.name}:${f.sha256}`).sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 32);
}

/** The database versions of a manifest for a log line, e.g. `daily.cld:27500 main.cvd:62`. */
export function describeVersions(manifest: Pick<DefinitionsManifest, "files">): string {
  return manifest.files
    .map((f) => `${f.name}:${f.version ?? "?"}`)
    .sort()
    .join(" ");
}

export interface CvdHeader {
  version: number;
  signatures: number;
  functionalityLevel: number;
  builtAt?: string;
}

/** Size of the header that starts every `.cvd` and `.cld` file. */
export const CVD_HEADER_BYTES = 512;

/**
 * Reads the header ClamAV puts at the start of every `.cvd`/`.cld`: 512 bytes of
 * `ClamAV-VDB:<build time>:<version>:<signatures>:<functionality level>:<md5>:<signature>:<builder>:<unix time>`,
 * padded with spaces ("CVD format", ClamAV documentation). The build time uses `-` between hours
 * and minutes, so `:` separates the fields. Undefined for anything else.
 */
export function readCvdHeader(bytes: Uint8Array): CvdHeader | undefined {
  const text = Buffer.from(bytes.subarray(0, CVD_HEADER_BYTES)).toString("latin1").replace(/[\s\0]+$/, "");
  const fields = text.split(":");
  if (fields[0] !== "ClamAV-VDB" || fields.length < 5) {
    return undefined;
  }
  const [version, signatures, functionalityLevel] = [fields[2], fields[3], fields[4]].map((f) => (/^\d+$/.test(f) ? Number(f) : NaN));
  if ([version, signatures, functionalityLevel].some((n) => !Number.isSafeInteger(n))) {
    return undefined;
  }
  const stime = fields[8] !== undefined && /^\d+$/.test(fields[8]) ? new Date(Number(fields[8]) * 1000) : undefined;
  return { version, signatures, functionalityLevel, ...(stime && !Number.isNaN(stime.getTime()) ? { builtAt: stime.toISOString() } : {}) };
}

/** SHA-256 and size of a file, read as a stream (database files run to hundreds of MB). */
export async function fileDigest(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), size };
}

async function fileHeader(file: string): Promise<CvdHeader | undefined> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(CVD_HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, CVD_HEADER_BYTES, 0);
    return readCvdHeader(buffer.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** What a database file in a local directory is, as a manifest entry (without its object version). */
export async function describeDatabaseFile(dir: string, name: string): Promise<DefinitionFile> {
  const file = path.join(dir, name);
  const [{ sha256, size }, header] = await Promise.all([fileDigest(file), name.endsWith(".cvd") || name.endsWith(".cld") ? fileHeader(file) : undefined]);
  return {
    name,
    key: `${DEFINITIONS_LAYOUT.signaturesPrefix}${name}`,
    sha256,
    size,
    ...(header ? { version: header.version, signatures: header.signatures, ...(header.builtAt ? { builtAt: header.builtAt } : {}) } : {}),
  };
}

/**
 * The definitions bucket, as a port: the S3 adapter in Lambda (clamav.ts), a directory in the tests.
 * Objects go to and from files, never whole into memory.
 */
export interface DefinitionsBucket {
  /** The object's text, or undefined when there is no such object. */
  readText(key: string): Promise<string | undefined>;
  /** Writes `key` (a version of it, in a versioned bucket) and returns the new version's id if any. */
  writeText(key: string, text: string, contentType: string): Promise<{ versionId?: string }>;
  /** Streams the object (the given version, if named) to `toFile`; false when there is no such object. */
  download(key: string, toFile: string, versionId?: string): Promise<boolean>;
  /** Streams `fromFile` to `key` and returns the new version's id if any. */
  upload(key: string, fromFile: string): Promise<{ versionId?: string }>;
}

/** What the scanning functions need of the bucket: reading only. */
export type DefinitionsSource = Pick<DefinitionsBucket, "readText" | "download">;

/** The manifest in the bucket, or undefined when nothing has been published yet. */
export async function readManifest(bucket: Pick<DefinitionsBucket, "readText">): Promise<DefinitionsManifest | undefined> {
  const text = await bucket.readText(DEFINITIONS_LAYOUT.manifestKey);
  return text === undefined ? undefined : parseManifest(text);
}

/**
 * Makes `dir` hold exactly the files of `manifest`: files whose SHA-256 already matches stay, the
 * rest are downloaded into `stagingDir` (same file system), checked against the manifest's size and
 * SHA-256, and only then renamed into place; files the manifest does not name are removed. A failed
 * download or check throws before `dir` changes. `known` caches the digests of files it installed.
 */
export async function syncDatabaseDirectory(
  manifest: DefinitionsManifest,
  dirs: { dir: string; stagingDir: string },
  source: Pick<DefinitionsBucket, "download">,
  known: Map<string, string> = new Map(),
): Promise<{ downloaded: string[]; removed: string[] }> {
  await mkdir(dirs.dir, { recursive: true });
  await rm(dirs.stagingDir, { recursive: true, force: true });
  await mkdir(dirs.stagingDir, { recursive: true });
  const present = new Set(await readdir(dirs.dir));
  const wanted = new Set(manifest.files.map((f) => f.name));
  const downloaded: string[] = [];
  try {
    for (const file of manifest.files) {
      if (present.has(file.name)) {
        const sha256 = known.get(file.name) ?? (await fileDigest(path.join(dirs.dir, file.name))).sha256;
        if (sha256 === file.sha256) {
          known.set(file.name, sha256);
          continue;
        }
      }
      const staged = path.join(dirs.stagingDir, file.name);
      if (!(await source.download(file.key, staged, file.versionId))) {
        throw new DefinitionsError(`${file.name} is in the definitions manifest but not in the bucket`);
      }
      const got = await fileDigest(staged);
      if (got.sha256 !== file.sha256 || got.size !== file.size) {
        throw new DefinitionsError(`${file.name} as downloaded does not match the definitions manifest (size or SHA-256)`);
      }
      downloaded.push(file.name);
    }
    for (const name of downloaded) {
      await rename(path.join(dirs.stagingDir, name), path.join(dirs.dir, name));
      known.set(name, manifest.files.find((f) => f.name === name)!.sha256);
    }
  } finally {
    await rm(dirs.stagingDir, { recursive: true, force: true });
  }
  const removed: string[] = [];
  for (const name of present) {
    if (!wanted.has(name)) {
      await rm(path.join(dirs.dir, name), { recursive: true, force: true });
      known.delete(name);
      removed.push(name);
    }
  }
  return { downloaded, removed };
}

/** Where freshclam downloads from. */
export interface FreshclamMirror {
  /**
   * `DatabaseMirror`: a host serving the ClamAV databases the way ClamAV's CDN does.
   * @default "database.clamav.net"
   */
  databaseMirror?: string;
  /**
   * `PrivateMirror` entries (URLs of a mirror such as one cvdupdate maintains). When set, freshclam
   * uses them instead of `DatabaseMirror` and DNS ("freshclam.conf", PrivateMirror).
   * @default []
   */
  privateMirrors?: string[];
}

export const DEFAULT_DATABASE_MIRROR = "database.clamav.net";

/** A host name, or an http(s) URL without credentials: one token, so it cannot add lines to the config. */
const MIRROR = /^(?:https?:\/\/)?[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::\d{1,5})?(?:\/[A-Za-z0-9._~%/-]*)?$/;

export function assertMirror(setting: string, value: string): string {
  if (!MIRROR.test(value)) {
    throw new DefinitionsError(`[${setting}] must be a host name or an http(s) URL without spaces or credentials, got "${value.slice(0, 100)}"`);
  }
  return value;
}

/** A path a clamd.conf or freshclam.conf value may hold: one token "without blank characters". */
export const CONFIG_PATH = /^\/[A-Za-z0-9._/-]+$/;

function assertConfigPath(setting: string, value: string): string {
  if (!CONFIG_PATH.test(value)) {
    throw new DefinitionsError(`[${setting}] must be an absolute path of letters, digits, '.', '_', '-' and '/', got "${value}"`);
  }
  return value;
}

/**
 * freshclam.conf for one run inside Lambda: everything under /tmp (the only writable place), logs
 * on stdout for CloudWatch and no log file, no daemon mode, no clamd to notify (the scanners reload
 * from the bucket). `TestDatabases` stays on: freshclam loads a new database before replacing the
 * old one, so a broken download is never published (it needs the memory of a full load).
 */
export function freshclamConfig(input: { databaseDir: string; mirror: FreshclamMirror }): string {
  assertConfigPath("databaseDir", input.databaseDir);
  const privateMirrors = (input.mirror.privateMirrors ?? []).map((m) => assertMirror("privateMirrors", m));
  const databaseMirror = assertMirror("databaseMirror", input.mirror.databaseMirror ?? DEFAULT_DATABASE_MIRROR);
  return [
    "# Written by functions/scan/definitions-core.ts for one freshclam run.",
    `DatabaseDirectory ${input.databaseDir}`,
    "Foreground yes",
    "LogTime no",
    "LogSyslog no",
    "LogVerbose no",
    "TestDatabases yes",
    "Bytecode yes",
    "ConnectTimeout 30",
    "ReceiveTimeout 300",
    "MaxAttempts 3",
    ...(privateMirrors.length > 0 ? privateMirrors.map((m) => `PrivateMirror ${m}`) : [`DatabaseMirror ${databaseMirror}`]),
    "",
  ].join("\n");
}

export interface FreshclamRun {
  /** freshclam's exit code: 0 means up to date or updated ("freshclam", RETURN CODES). */
  code: number | null;
  /** The end of what it printed, for the log. */
  output: string;
}

export interface UpdatePorts {
  bucket: DefinitionsBucket;
  /** Runs freshclam with this configuration file. */
  freshclam(configFile: string): Promise<FreshclamRun>;
  log: Logger;
  now?: () => Date;
}

export interface UpdateSettings {
  /** A directory of its own under /tmp; the database lives in `<workDir>/db`. */
  workDir: string;
  mirror: FreshclamMirror;
}

export type UpdateOutcome =
  | { action: "published"; changed: string[]; manifest: DefinitionsManifest }
  | { action: "unchanged"; manifest: DefinitionsManifest };

/**
 * One scheduled update:
 *
 * 1. the database directory is seeded from what the bucket already holds (and freshclam's state),
 *    so freshclam fetches only the incremental updates it is missing instead of whole databases
 *    (ClamAV asks for this: its CDN rate-limits full downloads);
 * 2. freshclam runs; a non-zero exit fails the update and publishes nothing;
 * 3. the database files are described (SHA-256, size, version from their header); without `main`
 *    and `daily` nothing is published;
 * 4. files whose SHA-256 differs from the published manifest are uploaded, then the manifest, last,
 *    naming the exact object versions; with nothing changed nothing is written.
 */
export async function updateDefinitions(ports: UpdatePorts, settings: UpdateSettings): Promise<UpdateOutcome> {
  const { bucket, log } = ports;
  const now = ports.now ?? (() => new Date());
  const databaseDir = path.join(settings.workDir, "db");
  const configFile = path.join(settings.workDir, "freshclam.conf");
  const config = freshclamConfig({ databaseDir, mirror: settings.mirror });

  const published = await readManifest(bucket);
  if (published) {
    const seeded = await syncDatabaseDirectory(published, { dir: databaseDir, stagingDir: path.join(settings.workDir, "staging") }, bucket);
    log.info("database seeded from the definitions bucket", { downloaded: seeded.downloaded.length, versions: describeVersions(published) });
  } else {
    await mkdir(databaseDir, { recursive: true });
    log.info("no definitions published yet: freshclam downloads whole databases");
  }
  await bucket.download(DEFINITIONS_LAYOUT.freshclamStateKey, path.join(databaseDir, FRESHCLAM_STATE_FILE)).catch((err: unknown) => {
    log.warn("freshclam state not restored", { error: errorName(err) });
  });
  await writeFile(configFile, config, { mode: 0o600 });

  const run = await ports.freshclam(configFile);
  if (run.code !== 0) {
    log.error("freshclam failed; nothing published", { code: run.code ?? "signal", output: run.output.slice(-1000) });
    throw new DefinitionsError(`freshclam exited with code ${run.code ?? "(killed by a signal)"}; nothing was published`);
  }
  log.info("freshclam finished", { output: run.output.slice(-1000) });

  const names = (await readdir(databaseDir)).filter(isDatabaseFileName).sort();
  const missing = REQUIRED_DATABASES.filter((db) => !names.some((n) => n === `${db}.cvd` || n === `${db}.cld`));
  if (missing.length > 0) {
    throw new DefinitionsError(`freshclam left no ${missing.join(" or ")} database; nothing was published`);
  }
  const files: DefinitionFile[] = [];
  for (const name of names) {
    const info = await stat(path.join(databaseDir, name));
    if (info.isFile()) {
      files.push(await describeDatabaseFile(databaseDir, name));
    }
  }

  const before = new Map((published?.files ?? []).map((f) => [f.name, f]));
  const changed: string[] = [];
  const entries: DefinitionFile[] = [];
  for (const file of files) {
    const previous = before.get(file.name);
    if (previous && previous.sha256 === file.sha256) {
      entries.push({ ...file, key: previous.key, ...(previous.versionId ? { versionId: previous.versionId } : {}) });
      continue;
    }
    const { versionId } = await bucket.upload(file.key, path.join(databaseDir, file.name));
    entries.push(versionId ? { ...file, versionId } : file);
    changed.push(file.name);
  }
  const manifest: DefinitionsManifest = { format: 1, publishedAt: now().toISOString(), files: entries };

  await bucket.upload(DEFINITIONS_LAYOUT.freshclamStateKey, path.join(databaseDir, FRESHCLAM_STATE_FILE)).catch((err: unknown) => {
    // Only the cool-down memory is lost; the databases are what matter.
    log.warn("freshclam state not saved", { error: errorName(err) });
  });
  if (published && changed.length === 0 && published.files.length === entries.length) {
    log.info("definitions unchanged", { versions: describeVersions(published) });
    return { action: "unchanged", manifest: published };
  }
  await bucket.writeText(DEFINITIONS_LAYOUT.manifestKey, `${JSON.stringify(manifest, null, 2)}\n`, "application/json");
  log.info("definitions published", { changed: changed.join(" "), versions: describeVersions(manifest) });
  return { action: "published", changed, manifest };
}

/** freshclam prints a few lines per database; keep the end, where errors are. */
const MAX_OUTPUT_CHARS = 16 * 1024;

/**
 * Runs the real freshclam (`--config-file=<file> --stdout`), killed after `timeoutMs`. The
 * process, its output and exit code are all it reports; `updateDefinitions` decides what they mean.
 */
export function spawnFreshclam(binary: string, timeoutMs: number): (configFile: string) => Promise<FreshclamRun> {
  return (configFile) =>
    new Promise((resolve, reject) => {
      const child = spawn(binary, [`--config-file=${configFile}`, "--stdout"], { stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      const keep = (chunk: string) => (output = (output + chunk).slice(-MAX_OUTPUT_CHARS));
      child.stdout.setEncoding("utf8").on("data", keep);
      child.stderr.setEncoding("utf8").on("data", keep);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      child.on("error", (err) => {
        clearTimeout(timer);
        reject(new DefinitionsError(`could not run ${binary}`, { cause: err }));
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
}
