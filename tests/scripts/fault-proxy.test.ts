import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as http from "node:http";
import { type AddressInfo } from "node:net";
import { type Fault, type FaultProxy, partResends, type ProxiedRequest, randomFaults, startFaultProxy } from "../../scripts/fault-proxy";

/** What the stand-in target saw of one request. */
interface Seen {
  method: string;
  url: string;
  host: string | undefined;
  body: Buffer[];
  bytes: number;
}

/**
 * A stand-in for the S3 engine: PUT answers 200 with an MD5 ETag and an empty body (as UploadPart does),
 * GET /blob/<n> answers n bytes with a Content-Length, GET /chunked answers without one.
 */
async function startTarget(): Promise<{ url: string; host: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const entry: Seen = { method: req.method!, url: req.url!, host: req.headers.host, body: [], bytes: 0 };
    seen.push(entry);
    req.on("data", (chunk: Buffer) => {
      entry.body.push(chunk);
      entry.bytes += chunk.length;
    });
    req.on("end", () => {
      const size = /^\/blob\/(\d+)/.exec(req.url!);
      if (req.method === "PUT") {
        const etag = `"${md5(Buffer.concat(entry.body))}"`;
        // S3 answers UploadPart with Content-Length: 0; `?chunked` tries the same empty body without one.
        res.writeHead(200, { ETag: etag, "x-amz-request-id": "target", ...(req.url!.includes("chunked") ? {} : { "Content-Length": 0 }) }).end();
      } else if (size) {
        const body = blob(Number(size[1]));
        res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": body.length, ETag: `"${md5(body)}"` }).end(body);
      } else if (req.url === "/chunked") {
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.write("first chunk, ");
        setImmediate(() => res.end("second chunk"));
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${host}`,
    host,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function blob(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + 7) % 251));
}

function md5(bytes: Buffer): string {
  return createHash("md5").update(bytes).digest("hex");
}

describe("scripts/fault-proxy", () => {
  let target: Awaited<ReturnType<typeof startTarget>>;
  let proxy: FaultProxy;

  beforeEach(async () => {
    target = await startTarget();
    proxy = await startFaultProxy({ target: target.url });
  });
  afterEach(async () => {
    await proxy.close();
    await target.close();
  });

  /** Every request through the proxy gets `fault`. */
  const always = (fault: Fault) => proxy.setFaults(() => fault);
  const put = (path: string, body: Buffer, signal?: AbortSignal) => fetch(`${proxy.url}${path}`, { method: "PUT", body, signal });
  const partBody = blob(256 * 1024);

  describe("pass-through", () => {
    it("forwards status, headers and body unchanged, with the target's own Host", async () => {
      const res = await fetch(`${proxy.url}/blob/1000?x=1`);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(res.status, 200);
      assert.deepEqual(body, blob(1000));
      assert.equal(res.headers.get("etag"), `"${md5(blob(1000))}"`);
      assert.equal(res.headers.get("content-type"), "application/octet-stream");
      assert.equal(target.seen[0].host, target.host);
      assert.equal(target.seen[0].url, "/blob/1000?x=1");
    });

    it("streams a request body through byte for byte and relays the ETag", async () => {
      const res = await put("/bucket/key?partNumber=3&uploadId=up%2F1", partBody);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("etag"), `"${md5(partBody)}"`);
      assert.equal(md5(Buffer.concat(target.seen[0].body)), md5(partBody));
    });

    it("logs each request: part number, upload id, bytes in, outcome", async () => {
      await (await put("/bucket/key?partNumber=3&uploadId=up%2F1", partBody)).arrayBuffer();
      const [r] = proxy.requests;
      assert.deepEqual(
        { id: r.id, method: r.method, path: r.path, partNumber: r.partNumber, uploadId: r.uploadId, bytesIn: r.bytesIn },
        { id: 0, method: "PUT", path: "/bucket/key", partNumber: 3, uploadId: "up/1", bytesIn: partBody.length },
      );
      assert.deepEqual(
        { fault: r.fault, status: r.status, targetStatus: r.targetStatus, forwarded: r.forwarded, completed: r.completed },
        { fault: undefined, status: 200, targetStatus: 200, forwarded: true, completed: true },
      );
      assert.ok(r.endedAt! >= r.startedAt);
    });

    it("relays a body of unknown length", async () => {
      const res = await fetch(`${proxy.url}/chunked`);
      assert.equal(await res.text(), "first chunk, second chunk");
    });
  });

  describe("rewrite and fetch", () => {
    it("swaps only the origin of target URLs, keeping a signed path and query byte for byte", () => {
      const signed = `${target.url}/b/a%20b%2Fc~?X-Amz-Credential=AK%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=ab12`;
      assert.equal(proxy.rewrite(signed), `${proxy.url}/b/a%20b%2Fc~?X-Amz-Credential=AK%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=ab12`);
      assert.equal(proxy.rewrite(target.url), proxy.url);
    });

    for (const other of ["http://127.0.0.1:1/x", "https://example.invalid/x", "not a url", "http://[bad/x"]) {
      it(`leaves ${other} alone`, () => assert.equal(proxy.rewrite(other), other));
    }

    it("sends string, URL and Request inputs through the proxy", async () => {
      await (await proxy.fetch(`${target.url}/blob/1`)).arrayBuffer();
      await (await proxy.fetch(new URL(`${target.url}/blob/2`))).arrayBuffer();
      const res = await proxy.fetch(new Request(`${target.url}/k?partNumber=1`, { method: "PUT", body: partBody }));
      assert.equal(res.headers.get("etag"), `"${md5(partBody)}"`);
      assert.deepEqual(
        proxy.requests.map((r) => [r.method, r.path, r.bytesIn]),
        [
          ["GET", "/blob/1", 0],
          ["GET", "/blob/2", 0],
          ["PUT", "/k", partBody.length],
        ],
      );
    });
  });

  describe("faults, as a fetch client meets them", () => {
    it("drop-before: fetch rejects and the target sees nothing", async () => {
      always({ kind: "drop-before" });
      await assert.rejects(put("/k?partNumber=1", partBody));
      assert.equal(target.seen.length, 0);
      const [r] = proxy.requests;
      assert.deepEqual([r.fault, r.forwarded, r.status, r.completed], ["drop-before", false, undefined, false]);
    });

    it("drop-after: fetch rejects, yet the target got the whole body and answered", async () => {
      always({ kind: "drop-after" });
      await assert.rejects(put("/k?partNumber=1", partBody));
      assert.equal(md5(Buffer.concat(target.seen[0].body)), md5(partBody));
      const [r] = proxy.requests;
      assert.deepEqual([r.fault, r.forwarded, r.targetStatus, r.status, r.completed], ["drop-after", true, 200, undefined, false]);
    });

    const statuses: { fault: Fault; code: string; retryAfter: string | null }[] = [
      { fault: { kind: "status", status: 500 }, code: "InternalError", retryAfter: null },
      { fault: { kind: "status", status: 503, retryAfterSeconds: 2 }, code: "SlowDown", retryAfter: "2" },
      { fault: { kind: "status", status: 429, retryAfterSeconds: 1 }, code: "SlowDown", retryAfter: "1" },
    ];
    for (const { fault, code, retryAfter } of statuses) {
      const status = (fault as { status: number }).status;
      it(`status ${status}: S3 error ${code}${retryAfter ? ", Retry-After" : ""}, body read, nothing forwarded`, async () => {
        always(fault);
        const res = await put("/k?partNumber=1", partBody);
        assert.equal(res.status, status);
        assert.equal(res.headers.get("retry-after"), retryAfter);
        assert.equal(res.headers.get("content-type"), "application/xml");
        assert.match(await res.text(), new RegExp(`<Error><Code>${code}</Code><Message>[^<]+</Message><RequestId>fault-0</RequestId>`));
        assert.equal(target.seen.length, 0);
        const [r] = proxy.requests;
        assert.deepEqual([r.bytesIn, r.status, r.completed, r.forwarded], [partBody.length, status, true, false]);
      });
    }

    it("stall: the client's timeout fires, nothing reaches the target", async () => {
      always({ kind: "stall" });
      await assert.rejects(put("/k?partNumber=1", partBody, AbortSignal.timeout(100)), { name: "TimeoutError" });
      assert.equal(target.seen.length, 0);
      const [r] = proxy.requests;
      assert.deepEqual([r.fault, r.status, r.completed], ["stall", undefined, false]);
    });

    it("stall: close() ends a connection still waiting for an answer", async () => {
      always({ kind: "stall" });
      const waiting = put("/k", partBody);
      while (proxy.requests[0]?.bytesIn !== partBody.length) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await proxy.close();
      await assert.rejects(waiting);
    });

    it("stall with ms: the request is held, then forwarded and answered", async () => {
      always({ kind: "stall", ms: 30 });
      const res = await put("/k", partBody);
      assert.equal(res.headers.get("etag"), `"${md5(partBody)}"`);
      assert.equal(proxy.requests[0].completed, true);
    });

    it("truncate: status and Content-Length arrive, reading the body rejects", async () => {
      always({ kind: "truncate", afterBytes: 100 });
      const res = await fetch(`${proxy.url}/blob/1000`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-length"), "1000");
      await assert.rejects(res.arrayBuffer());
      const [r] = proxy.requests;
      assert.deepEqual([r.status, r.completed], [200, false]);
    });

    it("truncate: a body of unknown length is cut too", async () => {
      always({ kind: "truncate" });
      const res = await fetch(`${proxy.url}/chunked`);
      await assert.rejects(res.text());
    });

    for (const framing of ["Content-Length: 0", "chunked"]) {
      it(`truncate: an empty UploadPart answer (${framing}) is cut in its head, after the target stored the part`, async () => {
        always({ kind: "truncate" });
        await assert.rejects(put(`/k?partNumber=1${framing === "chunked" ? "&chunked" : ""}`, partBody));
        assert.equal(md5(Buffer.concat(target.seen[0].body)), md5(partBody));
        const [r] = proxy.requests;
        assert.deepEqual([r.targetStatus, r.status, r.completed], [200, undefined, false]);
      });
    }

    it("truncate: afterBytes on a body of unknown length", async () => {
      always({ kind: "truncate", afterBytes: 5 });
      const res = await fetch(`${proxy.url}/chunked`);
      assert.equal(res.status, 200);
      await assert.rejects(res.text());
    });

    it("slow: the body arrives intact", async () => {
      // Streamed, so the target answers only once the proxy has passed on the very end of the body.
      always({ kind: "slow", bytesPerSecond: 2 * 1024 * 1024 });
      const stream = new Blob([partBody]).stream();
      const res = await fetch(`${proxy.url}/k`, { method: "PUT", body: stream, duplex: "half" } as RequestInit);
      assert.equal(res.headers.get("etag"), `"${md5(partBody)}"`);
      assert.equal(proxy.requests[0].bytesIn, partBody.length);
    });

    it("applies the decision of the moment: setFaults(undefined) passes through again", async () => {
      always({ kind: "drop-before" });
      await assert.rejects(fetch(`${proxy.url}/blob/1`));
      proxy.setFaults(undefined);
      assert.equal((await fetch(`${proxy.url}/blob/1`)).status, 200);
    });
  });
});

/** A log entry as the proxy would have written it. */
function entry(id: number, method: string, url: string, more: Partial<ProxiedRequest> = {}): ProxiedRequest {
  const parsed = new URL(url, "http://x.invalid");
  const partNumber = parsed.searchParams.get("partNumber");
  return {
    id,
    method,
    path: parsed.pathname,
    query: parsed.searchParams,
    ...(partNumber ? { partNumber: Number(partNumber) } : {}),
    ...(parsed.searchParams.has("uploadId") ? { uploadId: parsed.searchParams.get("uploadId")! } : {}),
    bytesIn: 0,
    forwarded: true,
    completed: false,
    startedAt: id * 10,
    ...more,
  };
}

describe("scripts/fault-proxy randomFaults", () => {
  const kinds: Fault[] = [{ kind: "drop-before" }, { kind: "status", status: 503 }, { kind: "truncate" }];
  const parts = (n: number, attempts = 1) =>
    Array.from({ length: n * attempts }, (_, i) => entry(i, "PUT", `/b/k?partNumber=${(i % n) + 1}&uploadId=u`));
  const run = (decide: ReturnType<typeof randomFaults>, requests: ProxiedRequest[]) =>
    requests.map((r, i) => `${r.partNumber}:${decide(r, i)?.kind ?? "-"}`);

  it("gives the same faults for the same seed", () => {
    const requests = parts(50, 3);
    assert.deepEqual(run(randomFaults({ seed: 7, rate: 0.3, kinds }), requests), run(randomFaults({ seed: 7, rate: 0.3, kinds }), requests));
    assert.notDeepEqual(run(randomFaults({ seed: 7, rate: 0.3, kinds }), requests), run(randomFaults({ seed: 8, rate: 0.3, kinds }), requests));
  });

  it("gives each part the same faults whatever order concurrent requests arrive in", () => {
    const inOrder = parts(50);
    const shuffled = [...inOrder].reverse();
    const a = run(randomFaults({ seed: 7, rate: 0.3, kinds }), inOrder).sort();
    const b = run(randomFaults({ seed: 7, rate: 0.3, kinds }), shuffled).sort();
    assert.deepEqual(a, b);
  });

  it("faults about `rate` of requests and uses every kind", () => {
    const decide = randomFaults({ seed: 1, rate: 0.25, kinds });
    const faults = parts(2000).map((r, i) => decide(r, i));
    const hits = faults.filter((f) => f !== undefined).length;
    assert.ok(hits > 400 && hits < 600, `${hits} of 2000`);
    assert.deepEqual(new Set(faults.map((f) => f?.kind)), new Set([undefined, "drop-before", "status", "truncate"]));
  });

  it("lets the attempt after maxConsecutivePerKey faults through", () => {
    const decide = randomFaults({ seed: 3, rate: 1, kinds, maxConsecutivePerKey: 2 });
    const faulted = parts(1, 7).map((r, i) => decide(r, i) !== undefined);
    assert.deepEqual(faulted, [true, true, false, true, true, false, true]);
  });

  it("faults only what `only` admits, and does not count the rest as attempts", () => {
    const only = (r: ProxiedRequest) => r.method === "PUT";
    const puts = parts(20);
    const mixed = puts.flatMap((r) => [entry(100 + r.id, "GET", `/b/k?uploadId=u`), r]);
    const decideMixed = randomFaults({ seed: 5, rate: 0.5, kinds, only });
    const decideAlone = randomFaults({ seed: 5, rate: 0.5, kinds, only });
    const mixedDecisions = mixed.map((r, i) => [r.method, decideMixed(r, i)?.kind]);
    assert.ok(mixedDecisions.filter(([method]) => method === "GET").every(([, kind]) => kind === undefined));
    assert.deepEqual(
      mixedDecisions.filter(([method]) => method === "PUT").map(([, kind]) => kind),
      puts.map((r, i) => decideAlone(r, i)?.kind),
    );
  });

  it("refuses a rate outside 0..1", () => {
    assert.throws(() => randomFaults({ seed: 1, rate: 1.5, kinds }), /\[rate\]/);
  });
});

describe("scripts/fault-proxy partResends", () => {
  const part = (id: number, n: number, more: Partial<ProxiedRequest>) =>
    entry(id, "PUT", `/b/k?partNumber=${n}&uploadId=${more.uploadId ?? "u1"}`, { bytesIn: 100, ...more });
  const ok = { status: 200, completed: true };
  const log: ProxiedRequest[] = [
    part(0, 1, { ...ok, endedAt: 5 }),
    part(1, 2, { fault: "drop-before", endedAt: 15 }),
    part(2, 3, { ...ok, endedAt: 25 }),
    part(3, 4, { ...ok, endedAt: 100 }), // still in flight when its twin starts
    part(4, 4, { ...ok, endedAt: 45 }),
    part(5, 2, { ...ok, endedAt: 55 }), // retry after a failure
    part(6, 3, { ...ok, bytesIn: 70, endedAt: 65 }), // sent again though the client knew it was stored
    part(7, 1, { ...ok, uploadId: "u2", endedAt: 75 }), // another upload's part 1
    entry(8, "GET", "/b/k?partNumber=1&uploadId=u1", ok), // a ranged read, not an upload
  ];

  it("counts parts PUT again, those PUT again after a 200, and the bytes", () => {
    assert.deepEqual(partResends(log, { uploadId: "u1" }), { resentParts: [2, 3, 4], resentAfterSuccess: [3], bytesResent: 270 });
  });

  it("counts from `since` on, with earlier requests as history", () => {
    assert.deepEqual(partResends(log, { uploadId: "u1", since: 6 }), { resentParts: [3], resentAfterSuccess: [3], bytesResent: 70 });
  });

  it("keeps uploads apart without an uploadId", () => {
    assert.deepEqual(partResends(log).resentParts, [2, 3, 4]);
  });

  it("finds nothing in a clean log", () => {
    assert.deepEqual(partResends(log.slice(0, 3)), { resentParts: [], resentAfterSuccess: [], bytesResent: 0 });
  });
});
