/**
 * Hop-by-hop headers describe one connection, not the message (RFC 9110 §7.6.1); the proxy runs its
 * own connections on each side, so it drops these and forwards everything else byte for byte.
 * `expect` goes too: the proxy has already answered any `100-continue` itself.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
]);

/** End-to-end headers of a raw `[name, value, name, value…]` list, order and case kept. */
export function endToEnd(rawHeaders: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (!HOP_BY_HOP.has(rawHeaders[i].toLowerCase())) {
      kept.push(rawHeaders[i], rawHeaders[i + 1]);
    }
  }
  return kept;
}

/**
 * Request headers for the target: SigV4 presigned URLs sign the Host header, so the target must see
 * the host the URL was signed for (its own), not the proxy's.
 */
export function towardTarget(rawHeaders: readonly string[], targetHost: string): string[] {
  const kept = endToEnd(rawHeaders);
  const headers: string[] = ["Host", targetHost];
  for (let i = 0; i < kept.length; i += 2) {
    if (kept[i].toLowerCase() !== "host") {
      headers.push(kept[i], kept[i + 1]);
    }
  }
  return headers;
}

/** The head of an HTTP/1.1 response as it goes on the wire, for faults that cut inside it. */
export function responseHead(status: number, statusMessage: string, rawHeaders: readonly string[]): Buffer {
  const lines = [`HTTP/1.1 ${status} ${statusMessage}`];
  const kept = endToEnd(rawHeaders);
  for (let i = 0; i < kept.length; i += 2) {
    lines.push(`${kept[i]}: ${kept[i + 1]}`);
  }
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
}
