import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "./options";

/**
 * Ceph's admin sockets live under the data dir (`rgw/run/client.rgw.asok`), and a Unix socket path
 * holds at most 107 bytes.
 */
const MAX_DATA_DIR_LENGTH = 80;

/**
 * The directory the sandbox owns for this run, and deletes on exit: a new one under the system's
 * temporary directory, or `--data-dir`, which must not exist yet or be empty (never someone's files).
 */
export async function createDataDir(requested: string | undefined): Promise<string> {
  if (requested === undefined) {
    return mkdtemp(path.join(os.tmpdir(), "mobile-s3-sandbox-"));
  }
  const dir = path.resolve(requested);
  if (Buffer.byteLength(dir) > MAX_DATA_DIR_LENGTH) {
    throw new UsageError(`[--data-dir] ${dir} is too long for the engine's sockets: use a path of at most ${MAX_DATA_DIR_LENGTH} bytes`);
  }
  const existing = await stat(dir).catch(() => undefined);
  if (existing !== undefined) {
    if (!existing.isDirectory()) {
      throw new UsageError(`[--data-dir] ${dir} is not a directory`);
    }
    if ((await readdir(dir)).length > 0) {
      throw new UsageError(`[--data-dir] ${dir} is not empty, and the sandbox deletes its data dir on exit: name a new or empty directory`);
    }
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

export function removeDataDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}
