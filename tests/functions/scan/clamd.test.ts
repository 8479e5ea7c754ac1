import * as assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { ClamdUnreachableError, chunkHeader, clamdCommand, clamdScanner, verdictOfReply } from "../../../functions/scan/clamd";
import { ScanError } from "../../../functions/scan/scanner";
import { EICAR, PNG_1PX } from "./clamav-fixture";
import { eicarSignature, freePort, reported, startTestClamd, type TestClamd, tempDir } from "./clamd-fixture";

const LIMIT = 64 * 1024;
const SIGNATURE = "MobileS3.Test.EICAR";

const scanError = (message: RegExp) => (err: unknown) => err instanceof ScanError && message.test((err as Error).message);

describe("functions/scan/clamd", () => {
  let work: ReturnType<typeof tempDir>;
  before(() => {
    work = tempDir("clamd-client-test-");
  });
  after(() => work.remove());

  describe("against the real clamd with a test-written signature database", () => {
    let clamd: TestClamd;
    before(async function () {
      this.timeout(60_000);
      clamd = await startTestClamd({ maxStreamBytes: LIMIT, signature: SIGNATURE });
    });
    after(async () => {
      await clamd?.stop();
    });

    const scanner = (overrides: Partial<Parameters<typeof clamdScanner>[0]> = {}) =>
      clamdScanner({ address: clamd.socket, timeoutMs: 10_000, maxStreamBytes: LIMIT, ...overrides });

    it("finds EICAR in bytes and names the signature clamd reported", async () => {
      assert.deepEqual(await scanner().scan({ bytes: EICAR }), { verdict: "infected", signature: reported(SIGNATURE) });
    });

    it("speaks the same protocol over TCP on 127.0.0.1", async () => {
      assert.deepEqual(await scanner({ address: clamd.tcp }).scan({ bytes: EICAR }), { verdict: "infected", signature: reported(SIGNATURE) });
      assert.deepEqual(await scanner({ address: clamd.tcp }).scan({ bytes: PNG_1PX }), { verdict: "clean" });
    });

    it("streams a file in chunks and finds EICAR across a chunk boundary", async () => {
      const file = path.join(work.dir, "polyglot.bin");
      // 4 KiB chunks: EICAR starts 30 bytes before the end of the tenth one.
      writeFileSync(file, Buffer.concat([Buffer.alloc(10 * 4096 - 30, 0x41), EICAR, Buffer.alloc(5000, 0x42)]));
      assert.deepEqual(await scanner({ chunkBytes: 4096 }).scan({ file }), { verdict: "infected", signature: reported(SIGNATURE) });
    });

    // After scans: a blocking reload waits for the pool's idle threads (clamdConfig's IdleTimeout).
    it("picks up a new signature after RELOAD, once the database files are swapped", async () => {
      clamd.writeDatabase("test.ndb", eicarSignature("MobileS3.Test.EICAR.Renamed"));
      assert.equal(await clamdCommand(clamd.socket, "RELOAD", 5_000), "RELOADING");
      assert.equal(await clamdCommand(clamd.socket, "PING", 10_000), "PONG");
      assert.deepEqual(await scanner().scan({ bytes: EICAR }), { verdict: "infected", signature: reported("MobileS3.Test.EICAR.Renamed") });
    });
    it("calls clean bytes, an empty input and a clean file clean", async () => {
      const file = path.join(work.dir, "pixel.png");
      writeFileSync(file, PNG_1PX);
      assert.deepEqual(await scanner().scan({ bytes: PNG_1PX }), { verdict: "clean" });
      assert.deepEqual(await scanner().scan({ bytes: new Uint8Array() }), { verdict: "clean" });
      assert.deepEqual(await scanner({ chunkBytes: 16 }).scan({ file }), { verdict: "clean" });
    });

    it("scans an input of exactly StreamMaxLength bytes", async () => {
      assert.deepEqual(await scanner().scan({ bytes: Buffer.alloc(LIMIT, 0x20) }), { verdict: "clean" });
    });

    it("refuses an input over its limit before sending it, as bytes and as a file", async () => {
      const file = path.join(work.dir, "too-big.bin");
      writeFileSync(file, Buffer.alloc(LIMIT + 1));
      await assert.rejects(scanner().scan({ bytes: Buffer.alloc(LIMIT + 1) }), scanError(/over the scanner's limit of 65536/));
      await assert.rejects(scanner().scan({ file }), scanError(/over the scanner's limit of 65536/));
    });

    it("takes clamd's 'INSTREAM size limit exceeded' for an error, never for clean", async () => {
      // A scanner told a larger limit than clamd's StreamMaxLength: clamd cuts the stream off.
      const tooTrusting = scanner({ maxStreamBytes: LIMIT * 4, chunkBytes: 8192 });
      const file = path.join(work.dir, "over-stream-max.bin");
      writeFileSync(file, Buffer.concat([Buffer.alloc(LIMIT * 2), EICAR]));
      await assert.rejects(tooTrusting.scan({ bytes: Buffer.alloc(LIMIT * 2) }), scanError(/StreamMaxLength/));
      await assert.rejects(tooTrusting.scan({ file }), scanError(/StreamMaxLength/));
    });

    it("answers PING and VERSION", async () => {
      assert.equal(await clamdCommand(clamd.socket, "PING", 5_000), "PONG");
      assert.match(await clamdCommand(clamd.socket, "VERSION", 5_000), /^ClamAV \d+\.\d+/);
    });

  });

  describe("never takes an error for a clean verdict", () => {
    const servers: net.Server[] = [];
    const sockets: net.Socket[] = [];
    after(async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    });

    /** A stand-in for clamd on a unix socket that behaves as `onConnection` says. */
    function fakeClamd(name: string, onConnection: (socket: net.Socket) => void): Promise<{ socketPath: string }> {
      const socketPath = path.join(work.dir, `${name}.sock`);
      const server = net.createServer((socket) => {
        sockets.push(socket);
        onConnection(socket);
      });
      servers.push(server);
      return new Promise((resolve) => server.listen(socketPath, () => resolve({ socketPath })));
    }

    const scan = (address: Parameters<typeof clamdScanner>[0]["address"], timeoutMs = 2_000) =>
      clamdScanner({ address, timeoutMs, maxStreamBytes: LIMIT }).scan({ bytes: PNG_1PX });

    it("rejects with ClamdUnreachableError when no clamd runs at the socket path", async () => {
      const missing = path.join(work.dir, "no-such-dir", "clamd.sock");
      await assert.rejects(scan({ socketPath: missing }), (err: unknown) => err instanceof ClamdUnreachableError && err instanceof ScanError);
    });

    it("rejects with ClamdUnreachableError when nothing listens on the TCP port", async () => {
      const port = await freePort();
      await assert.rejects(scan({ host: "127.0.0.1", port }), (err: unknown) => err instanceof ClamdUnreachableError);
    });

    it("rejects when clamd never answers", async () => {
      const silent = await fakeClamd("silent", () => undefined);
      await assert.rejects(scan(silent, 300), scanError(/did not answer within 300 ms/));
    });

    it("rejects when clamd hangs up without a verdict", async () => {
      const rude = await fakeClamd("rude", (socket) => socket.once("data", () => socket.end()));
      await assert.rejects(scan(rude), scanError(/without a verdict/));
    });

    it("rejects an answer that is not a verdict", async () => {
      const odd = await fakeClamd("odd", (socket) => socket.once("data", () => socket.end("stream: maybe\0")));
      await assert.rejects(scan(odd), scanError(/not a verdict/));
    });

    it("rejects a file that does not exist, and a directory", async () => {
      const dir = path.join(work.dir, "a-directory");
      mkdirSync(dir);
      const scanner = clamdScanner({ address: { socketPath: "/nonexistent" }, timeoutMs: 1_000, maxStreamBytes: LIMIT });
      await assert.rejects(scanner.scan({ file: path.join(work.dir, "missing.bin") }), scanError(/cannot read/));
      await assert.rejects(scanner.scan({ file: dir }), scanError(/not a regular file/));
    });
  });

  describe("verdictOfReply", () => {
    const cases: [string, string, object | RegExp][] = [
      ["OK", "stream: OK", { verdict: "clean" }],
      ["a signature", "stream: Win.Test.EICAR_HDB-1 FOUND", { verdict: "infected", signature: "Win.Test.EICAR_HDB-1" }],
      ["a limit clamd hit", "stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND", { verdict: "infected", signature: "Heuristics.Limits.Exceeded.MaxFileSize" }],
      ["the stream size limit", "INSTREAM size limit exceeded. ERROR", /StreamMaxLength/],
      ["another error", "stream: Can't allocate memory ERROR", /could not scan the input/],
      ["nothing", "", /without a verdict/],
      ["an unknown command", "UNKNOWN COMMAND", /not a verdict/],
      ["OK for another stream name", "other: OK", /not a verdict/],
    ];
    for (const [label, reply, expected] of cases) {
      it(`reads ${label}`, () => {
        if (expected instanceof RegExp) {
          assert.throws(() => verdictOfReply(reply), scanError(expected));
        } else {
          assert.deepEqual(verdictOfReply(reply), expected);
        }
      });
    }

    it("frames chunks with a 4-byte big-endian length", () => {
      assert.deepEqual([...chunkHeader(0x01020304)], [1, 2, 3, 4]);
      assert.deepEqual([...chunkHeader(0)], [0, 0, 0, 0]);
    });

    it("refuses settings no clamd can honour", () => {
      assert.throws(() => clamdScanner({ address: { socketPath: "/x" }, timeoutMs: 1, maxStreamBytes: 0 }), /\[maxStreamBytes\]/);
      assert.throws(() => clamdScanner({ address: { socketPath: "/x" }, timeoutMs: 1, maxStreamBytes: 10, chunkBytes: 0 }), /\[chunkBytes\]/);
    });
  });
});
