import { DEFINITIONS_LAYOUT } from "@mobile-s3/contract";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { type DefinitionsBucket, type DefinitionsManifest, describeDatabaseFile } from "../../../functions/scan/definitions-core";
import { type Logger, type LogFields } from "../../../functions/shared/log";

/**
 * The definitions bucket as a directory, with object versions as S3 keeps them in a versioned
 * bucket: every write makes a new version, reads take the current one or a named one. It records
 * every operation, in order, and can be told to fail.
 */
export class DirectoryBucket implements DefinitionsBucket {
  readonly operations: string[] = [];
  /** Set to make every operation throw it (an S3 outage). */
  failWith: Error | undefined;
  private readonly objects = new Map<string, { versionId: string; file: string }[]>();
  private counter = 0;

  constructor(private readonly dir: string) {}

  private check(op: string): void {
    this.operations.push(op);
    if (this.failWith) {
      throw this.failWith;
    }
  }

  private async store(key: string, write: (file: string) => Promise<void>): Promise<{ versionId: string }> {
    this.counter += 1;
    const versionId = `v${this.counter}`;
    const file = path.join(this.dir, `${this.counter}`);
    await mkdir(this.dir, { recursive: true });
    await write(file);
    this.objects.set(key, [...(this.objects.get(key) ?? []), { versionId, file }]);
    return { versionId };
  }

  private find(key: string, versionId?: string) {
    const versions = this.objects.get(key) ?? [];
    return versionId === undefined ? versions.at(-1) : versions.find((v) => v.versionId === versionId);
  }

  async readText(key: string): Promise<string | undefined> {
    this.check(`readText ${key}`);
    const found = this.find(key);
    return found ? readFile(found.file, "utf8") : undefined;
  }

  async writeText(key: string, text: string): Promise<{ versionId?: string }> {
    this.check(`writeText ${key}`);
    return this.store(key, (file) => writeFile(file, text));
  }

  async download(key: string, toFile: string, versionId?: string): Promise<boolean> {
    this.check(`download ${key}${versionId ? `@${versionId}` : ""}`);
    const found = this.find(key, versionId);
    if (!found) {
      return false;
    }
    await copyFile(found.file, toFile);
    return true;
  }

  async upload(key: string, fromFile: string): Promise<{ versionId?: string }> {
    this.check(`upload ${key}`);
    return this.store(key, (file) => copyFile(fromFile, file));
  }

  /** Overwrites the current version of `key` in place (a corrupted object). */
  async corrupt(key: string, content: string): Promise<void> {
    const found = this.find(key);
    if (!found) {
      throw new Error(`no object ${key}`);
    }
    await writeFile(found.file, content);
  }

  /** Publishes the files of `dir` with a manifest, as the updater does. */
  async publish(dir: string, names: string[], publishedAt = "2025-01-01T00:00:00.000Z"): Promise<DefinitionsManifest> {
    const files = [];
    for (const name of names) {
      const file = await describeDatabaseFile(dir, name);
      const { versionId } = await this.upload(file.key, path.join(dir, name));
      files.push({ ...file, ...(versionId ? { versionId } : {}) });
    }
    const manifest: DefinitionsManifest = { format: 1, publishedAt, files };
    await this.writeText(DEFINITIONS_LAYOUT.manifestKey, JSON.stringify(manifest));
    return manifest;
  }
}

/** A logger that keeps every line, for assertions on what was logged. */
export function recordingLogger(): Logger & { lines: { level: string; message: string; fields: LogFields }[] } {
  const lines: { level: string; message: string; fields: LogFields }[] = [];
  const at = (level: string) => (message: string, fields: LogFields = {}) => {
    lines.push({ level, message, fields });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/**
 * A `.cvd`-shaped file: the 512-byte header ClamAV puts first (`ClamAV-VDB:<time>:<version>:<sigs>:
 * <flevel>:<md5>:<dsig>:<builder>:<stime>`, space-padded), then a body.
 */
export function cvdBytes(version: number, body: string, stime = 1_700_000_000): Buffer {
  const header = `ClamAV-VDB:14 Nov 2023 22-13 +0000:${version}:${body.length}:90:${"0".repeat(32)}:sig:builder:${stime}`;
  return Buffer.concat([Buffer.from(header.padEnd(512, " "), "latin1"), Buffer.from(body)]);
}
