import { strict as assert } from "node:assert";
import { createStorageClient, type FetchLike, StorageError, type UploadProgress } from "../../client/src";
import { createNodeFetch } from "../../client/src/node";
import { type DecideFault, type Fault, partResends, randomFaults, requestKey } from "../../scripts/fault-proxy";
import { captureLog, clientFor, downloadedSha256, MIB, randomFile, SECRET_PATTERNS, tokenFor, useFaultyNetwork } from "./harness";

const RETRY = { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 100, requestTimeoutMs: 2_000 };
const EVERY_FAULT: Fault[] = [
  { kind: "drop-before" },
  { kind: "drop-after" },
  { kind: "status", status: 500 },
  { kind: "status", status: 503, retryAfterSeconds: 1 },
  { kind: "status", status: 429 },
  { kind: "stall" },
  { kind: "truncate" },
];

/**
 * Every fault kind once, each on the first attempt of a different request (so no request meets
 * more than the random cap plus one), then seeded random faults: the test cannot pass without
 * having met each kind, whatever the random draw.
 */
function eachKindThenRandom(seed: number, rate: number): DecideFault {
  const forced = [...EVERY_FAULT];
  const seen = new Set<string>();
  const random = randomFaults({ seed, rate, kinds: EVERY_FAULT, maxConsecutivePerKey: 3 });
  return (request, index) => {
    const key = requestKey(request);
    const first = !seen.has(key);
    seen.add(key);
    if (first && forced.length > 0) {
      return forced.shift();
    }
    return random(request, index);
  };
}

const isPartPut = (r: { method: string; partNumber?: number }) => r.method === "PUT" && r.partNumber !== undefined;

function checkProgress(events: UploadProgress[], size: number): void {
  assert.ok(events.length >= 2, "a start and an end event at least");
  for (let i = 1; i < events.length; i++) {
    assert.ok(events[i].loaded > events[i - 1].loaded, `progress went from ${events[i - 1].loaded} to ${events[i].loaded}`);
  }
  assert.equal(events[0].loaded, 0);
  assert.deepEqual(
    { loaded: events.at(-1)!.loaded, fraction: events.at(-1)!.fraction },
    { loaded: size, fraction: 1 },
  );
}

