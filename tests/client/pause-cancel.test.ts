import { strict as assert } from "node:assert";
import { type RunningSandbox } from "../../scripts/demo/sandbox-process";
import { type StorageClient, UploadCancelledError, type UploadProgress, type UploadTask } from "../../client/src";
import { type FaultProxy, partResends, startFaultProxy } from "../../scripts/fault-proxy";
import { clientFor, downloadedSha256, MIB, openMultipartUploads, randomFile, useClientSandbox } from "./harness";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isPartPut = (r: { method: string; partNumber?: number }) => r.method === "PUT" && r.partNumber !== undefined;
/** ~0.2 s per 5 MiB part: slow enough to act between parts, fast enough for a test. */
const SLOW_LINK = { kind: "slow", bytesPerSecond: 25 * MIB } as const;

describe("client: pause, resume and cancel against the sandbox", function () {
  this.timeout(90_000);
  let sandbox: RunningSandbox;
  let s3: FaultProxy;

  before(async () => {
    sandbox = await useClientSandbox();
    s3 = await startFaultProxy({ target: sandbox.ready.s3.endpoint, decide: (r) => (isPartPut(r) ? SLOW_LINK : undefined) });
  });
  after(() => s3?.close());

  async function client(sub: string): Promise<StorageClient> {
    return clientFor(sandbox, sub, { fetch: s3.fetch, concurrency: 2 });
  }

  /** Starts an upload; `until` resolves once a progress event satisfies a condition. */
  function startUpload(c: StorageClient, bytes: Uint8Array, path: string, events: UploadProgress[], signal?: AbortSignal) {
    const waiters: { when: (p: UploadProgress) => boolean; resolve: () => void }[] = [];
    const task: UploadTask = c.upload(bytes, {
      path,
      contentType: "video/mp4",
      signal,
      onProgress: (p) => {
        events.push(p);
        for (const waiter of waiters.filter((w) => w.when(p))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      },
    });
    /** Resolves once a progress event satisfies `when`. */
    const until = (when: (p: UploadProgress) => boolean) => new Promise<void>((resolve) => waiters.push({ when, resolve }));
    return { task, until };
  }

  it("pause stops sending at once and keeps confirmed parts; resume finishes byte-identical with monotonic progress", async () => {
    const c = await client("pauser");
    const file = randomFile(36 * MIB); // 8 parts
    const events: UploadProgress[] = [];
    const start = s3.requests.length;
    const { task, until } = startUpload(c, file.bytes, "pause/movie.mp4", events);
    await until((p) => p.partsDone >= 2);
    task.pause();
    assert.equal(task.status, "paused");
    // A request fetch had already begun may still reach the proxy just after the pause; then silence.
    await delay(150);
    const pausedAt = s3.requests.length;
    const loadedAtPause = events.at(-1)!.loaded;
    await delay(800);
    assert.equal(s3.requests.length, pausedAt, "no request starts while paused");
    assert.ok(s3.requests.slice(start).every((r) => r.endedAt !== undefined || r.completed), "the parts in flight were aborted");
    assert.equal(events.at(-1)!.loaded, loadedAtPause, "no progress while paused");

    task.resume();
    assert.equal(task.status, "running");
    const result = await task;
    assert.equal(task.status, "completed");
    assert.equal(result.size, file.bytes.byteLength);
    assert.equal(await downloadedSha256(c, "pause/movie.mp4"), file.sha256);
    for (let i = 1; i < events.length; i++) {
      assert.ok(events[i].loaded > events[i - 1].loaded);
    }
    assert.equal(events.at(-1)!.fraction, 1);
    // Only parts cut off by the pause are sent twice; none that S3 had confirmed.
    const resends = partResends(s3.requests.slice(start));
    assert.deepEqual(resends.resentAfterSuccess, []);
    assert.ok(resends.resentParts.length <= 2, `re-sent ${resends.resentParts.join(", ")}`);
  });

  it("cancel aborts the parts in flight and the multipart upload: nothing is left on the engine or in the store", async () => {
    const c = await client("canceller");
    const file = randomFile(26 * MIB);
    const events: UploadProgress[] = [];
    const { task, until } = startUpload(c, file.bytes, "cancel/movie.mp4", events);
    await until((p) => p.partsDone >= 1);
    assert.equal((await openMultipartUploads(sandbox, "tenants/acme/home/canceller/")).length, 1, "the upload is open before the cancel");
    await task.cancel();
    assert.equal(task.status, "cancelled");
    await assert.rejects(task.done, UploadCancelledError);
    assert.deepEqual(await openMultipartUploads(sandbox, "tenants/acme/home/canceller/"), []);
    assert.deepEqual(await c.pendingUploads(), []);
    assert.deepEqual((await c.list()).objects, []);
    const settled = s3.requests.length;
    await delay(300);
    assert.equal(s3.requests.length, settled, "nothing is sent after a cancel");
  });

  it("aborting the upload's signal cancels it the same way, also while paused", async () => {
    const c = await client("signaller");
    const controller = new AbortController();
    const { task, until } = startUpload(c, randomFile(21 * MIB).bytes, "signal/movie.mp4", [], controller.signal);
    await until((p) => p.partsDone >= 1);
    task.pause();
    controller.abort();
    await assert.rejects(task.done, UploadCancelledError);
    assert.equal(task.status, "cancelled");
    assert.deepEqual(await openMultipartUploads(sandbox, "tenants/acme/home/signaller/"), []);
  });

  it("cancel of a single PUT leaves no object", async () => {
    const c = await client("single-canceller");
    const slow = await startFaultProxy({ target: sandbox.ready.s3.endpoint, decide: () => ({ kind: "slow", bytesPerSecond: 2 * MIB }) });
    try {
      const cs = await clientFor(sandbox, "single-canceller", { fetch: slow.fetch });
      const task = cs.upload(randomFile(4 * MIB).bytes, { path: "cancel/single.png", contentType: "image/png" });
      while (!slow.requests.some((r) => r.method === "PUT")) {
        await delay(20);
      }
      await task.cancel();
      await assert.rejects(task.done, UploadCancelledError);
      assert.deepEqual((await c.list()).objects, []);
    } finally {
      await slow.close();
    }
  });
});
