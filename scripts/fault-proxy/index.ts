import * as http from "node:http";
import { type AddressInfo, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { type Readable } from "node:stream";
import { endToEnd, responseHead, towardTarget } from "./headers";
import { s3ErrorResponse } from "./s3-error";
import { Throttle } from "./throttle";
import { type DecideFault, type Fault, type ProxiedRequest } from "./types";

export { type DecideFault, type Fault, type ProxiedRequest } from "./types";
export { mulberry32, randomFaults, type RandomFaultsOptions, requestKey } from "./random";
export { partResends, type PartResends } from "./resends";

/**
 * A loopback HTTP proxy between a client and the S3 engine that fails chosen requests on purpose
 * (see `Fault`) and logs every request, so tests can check that uploads survive a bad network and
 * count what a client re-sent.
 */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Origin requests are forwarded to. */
  readonly target: string;
  /** Every request so far, in arrival order (`id` = index); entries fill in as exchanges progress. */
  readonly requests: readonly ProxiedRequest[];
  /** Decides a fault per arriving request; undefined passes everything through. Replaceable at any time. */
  setFaults(decide: DecideFault | undefined): void;
  /** Points a URL on the target (e.g. a presigned S3 URL) at the proxy; other URLs come back unchanged. */
  rewrite(url: string): string;
  /** `fetch` with target-bound URLs sent through the proxy: what tests hand the client as its `fetch`. */
  readonly fetch: typeof fetch;
  /** Stops listening and destroys every open connection, stalled ones included. */
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Origin to forward to, e.g. the S3 engine's `http://127.0.0.1:8000`. Must be loopback. */
  target: string;
  decide?: DecideFault;
  /** Loopback only: this is a test fixture and must not be reachable from anywhere else. */
  host?: "127.0.0.1";
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = new LoopbackFaultProxy(loopbackOrigin(options.target), options.decide);
  await proxy.listen(options.host ?? "127.0.0.1");
  return proxy;
}

function loopbackOrigin(target: string): URL {
  const url = new URL(target);
  if (url.protocol !== "http:" || !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    throw new Error(`[target] must be a loopback http:// origin, got ${target}`);
  }
  return url;
}

/** One client request and everything the proxy holds open for it. */
interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  record: ProxiedRequest;
  upstream?: http.ClientRequest;
  throttle?: Throttle;
  timer?: NodeJS.Timeout;
}

