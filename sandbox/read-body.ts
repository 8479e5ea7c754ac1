import { type IncomingMessage } from "node:http";

/**
 * A request's whole body, or undefined when it is longer than `limit` bytes (the rest is read and
 * dropped, so the caller can still answer). The sandbox's API and its IAM gateway hold bodies in
 * memory, as API Gateway and S3 bound theirs.
 */
export function readBoundedBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) {
        chunks.push(chunk);
      } else {
        chunks.length = 0;
      }
    });
    req.on("end", () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
