import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import * as net from "node:net";
import { type ScanInput, type ScanResult, type Scanner, ScanError } from "./scanner";

/**
 * Where a clamd listens: its `LocalSocket` (what the Lambda functions use, see clamd-daemon.ts), or
 * a `TCPSocket`/`TCPAddr` pair.
 */
export type ClamdAddress = { socketPath: string } | { host: string; port: number };

export interface ClamdScannerSettings {
  address: ClamdAddress;
  /** A scan taking longer (connecting, sending and clamd's answer together) fails; never "clean". */
  timeoutMs: number;
  /**
   * clamd's `StreamMaxLength`. An input larger than this is refused before a byte is sent: clamd
   * would cut the stream off with "INSTREAM size limit exceeded", and the part it saw proves nothing.
   */
  maxStreamBytes: number;
  /** Bytes per INSTREAM chunk (and per read of a file). @default 65536 */
  chunkBytes?: number;
}

/** No clamd answers at the address (no socket file, connection refused): it is not running. */
export class ClamdUnreachableError extends ScanError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ClamdUnreachableError";
  }
}

export const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** clamd's answers are one short line; anything longer is not clamd talking. */
const MAX_REPLY_BYTES = 4096;
/** ClamAV refuses limits of 4 GB and more, and a chunk length is a 32-bit number. */
export const MAX_STREAM_BYTES = 4000 * 1024 * 1024;

/** Connection failures that mean "nothing listens here", as opposed to a clamd that failed mid-scan. */
const UNREACHABLE_CODES = new Set(["ENOENT", "ECONNREFUSED", "ENOTSOCK", "EACCES", "EADDRNOTAVAIL"]);

function describeAddress(address: ClamdAddress): string {
  return "socketPath" in address ? `unix socket ${address.socketPath}` : `${address.host}:${address.port}`;
}

/** The 4-byte big-endian length INSTREAM puts before every chunk; zero ends the stream. */
export function chunkHeader(length: number): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(length);
  return header;
}

/**
 * One clamd reply as text: commands sent with the `z` prefix are answered up to a NUL, but clamd
 * ends some errors (e.g. "COMMAND READ TIMED OUT") with a newline instead; either ends the reply.
 */
function replyText(raw: Buffer): string {
  const text = raw.toString("latin1");
  const end = text.search(/[\0\n]/);
  return (end === -1 ? text : text.slice(0, end)).trim();
}

/**
 * Reads clamd's answer to INSTREAM: `stream: OK` is clean, `stream: <signature> FOUND` infected
 * (with `AlertExceedsMax`, a limit clamd hit is `Heuristics.Limits.Exceeded.*`, a detection too);
 * anything else, `INSTREAM size limit exceeded. ERROR` included, is a `ScanError`.
 */
export function verdictOfReply(reply: string): ScanResult {
  if (reply === "stream: OK") {
    return { verdict: "clean" };
  }
  const found = /^stream: (.+) FOUND$/.exec(reply);
  if (found) {
    return { verdict: "infected", signature: found[1] };
  }
  if (/size limit exceeded/i.test(reply)) {
    throw new ScanError("the input is larger than clamd's StreamMaxLength, so clamd did not scan all of it");
  }
  if (reply === "") {
    throw new ScanError("clamd closed the connection without a verdict");
  }
  if (/ERROR$/.test(reply)) {
    throw new ScanError(`clamd could not scan the input: ${reply.slice(0, 200)}`);
  }
  throw new ScanError(`clamd answered something that is not a verdict: ${JSON.stringify(reply.slice(0, 200))}`);
}

interface Connection {
  /** Writes with backpressure; rejects with `ConnectionClosedError` once the connection is gone. */
  write(data: Buffer): Promise<void>;
}

/** A write found the connection gone; what clamd answered before it hung up decides the outcome. */
class ConnectionClosedError extends ScanError {
  constructor() {
    super("the clamd connection is closed");
    this.name = "ConnectionClosedError";
  }
}

/**
 * Opens a connection, lets `talk` send on it, and resolves with clamd's reply. One deadline covers
 * all of it; a connection that ends early still yields what clamd said before (clamd answers a
 * stream over its limit and hangs up while the client may still be writing).
 */