class LoopbackFaultProxy implements FaultProxy {
  url = "";
  readonly target: string;
  readonly requests: ProxiedRequest[] = [];
  private readonly server = http.createServer({ requestTimeout: 0 }, (req, res) => this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  private readonly open = new Set<Exchange>();
  // A fresh connection per request towards the target: a reused keep-alive socket that the target
  // closes just as it is picked would surface as an extra, unplanned fault and skew retry counts.
  private readonly agent = new http.Agent({ keepAlive: false });
  private closing: Promise<void> | undefined;

  constructor(
    private readonly targetUrl: URL,
    private decide: DecideFault | undefined,
  ) {
    this.target = targetUrl.origin;
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  listen(host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, host, () => {
        this.server.off("error", reject);
        this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
        resolve();
      });
    });
  }

  setFaults(decide: DecideFault | undefined): void {
    this.decide = decide;
  }

  rewrite(url: string): string {
    // Only the origin is swapped, by string, so a signed path and query reach the target byte for byte.
    const match = /^(https?:\/\/[^/?#]+)(.*)$/is.exec(url);
    if (!match || !URL.canParse(match[1]) || new URL(match[1]).origin !== this.target) {
      return url;
    }
    return this.url + match[2];
  }

  readonly fetch: typeof fetch = (input, init) => {
    if (typeof input === "string" || input instanceof URL) {
      return fetch(this.rewrite(String(input)), init);
    }
    const url = this.rewrite(input.url);
    return fetch(url === input.url ? input : new Request(url, input), init);
  };

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const exchange of this.open) {
        this.end(exchange);
      }
      for (const socket of this.sockets) {
        socket.destroy();
      }
      this.agent.destroy();
    });
    return this.closing;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const record = this.record(req);
    const exchange: Exchange = { req, res, record };
    this.open.add(exchange);
    // Aborted uploads surface as stream errors; the exchange's own bookkeeping covers them.
    req.on("error", () => {});
    res.on("error", () => {});
    res.on("finish", () => {
      record.completed = true;
      record.endedAt = now();
    });
    res.on("close", () => this.end(exchange));

    const fault = this.decide?.(record, record.id);
    record.fault = fault?.kind;
    this.apply(exchange, fault);
  }

  private record(req: http.IncomingMessage): ProxiedRequest {
    // Split by hand: `new URL` would read a key-first path like `//photo.jpg` as a host.
    const requestTarget = req.url ?? "/";
    const queryAt = requestTarget.indexOf("?");
    const path = queryAt < 0 ? requestTarget : requestTarget.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? "" : requestTarget.slice(queryAt + 1));
    const partNumber = query.get("partNumber");
    const uploadId = query.get("uploadId");
    const record: ProxiedRequest = {
      id: this.requests.length,
      method: req.method ?? "GET",
      path,
      query,
      ...(partNumber !== null && /^\d+$/.test(partNumber) ? { partNumber: Number(partNumber) } : {}),
      ...(uploadId !== null ? { uploadId } : {}),
      bytesIn: 0,
      forwarded: false,
      completed: false,
      startedAt: now(),
    };
    this.requests.push(record);
    return record;
  }

  private apply(exchange: Exchange, fault: Fault | undefined): void {
    switch (fault?.kind) {
      case undefined:
        return this.forward(exchange, (response) => this.relay(exchange, response));
      case "drop-before":
        return void exchange.req.socket.destroy();
      case "drop-after":
        return this.forward(exchange, (response) => {
          response.resume();
          response.on("end", () => exchange.req.socket.destroy());
          response.on("error", () => exchange.req.socket.destroy());
        });
      case "status":
        return this.drain(exchange, () => {
          const { status, headers, body } = s3ErrorResponse(fault.status, `fault-${exchange.record.id}`, fault.retryAfterSeconds);
          exchange.record.status = status;
          exchange.res.writeHead(status, headers).end(exchange.req.method === "HEAD" ? undefined : body);
        });
      case "stall":
        if (fault.ms === undefined) {
          return this.drain(exchange, () => {});
        }
        exchange.timer = setTimeout(() => this.forward(exchange, (response) => this.relay(exchange, response)), fault.ms);
        return;
      case "truncate":
        return this.forward(exchange, (response) => this.truncate(exchange, response, fault.afterBytes));
      case "slow":
        return this.forward(exchange, (response) => this.relay(exchange, response), new Throttle(fault.bytesPerSecond));
    }
  }

  /** Streams the request to the target (through `throttle` if given), counting bytes as they pass. */
  private forward(exchange: Exchange, onResponse: (response: http.IncomingMessage) => void, throttle?: Throttle): void {
    const { req, record } = exchange;
    const upstream = http.request({
      host: this.targetUrl.hostname.replace(/^\[|\]$/g, ""),
      port: this.targetUrl.port || 80,
      method: req.method,
      path: req.url,
      headers: towardTarget(req.rawHeaders, this.targetUrl.host),
      agent: this.agent,
    });
    exchange.upstream = upstream;
    record.forwarded = true;
    upstream.on("response", (response) => {
      record.targetStatus = response.statusCode;
      onResponse(response);
    });
    upstream.on("error", () => this.targetFailed(exchange));
    req.on("data", (chunk: Buffer) => (record.bytesIn += chunk.length));
    exchange.throttle = throttle;
    const body: Readable = throttle ? req.pipe(throttle) : req;
    body.pipe(upstream);
  }

  /** Passes the target's answer on unchanged (end-to-end headers, ETag included). */
  private relay(exchange: Exchange, response: http.IncomingMessage): void {
    const { res, record } = exchange;
    record.status = response.statusCode;
    res.writeHead(response.statusCode!, response.statusMessage, endToEnd(response.rawHeaders));
    // A target that dies mid-body must not look like a short but complete answer.
    response.on("error", () => exchange.req.socket.destroy());
    response.pipe(res);
  }

  /**
   * Sends the target's head and part of its body, then closes. An empty body is cut inside the head
   * instead; a body of unknown length is read until the cut point is known (at most `afterBytes` + 1).
   */
  private truncate(exchange: Exchange, response: http.IncomingMessage, afterBytes?: number): void {
    const { req } = exchange;
    const declared = Number(response.headers["content-length"] ?? NaN);
    const bodiless = req.method === "HEAD" || response.statusCode === 204 || response.statusCode === 304;
    if (bodiless || Number.isFinite(declared)) {
      const length = bodiless ? 0 : declared;
      return length === 0 ? this.cutHead(exchange, response) : this.cutBody(exchange, response, cutPoint(length, afterBytes));
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const decide = () => {
      response.removeListener("data", collect);
      response.removeListener("end", decide);
      const buffered = Buffer.concat(chunks);
      if (total === 0) {
        return this.cutHead(exchange, response);
      }
      this.cutBody(exchange, response, cutPoint(response.complete ? total : Infinity, afterBytes), buffered);
    };
    const collect = (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (afterBytes !== undefined && total > afterBytes) {
        decide();
      }
    };
    response.on("data", collect);
    response.on("end", decide);
    response.on("error", () => req.socket.destroy());
  }

  private cutHead(exchange: Exchange, response: http.IncomingMessage): void {
    response.resume();
    const head = responseHead(response.statusCode!, response.statusMessage ?? "", response.rawHeaders);
    // end(), not destroy(): what was written must reach the client before the connection closes.
    exchange.req.socket.end(head.subarray(0, Math.floor(head.length / 2)));
  }

  /** Relays the head and `keep` body bytes (`buffered` first, then the rest of `response`), then closes. */
  private cutBody(exchange: Exchange, response: http.IncomingMessage, keep: number, buffered = Buffer.alloc(0)): void {
    const { req, res, record } = exchange;
    record.status = response.statusCode;
    res.writeHead(response.statusCode!, response.statusMessage, endToEnd(response.rawHeaders));
    let sent = 0;
    const send = (chunk: Buffer) => {
      if (sent >= keep) {
        return;
      }
      const slice = chunk.subarray(0, keep - sent);
      sent += slice.length;
      res.write(slice);
      if (sent >= keep) {
        response.destroy();
        req.socket.end();
      }
    };
    if (keep <= 0) {
      res.flushHeaders();
      response.destroy();
      return void req.socket.end();
    }
    send(buffered);
    response.on("data", send);
    response.on("error", () => req.socket.destroy());
  }

  /** Reads and counts the request body without forwarding it, then calls `then`. */
  private drain(exchange: Exchange, then: () => void): void {
    const { req, record } = exchange;
    req.on("data", (chunk: Buffer) => (record.bytesIn += chunk.length));
    req.on("end", then);
  }

  private targetFailed(exchange: Exchange): void {
    const { res, record } = exchange;
    if (res.headersSent || res.destroyed) {
      return void exchange.req.socket.destroy();
    }
    record.status = 502;
    res.writeHead(502, { "content-type": "text/plain" }).end("fault proxy: the target failed\n");
  }

  /** Runs once per exchange, whichever way it ends: releases what it holds towards the target. */
  private end(exchange: Exchange): void {
    if (!this.open.delete(exchange)) {
      return;
    }
    clearTimeout(exchange.timer);
    exchange.throttle?.destroy();
    exchange.record.endedAt ??= now();
    if (!exchange.record.completed) {
      exchange.upstream?.destroy();
      exchange.req.socket.destroy();
    }
  }
}

/** Body bytes to let through of `length`: `afterBytes` or half, and always at least one byte short. */
function cutPoint(length: number, afterBytes?: number): number {
  return Math.max(0, Math.min(afterBytes ?? Math.floor(length / 2), length - 1));
}

/** Epoch milliseconds with sub-millisecond resolution. */
function now(): number {
  return performance.timeOrigin + performance.now();
}