describe("client: uploads through a faulty network to the sandbox", function () {
  this.timeout(120_000);
  const net = useFaultyNetwork();

  const transports: [string, () => FetchLike][] = [
    ["the platform's fetch", () => net.s3.fetch],
    ["createNodeFetch (node:http, keep-alive)", () => {
      const nodeFetch = createNodeFetch();
      return (input, init) => nodeFetch(net.s3.rewrite(input), init);
    }],
  ];
  for (const [transport, fetchFor] of transports) {
    it(`finishes uploads of several sizes byte-identical while S3 and the API drop, fail, stall and truncate (${transport})`, async () => {
      const log = captureLog();
      const start = { s3: net.s3.requests.length, api: net.api.requests.length };
      const client = await clientFor(net.sandbox, "faulty-network", { apiUrl: net.api.url, fetch: fetchFor(), retry: RETRY, logger: log.logger, concurrency: 3 });
      // At most 4 faults in a row per request (one forced, three random): 6 attempts always get through.
      net.s3.setFaults(eachKindThenRandom(7, 0.35));
      net.api.setFaults(eachKindThenRandom(11, 0.25));

      for (const size of [1, 1024, 4 * MIB + 3, 16 * MIB + 1, 31 * MIB]) {
        const file = randomFile(size);
        const events: UploadProgress[] = [];
        const path = `faults/${size}.jpg`;
        const result = await client.upload(file.bytes, { path, contentType: "image/jpeg", onProgress: (p) => events.push(p) });
        assert.equal(result.size, size);
        checkProgress(events, size);
        net.s3.setFaults(undefined);
        assert.equal(await downloadedSha256(client, path), file.sha256, `${path} came back different`);
        net.s3.setFaults(eachKindThenRandom(7 + size, 0.35));
      }

      const mine = { s3: net.s3.requests.slice(start.s3), api: net.api.requests.slice(start.api) };
      const faulted = [...mine.s3, ...mine.api].filter((r) => r.fault !== undefined);
      const kinds = new Set(faulted.map((r) => r.fault));
      assert.ok(faulted.length >= 10, `only ${faulted.length} faults were injected`);
      for (const kind of ["drop-before", "drop-after", "status", "stall", "truncate"] as const) {
        assert.ok(kinds.has(kind), `no ${kind} fault was injected`);
        assert.ok(mine.s3.some((r) => r.fault === kind && isPartPut(r)), `no part PUT met a ${kind} fault`);
      }
      // Within the retry budget: no part was PUT more often than the attempts allowed.
      const attempts = new Map<string, number>();
      for (const r of mine.s3.filter(isPartPut)) {
        const key = `${r.uploadId}#${r.partNumber}`;
        attempts.set(key, (attempts.get(key) ?? 0) + 1);
      }
      assert.ok(Math.max(...attempts.values()) <= RETRY.maxAttempts, `a part took ${Math.max(...attempts.values())} attempts`);
      assert.ok(log.lines.some((line) => line.includes("retrying")), "retries are logged");
      for (const line of log.lines) {
        for (const secret of SECRET_PATTERNS) {
          assert.doesNotMatch(line, secret);
        }
      }
    });
  }

  it("gives up after the retry budget with an error that names the part and holds no secret, and keeps what S3 confirmed", async () => {
    const log = captureLog();
    const client = await clientFor(net.sandbox, "gives-up", { fetch: net.s3.fetch, retry: RETRY, logger: log.logger, concurrency: 1 });
    const file = randomFile(21 * MIB);
    const start = net.s3.requests.length;
    // Parts 1 and 2 go through; part 3 always gets a 503.
    net.s3.setFaults((r) => (isPartPut(r) && r.partNumber === 3 ? { kind: "status", status: 503 } : undefined));
    const failed = await client.upload(file.bytes, { path: "budget/big.mp4", contentType: "video/mp4" }).then(
      () => assert.fail("the upload should fail"),
      (err: unknown) => err,
    );
    assert.ok(failed instanceof StorageError);
    assert.equal(failed.status, 503);
    assert.match(failed.message, /PUT part 3 of budget\/big\.mp4/);
    for (const secret of SECRET_PATTERNS) {
      assert.doesNotMatch(`${failed.message} ${failed.stack}`, secret);
    }
    const part3 = net.s3.requests.slice(start).filter((r) => isPartPut(r) && r.partNumber === 3 && r.fault === "status");
    assert.equal(part3.length, RETRY.maxAttempts, "part 3 was tried exactly maxAttempts times");
    assert.deepEqual(
      (await client.pendingUploads()).map((p) => [p.path, p.partsDone]),
      [["budget/big.mp4", 2]],
    );

    // The network is back: the same call continues from the parts S3 has.
    net.s3.setFaults(undefined);
    const since = net.s3.requests.length;
    const result = await client.upload(file.bytes, { path: "budget/big.mp4", contentType: "video/mp4" });
    assert.equal(result.resumedParts, 2);
    assert.deepEqual(
      net.s3.requests.slice(since).filter(isPartPut).map((r) => r.partNumber).sort(),
      [3, 4, 5],
    );
    assert.equal(partResends(net.s3.requests.slice(start)).resentAfterSuccess.length, 0);
    assert.equal(await downloadedSha256(client, "budget/big.mp4"), file.sha256);
    assert.deepEqual(await client.pendingUploads(), []);
  });

  it("refreshes the token once when the API answers 401, then goes on", async () => {
    const token = await tokenFor(net.sandbox, "refresh");
    const calls: boolean[] = [];
    const client = createStorageClient({
      apiUrl: net.sandbox.ready.api,
      getToken: ({ forceRefresh }) => {
        calls.push(forceRefresh);
        // The cached token expired while the app slept; a refresh gets a good one.
        return forceRefresh ? token : `${token.slice(0, -4)}AAAA`;
      },
    });
    const file = randomFile(1000);
    const result = await client.upload(file.bytes, { path: "refresh/a.png", contentType: "image/png" });
    assert.equal(result.size, 1000);
    assert.deepEqual(calls.slice(0, 2), [false, true]);

    const never = createStorageClient({ apiUrl: net.sandbox.ready.api, getToken: () => `${token.slice(0, -4)}AAAA` });
    const refused = await never.list().then(
      () => assert.fail("a bad token must be refused"),
      (err: unknown) => err as StorageError,
    );
    assert.equal(refused.status, 401);
    for (const secret of SECRET_PATTERNS) {
      assert.doesNotMatch(`${refused.message} ${refused.stack}`, secret);
    }
  });
});