function exchange(address: ClamdAddress, timeoutMs: number, talk: (connection: Connection) => Promise<void>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket = "socketPath" in address ? net.createConnection(address.socketPath) : net.createConnection(address.port, address.host);
    const received: Buffer[] = [];
    let receivedBytes = 0;
    let connected = false;
    let settled = false;
    let closed = false;
    const waiters = new Set<(err?: Error) => void>();

    const finish = (outcome: () => void) => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      for (const wake of waiters) {
        wake(new ConnectionClosedError());
      }
      outcome();
    };
    const timer = setTimeout(
      () => finish(() => reject(new ScanError(`clamd did not answer within ${timeoutMs} ms (${describeAddress(address)})`))),
      timeoutMs,
    );
    const answered = () => finish(() => resolve(replyText(Buffer.concat(received))));

    socket.on("data", (data: Buffer) => {
      received.push(data);
      receivedBytes += data.length;
      if (data.includes(0) || data.includes(10) || receivedBytes > MAX_REPLY_BYTES) {
        answered();
      }
    });
    socket.on("end", answered);
    socket.on("close", () => {
      closed = true;
      for (const wake of waiters) {
        wake(new ConnectionClosedError());
      }
      answered();
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (!connected && UNREACHABLE_CODES.has(err.code ?? "")) {
        finish(() => reject(new ClamdUnreachableError(`no clamd is listening on ${describeAddress(address)} (${err.code})`, { cause: err })));
      } else if (received.length === 0 && connected && (err.code === "EPIPE" || err.code === "ECONNRESET")) {
        // clamd hangs up mid-stream past its StreamMaxLength, and its answer may be lost with the write.
        finish(() => reject(new ScanError(`clamd closed the connection while the input was sent (${err.code}), as it does past its StreamMaxLength`, { cause: err })));
      } else if (received.length === 0) {
        finish(() => reject(new ScanError(`the connection to clamd failed (${err.code ?? err.message})`, { cause: err })));
      }
      // With a reply already in, the "close" that follows resolves with it.
    });

    const connection: Connection = {
      write: (data) =>
        new Promise<void>((done, fail) => {
          if (settled || closed) {
            fail(new ConnectionClosedError());
            return;
          }
          if (socket.write(data)) {
            done();
            return;
          }
          const wake = (err?: Error) => {
            waiters.delete(wake);
            socket.off("drain", onDrain);
            if (err) {
              fail(err);
            } else {
              done();
            }
          };
          const onDrain = () => wake();
          waiters.add(wake);
          socket.once("drain", onDrain);
        }),
    };

    socket.on("connect", () => {
      connected = true;
      talk(connection).catch((err: unknown) => {
        // A write that failed because clamd hung up leaves the decision to its reply (see "close");
        // anything else (the file could not be read, it outgrew the limit) fails the scan now.
        if (!(err instanceof ConnectionClosedError)) {
          finish(() => reject(err instanceof ScanError ? err : new ScanError("cannot read the input to scan", { cause: err })));
        }
      });
    });
  });
}

/**
 * Sends one command (`PING`, `VERSION`, `RELOAD`…) with the `z` prefix and returns clamd's reply,
 * e.g. `PONG` or `RELOADING`.
 */
export function clamdCommand(address: ClamdAddress, command: string, timeoutMs: number): Promise<string> {
  if (!/^[A-Z]+$/.test(command)) {
    throw new Error(`[command] must be a clamd command name such as PING, got "${command}"`);
  }
  return exchange(address, timeoutMs, (connection) => connection.write(Buffer.from(`z${command}\0`, "latin1")));
}

/** True when a clamd at `address` answers PING with PONG within `timeoutMs`. */
export async function clamdAnswers(address: ClamdAddress, timeoutMs: number): Promise<boolean> {
  try {
    return (await clamdCommand(address, "PING", timeoutMs)) === "PONG";
  } catch {
    return false;
  }
}

async function* bytesInChunks(bytes: Uint8Array, chunkBytes: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < bytes.byteLength; offset += chunkBytes) {
    yield Buffer.from(bytes.buffer, bytes.byteOffset + offset, Math.min(chunkBytes, bytes.byteLength - offset));
  }
}

/**
 * A `Scanner` over a running clamd, streaming each input with INSTREAM (`zINSTREAM\0`, then chunks
 * of `<4-byte big-endian length><data>`, then a zero length) and reading the verdict clamd gives.
 * A file is read in chunks as it is sent, never whole. Inputs over `maxStreamBytes`, a clamd that is
 * not there, a timeout and any answer other than OK or FOUND reject with a `ScanError`.
 */
export function clamdScanner(settings: ClamdScannerSettings): Scanner {
  if (!Number.isInteger(settings.maxStreamBytes) || settings.maxStreamBytes < 1 || settings.maxStreamBytes > MAX_STREAM_BYTES) {
    throw new Error(`[maxStreamBytes] must be an integer from 1 to ${MAX_STREAM_BYTES}, got ${settings.maxStreamBytes}`);
  }
  const chunkBytes = settings.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) {
    throw new Error(`[chunkBytes] must be a positive integer, got ${chunkBytes}`);
  }
  const limit = settings.maxStreamBytes;

  async function stream(chunks: AsyncIterable<Buffer>): Promise<ScanResult> {
    let sent = 0;
    const reply = await exchange(settings.address, settings.timeoutMs, async (connection) => {
      await connection.write(Buffer.from("zINSTREAM\0", "latin1"));
      for await (const chunk of chunks) {
        sent += chunk.length;
        if (sent > limit) {
          // The file grew after it was measured: stop before clamd takes a part for the whole.
          throw new ScanError(`the input grew past the scanner's limit of ${limit} bytes while it was sent`);
        }
        await connection.write(Buffer.concat([chunkHeader(chunk.length), chunk]));
      }
      await connection.write(chunkHeader(0));
    });
    return verdictOfReply(reply);
  }

  return {
    async scan(input: ScanInput): Promise<ScanResult> {
      if ("file" in input) {
        const info = await stat(input.file).catch((err: unknown) => {
          throw new ScanError("cannot read the file to scan", { cause: err });
        });
        if (!info.isFile()) {
          throw new ScanError("the path to scan is not a regular file");
        }
        if (info.size > limit) {
          throw new ScanError(`the file is ${info.size} bytes, over the scanner's limit of ${limit}`);
        }
        const file = createReadStream(input.file, { highWaterMark: chunkBytes });
        try {
          return await stream(file);
        } finally {
          file.destroy();
        }
      }
      if (input.bytes.byteLength > limit) {
        throw new ScanError(`the input is ${input.bytes.byteLength} bytes, over the scanner's limit of ${limit}`);
      }
      return stream(bytesInChunks(input.bytes, chunkBytes));
    },
  };
}
