import * as assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { signIn } from "../../scripts/demo/dev-token";
import { runDemo } from "../../scripts/demo/flow";
import { type ProgressFactory } from "../../scripts/demo/progress";
import { sandboxEntry } from "../../scripts/demo/sandbox-process";
import { PNG_1PX } from "../../scripts/demo/sample-files";
import { uploadFile } from "../../scripts/demo/upload";
import { assertStoppedClean, cleanUp, startTestSandbox, type TestSandbox } from "./sandbox-fixture";

const MIB = 1024 * 1024;
/** EventBridge delivers in about half a second; the sandbox's bus in milliseconds, the indexer then writes. */
const INDEX_WAIT_MS = 10_000;
const entry = sandboxEntry();
const skipped = entry === undefined ? ' — SKIPPED: package.json "start" does not run a sandbox/*.ts entry yet' : "";

/**
 * The sandbox as a developer runs it: `npm start` as a child process, the demo flow through HTTP
 * only, Ctrl-C (SIGINT), and nothing left behind. Every sandbox here picks its own free ports and
 * data directory, so these tests never collide with one a developer has running.
 */
(entry === undefined ? describe.skip : describe)(`sandbox (npm start as a child process)${skipped}`, function () {
  this.timeout(480_000);
  let started: TestSandbox[] = [];
  afterEach(async () => {
    await cleanUp(started);
    started = [];
  });

  it("serves the whole demo flow over HTTP, then SIGINT stops every process and removes its data", async () => {
    const test = await startTestSandbox("demo");
    started.push(test);
    const { ready } = test.sandbox;
    assert.match(ready.api, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(ready.s3.buckets.length > 0, "the ready line names the stack's buckets");
    assert.ok(existsSync(test.dataDir), "the sandbox keeps its data in the --data-dir it was given");

    const progress: { label: string; total: number; sent: number[] }[] = [];
    const recorder: ProgressFactory = (label, total) => {
      const bar = { label, total, sent: [] as number[] };
      progress.push(bar);
      return { advance: (bytes) => void bar.sent.push(bytes), end: () => undefined };
    };
    const report = await runDemo({ api: ready.api, progress: recorder, videoBytes: 20 * MIB });

    assert.deepEqual(
      report.uploads.map((u) => [u.user, u.path, u.mode, u.size, u.parts]),
      [
        ["alice@acme", "photos/dot.png", "single", PNG_1PX.byteLength, 1],
        ["alice@acme", "videos/clip.mp4", "multipart", 20 * MIB, 4],
        ["bob@globex", "docs/blank.pdf", "single", report.uploads[2].size, 1],
      ],
    );
    const video = progress.find((p) => p.label.endsWith("videos/clip.mp4"))!;
    assert.deepEqual(video.sent, [5 * MIB, 5 * MIB, 5 * MIB, 5 * MIB], "the bar moves once per part");
    assert.deepEqual(
      Object.fromEntries(Object.entries(report.listings).map(([user, objects]) => [user, objects.map((o) => o.path).sort()])),
      { "alice@acme": ["photos/dot.png", "videos/clip.mp4"], "bob@globex": ["docs/blank.pdf"] },
    );
    assert.deepEqual(
      report.downloads.map((d) => [d.user, d.path, d.size]),
      [
        ["alice@acme", "photos/dot.png", PNG_1PX.byteLength],
        ["alice@acme", "videos/clip.mp4", 20 * MIB],
        ["bob@globex", "docs/blank.pdf", report.uploads[2].size],
      ],
    );
    assert.deepEqual(
      report.refusals.map((r) => [r.actor, r.status, r.code ?? "-"]),
      [
        ["bob@globex", 404, "ObjectNotFound"],
        ["bob@globex", 400, "InvalidPath"],
        ["bob@globex", 400, "InvalidPath"],
        ["bob@globex", 400, "UnknownField"],
        ["bob@globex", 401, report.refusals[4].code ?? "-"],
        ["anonymous", 401, report.refusals[5].code ?? "-"],
        ["bob@globex", 404, "NoSuchUpload"],
        ["alice@acme", 403, report.refusals[7].code ?? "-"],
        ["bob@globex", 403, report.refusals[8].code ?? "-"],
      ],
    );

    const exit = await test.sandbox.stop();
    assertStoppedClean(test, exit);
  });

  it("runs two sandboxes side by side on their own ports, issuers and engines, and stops both cleanly", async () => {
    const [a, b] = await Promise.all([startTestSandbox("a"), startTestSandbox("b")]);
    started.push(a, b);
    assert.notEqual(a.sandbox.ready.api, b.sandbox.ready.api);
    assert.notEqual(a.sandbox.ready.s3.endpoint, b.sandbox.ready.s3.endpoint);

    // The same user in both: only the sandbox tells them apart.
    const user = { name: "carol@initech", sub: randomUUID(), tenant: "initech" };
    const inA = await signIn(a.sandbox.ready.api, user);
    const inB = await signIn(b.sandbox.ready.api, user);
    const photo = { contentType: "image/png", bytes: PNG_1PX };
    assert.equal((await uploadFile(inA, { ...photo, path: "from-a.png" })).mode, "single");
    assert.equal((await uploadFile(inB, { ...photo, path: "from-b.png" })).mode, "single");

    const list = async (client: typeof inA) => {
      const answer = await client.call("GET", "/v1/objects");
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      return (answer.body as { objects: { path: string }[] }).objects.map((o) => o.path);
    };
    // Listings come from the object index, which follows S3 within the events' delivery time.
    const listOnceIndexed = async (client: typeof inA, expected: string[]) => {
      const deadline = Date.now() + INDEX_WAIT_MS;
      let paths = await list(client);
      while (JSON.stringify(paths) !== JSON.stringify(expected) && Date.now() < deadline) {
        await sleep(100);
        paths = await list(client);
      }
      return paths;
    };
    assert.deepEqual(await listOnceIndexed(inA, ["from-a.png"]), ["from-a.png"], "sandbox A holds only its own upload");
    assert.deepEqual(await listOnceIndexed(inB, ["from-b.png"]), ["from-b.png"], "sandbox B holds only its own upload");
    const crossed = await inA.as(inB.token).call("GET", "/v1/objects");
    assert.equal(crossed.status, 401, "a token of sandbox B is not accepted by sandbox A");

    const [exitA, exitB] = await Promise.all([a.sandbox.stop(), b.sandbox.stop()]);
    assertStoppedClean(a, exitA);
    assertStoppedClean(b, exitB);
  });
});
