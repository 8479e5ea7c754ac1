import * as assert from "node:assert/strict";
import { safeLogger } from "../../../client/src/log";
import { ProgressMeter, type UploadProgress } from "../../../client/src/progress";
import { captureLog } from "./fixtures/log";

/** A meter of `total` bytes in `parts` parts whose events and log lines are kept. */
function meter(total: number, parts: number, listener?: (p: UploadProgress) => void) {
  const events: UploadProgress[] = [];
  const log = captureLog();
  const progress = new ProgressMeter(total, parts, listener ?? ((p) => events.push(p)), safeLogger(log.logger));
  return { progress, events, lines: log.lines };
}

const loaded = (events: UploadProgress[]) => events.map((e) => e.loaded);

function assertWellFormed(events: UploadProgress[], total: number): void {
  for (let i = 1; i < events.length; i++) {
    assert.ok(events[i].loaded > events[i - 1].loaded, `went from ${events[i - 1].loaded} to ${events[i].loaded}`);
  }
  assert.equal(events.filter((e) => e.fraction === 1).length, 1, "exactly one event at 100%");
  assert.deepEqual(events.at(-1), { ...events.at(-1)!, loaded: total, fraction: 1 });
}

describe("client/progress ProgressMeter", () => {
  it("a fresh multipart upload: 0% first, a step per confirmed part, 100% once", () => {
    const { progress, events } = meter(25, 3);
    progress.restore(0, 0);
    progress.confirm(10);
    progress.confirm(10);
    progress.confirm(5);
    progress.finish();
    assert.deepEqual(events, [
      { loaded: 0, total: 25, fraction: 0, partsDone: 0, partCount: 3 },
      { loaded: 10, total: 25, fraction: 0.4, partsDone: 1, partCount: 3 },
      { loaded: 20, total: 25, fraction: 0.8, partsDone: 2, partCount: 3 },
      { loaded: 25, total: 25, fraction: 1, partsDone: 3, partCount: 3 },
    ]);
  });

  it("a single PUT: 0% then 100%", () => {
    const { progress, events } = meter(7, 1);
    progress.report();
    progress.finish();
    assert.deepEqual(loaded(events), [0, 7]);
    assertWellFormed(events, 7);
  });

  it("a resumed upload starts at what the server already has", () => {
    const { progress, events } = meter(30, 3);
    progress.restore(20, 2);
    progress.confirm(10);
    progress.finish();
    assert.deepEqual(events.map((e) => [e.loaded, e.partsDone]), [[20, 2], [30, 3]]);
    assertWellFormed(events, 30);
  });

  const neverBack: [string, (p: ProgressMeter) => void][] = [
    ["reported twice at the same point", (p) => (p.report(), p.report())],
    ["a part confirmed after finish", (p) => (p.finish(), p.confirm(10))],
    ["finish called twice", (p) => (p.finish(), p.finish())],
    ["more bytes confirmed than the file has", (p) => (p.confirm(10), p.confirm(10), p.confirm(10), p.confirm(10))],
  ];
  for (const [name, steps] of neverBack) {
    it(`never repeats or goes back: ${name}`, () => {
      const { progress, events } = meter(25, 3);
      progress.restore(0, 0);
      steps(progress);
      progress.finish();
      assertWellFormed(events, 25);
      assert.ok(events.every((e) => e.partsDone <= 3 && e.fraction <= 1));
    });
  }

  it("logs a listener that throws, and goes on", () => {
    const { progress, lines } = meter(10, 2, () => {
      throw new Error("the app's progress bar is broken");
    });
    assert.doesNotThrow(() => {
      progress.restore(0, 0);
      progress.confirm(5);
      progress.finish();
    });
    assert.equal(lines.length, 3);
    assert.deepEqual(lines[0], { level: "warn", message: "onProgress threw; the upload goes on", fields: { error: { name: "Error", message: "the app's progress bar is broken" } } });
  });

  it("without a listener, does nothing", () => {
    const log = captureLog();
    const progress = new ProgressMeter(10, 2, undefined, safeLogger(log.logger));
    progress.restore(0, 0);
    progress.confirm(5);
    progress.finish();
    assert.deepEqual(log.lines, []);
  });
});
