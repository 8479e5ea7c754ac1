import { open } from "node:fs/promises";
import { type ByteSource } from "../source";

/**
 * A file on disk as a `ByteSource`: each part is read when it is sent, so a 5 GiB upload never sits
 * in memory. The fingerprint (path, size, modification time) lets a restarted process resume it.
 */
export async function fileSource(file: string): Promise<ByteSource> {
  const handle = await open(file, "r");
  try {
    const { size, mtimeMs } = await handle.stat();
    return {
      size,
      fingerprint: `file:${file}:${size}:${Math.trunc(mtimeMs)}`,
      async slice(start, end) {
        const reader = await open(file, "r");
        try {
          const bytes = new Uint8Array(end - start);
          let offset = 0;
          while (offset < bytes.length) {
            const { bytesRead } = await reader.read(bytes, offset, bytes.length - offset, start + offset);
            if (bytesRead === 0) {
              throw new Error(`${file} is shorter than when the upload started (${size} bytes)`);
            }
            offset += bytesRead;
          }
          return bytes;
        } finally {
          await reader.close();
        }
      },
    };
  } finally {
    await handle.close();
  }
}
