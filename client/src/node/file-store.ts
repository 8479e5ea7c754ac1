import { mkdirSync } from "node:fs";
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { type KeyValueStore } from "../stores/key-value-store";

/**
 * One file per key in `dir` (Node: CLIs, Electron, tests). Each write goes to a temporary file that
 * is then renamed over the old one, so a process killed mid-write leaves the previous state, never
 * half a file.
 */
export class FileStore implements KeyValueStore {
  private sequence = 0;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  async getItem(key: string): Promise<string | null> {
    try {
      return await readFile(this.fileOf(key), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        return null;
      }
      throw err;
    }
  }

  async setItem(key: string, value: string): Promise<void> {
    const file = this.fileOf(key);
    const temporary = `${file}.${process.pid}.${this.sequence++}.tmp`;
    await writeFile(temporary, value, "utf8");
    await rename(temporary, file);
  }

  async removeItem(key: string): Promise<void> {
    await rm(this.fileOf(key), { force: true });
  }

  async getAllKeys(): Promise<readonly string[]> {
    const names = await readdir(this.dir);
    return names.filter((name) => name.endsWith(".json")).map((name) => decodeURIComponent(name.slice(0, -".json".length)));
  }

  private fileOf(key: string): string {
    // encodeURIComponent leaves no "/" and keeps names readable; "." and "*" are escaped too so no name is special.
    return path.join(this.dir, `${encodeURIComponent(key).replace(/\./g, "%2E").replace(/\*/g, "%2A")}.json`);
  }
}
