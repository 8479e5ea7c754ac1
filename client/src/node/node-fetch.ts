import * as http from "node:http";
import * as https from "node:https";
import { type FetchLike } from "../http";

export interface NodeFetchOptions {
  /** Connections kept open per host; parts in flight use one each. @default 16 */
  maxSockets?: number;
}

/**
 * A `fetch` for the client's own requests in Node (CLIs, servers, Electron's main process): node:http
 * with keep-alive connections, as the AWS SDK's Node handler uses. Node 20's global fetch (undici)
 * moves multi-megabyte request bodies slower and less steadily (0.6–0.9× lib-storage's throughput
 * to a local engine, against ≈1× with this; `npm run bench`). Answers are read whole before they resolve,
 * which suits what the client fetches (JSON, and S3's empty PUT answers), not large downloads.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): FetchLike {
  const maxSockets = options.maxSockets ?? 16;
  const agents = { "http:": new http.Agent({ keepAlive: true, maxSockets }), "https:": new https.Agent({ keepAlive: true, maxSockets }) };
  return async (input, init = {}) => {
    const url = new URL(input);
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`fetch failed: unsupported protocol ${url.protocol}`);
    }
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      throw signal.reason;
    }
    const body = await bodyBytes(init.body);
    const headers = headerRecord(init.headers);
    if (body !== undefined) {
      headers["content-length"] = String(body.byteLength);
    }
    const method = (init.method ?? "GET").toUpperCase();
    return new Promise<Response>((resolve, reject) => {
      const request = (url.protocol === "https:" ? https : http).request(url, { method, headers, agent: agents[url.protocol as "http:" | "https:"] }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (err) => reject(new TypeError("fetch failed", { cause: err })));
        response.on("end", () => {
          if (!response.complete) {
            // The connection closed before the answer's Content-Length was reached.
            reject(new TypeError("fetch failed", { cause: { code: "ERR_TRUNCATED_ANSWER" } }));
            return;
          }
          const status = response.statusCode ?? 0;
          const empty = method === "HEAD" || status === 204 || status === 304;
          resolve(new Response(empty ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage, headers: responseHeaders(response.rawHeaders) }));
        });
      });
      request.on("error", (err) => reject(signal?.aborted ? signal.reason : new TypeError("fetch failed", { cause: err })));
      signal?.addEventListener(
        "abort",
        () => {
          request.destroy();
          reject(signal.reason);
        },
        { once: true },
      );
      request.end(body);
    });
  };
}

async function bodyBytes(body: RequestInit["body"]): Promise<Uint8Array | undefined> {
  if (body === undefined || body === null) {
    return undefined;
  }
  if (typeof body === "string") {
    return Buffer.from(body, "utf8");
  }
  if (body instanceof Uint8Array) {
    return body;
  }
  if (body instanceof ArrayBuffer) {
    return new Uint8Array(body);
  }
  if (body instanceof Blob) {
    return new Uint8Array(await body.arrayBuffer());
  }
  throw new TypeError("createNodeFetch: the body must be a string, bytes, an ArrayBuffer or a Blob");
}

function headerRecord(headers: RequestInit["headers"]): Record<string, string> {
  return Object.fromEntries([...new Headers(headers).entries()]);
}

function responseHeaders(raw: readonly string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    headers.append(raw[i], raw[i + 1]);
  }
  return headers;
}
