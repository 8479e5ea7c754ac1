import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { type KeyValueStore } from "../stores/key-value-store";

/**
 * Longest readable file name (the encoded key): file systems cap a name at 255 bytes, and the
 * temporary name of a write adds a suffix. An upload's key holds the API URL and the path, so a
 * path in Japanese goes past it; longer keys get a hashed name and are kept inside their file.
 */
const MAX_READABLE_NAME = 200;
/** Hashed names carry a "." before the extension, which no encoded key has ("." is escaped). */
const HASHED = ".long.json";

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
    const { file, hashed } = this.fileOf(key);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        return null;
      }
      throw err;
    }
    if (!hashed) {
      return text;
    }
    const stored = parseHashed(text);
    return stored?.key === key ? stored.value : null;
  }

  async setItem(key: string, value: string): Promise<void> {
    const { file, hashed } = this.fileOf(key);
    const temporary = `${file}.${process.pid}.${this.sequence++}.tmp`;
    await writeFile(temporary, hashed ? JSON.stringify({ key, value }) : value, "utf8");
    await rename(temporary, file);
  }

  async removeItem(key: string): Promise<void> {
    await rm(this.fileOf(key).file, { force: true });
  }

  async getAllKeys(): Promise<readonly string[]> {
    const names = await readdir(this.dir);
    const keys = await Promise.all(
      names.map(async (name): Promise<string | undefined> => {
        if (name.endsWith(HASHED)) {
          const text = await readFile(path.join(this.dir, name), "utf8").catch(() => undefined);
          return text === undefined ? undefined : parseHashed(text)?.key;
        }
        return name.endsWith(".json") ? decodedKey(name.slice(0, -".json".length)) : undefined;
      }),
    );
    return keys.filter((key): key is string => key !== undefined);
  }

  private fileOf(key: string): { file: string; hashed: boolean } {
    // encodeURIComponent leaves no "/" and keeps names readable; "." and "*" are escaped too so no name is special.
    const readable = encodeURIComponent(key).replace(/\./g, "%2E").replace(/\*/g, "%2A");
    if (readable.length <= MAX_READABLE_NAME) {
      return { file: path.join(this.dir, `${readable}.json`), hashed: false };
    }
    return { file: path.join(this.dir, `${createHash("sha256").update(key).digest("hex")}${HASHED}`), hashed: true };
  }
}

/** The key of a readable name, or undefined for a file this store did not write ("100%.json"). */
function decodedKey(name: string): string | undefined {
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined;
  }
}

function parseHashed(text: string): { key: string; value: string } | undefined {
  try {
    const stored = JSON.parse(text) as { key?: unknown; value?: unknown };
    return typeof stored.key === "string" && typeof stored.value === "string" ? { key: stored.key, value: stored.value } : undefined;
  } catch {
    return undefined;
  }
}
