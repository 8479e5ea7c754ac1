import * as assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { warmClamdScanner } from "../../../functions/scan/clamav";
import { ClamdDaemon, clamdConfig } from "../../../functions/scan/clamd-daemon";
import { ScanError } from "../../../functions/scan/scanner";
import { EICAR, PNG_1PX } from "./clamav-fixture";
import { CLAMD_BINARY, eicarSignature, gone, reported, tempDir } from "./clamd-fixture";
import { DirectoryBucket, recordingLogger } from "./definitions-fixture";

const LIMIT = 64 * 1024;
const MINUTE = 60_000;

/**
 * The warm clamd of one execution environment (clamd-daemon.ts) with the real clamd: definitions
 * from a bucket (a directory with S3's versioning), refreshed on a clock the test moves.
 */
describe("functions/scan/clamd-daemon (the real clamd, definitions from a bucket)", function () {
  this.timeout(60_000);
  let work: ReturnType<typeof tempDir>;
  let bucket: DirectoryBucket;
  let clock: number;
  let daemon: ClamdDaemon;
  const log = recordingLogger();

  /** Publishes one `.ndb` database detecting EICAR under `signature`, as the updater would. */
  async function publish(signature: string): Promise<void> {
    const dir = path.join(work.dir, `src-${signature}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "test.ndb"), eicarSignature(signature));
    await bucket.publish(dir, ["test.ndb"]);
  }

  before(() => {
    work = tempDir("clamd-warm-");
    bucket = new DirectoryBucket(path.join(work.dir, "bucket"));
    clock = 0;
    daemon = new ClamdDaemon(
      { binary: CLAMD_BINARY, workDir: path.join(work.dir, "w"), maxStreamBytes: LIMIT, refreshIntervalMs: 15 * MINUTE, startTimeoutMs: 30_000 },
      { definitions: bucket, log, now: () => clock },
    );
  });
  after(async () => {
    await daemon?.stop();
    work.remove();
  });

  const scanner = () => warmClamdScanner(daemon, { timeoutMs: 10_000, maxStreamBytes: LIMIT });

  it("refuses to scan before the updater has published anything, naming why", async () => {
    await assert.rejects(daemon.ready(), (err: unknown) => err instanceof ScanError && /updater has not published/.test((err as Error).message));
    assert.equal(daemon.pid, undefined);
  });

  it("installs the published definitions and starts clamd at the first scan, then reuses it", async () => {
    await publish("MobileS3.Test.One");
    assert.deepEqual(await scanner().scan({ bytes: EICAR }), { verdict: "infected", signature: reported("MobileS3.Test.One") });
    assert.deepEqual(await scanner().scan({ bytes: PNG_1PX }), { verdict: "clean" });
    assert.equal(daemon.stats.starts, 1);
    assert.equal(daemon.stats.syncs, 1);
  });

  it("does not look again before the refresh interval, and an unchanged manifest reloads nothing", async () => {
    await publish("MobileS3.Test.Early");
    clock += 5 * MINUTE;
    assert.deepEqual(await scanner().scan({ bytes: EICAR }), { verdict: "infected", signature: reported("MobileS3.Test.One") });
    await publish("MobileS3.Test.One");
    clock += 15 * MINUTE;
    assert.deepEqual(await scanner().scan({ bytes: EICAR }), { verdict: "infected", signature: reported("MobileS3.Test.One") });
    assert.equal(daemon.stats.reloads, 0);
  });

  it("downloads newer definitions after the interval and clamd RELOADs them without a restart", async () => {
    await publish("MobileS3.Test.Two");
    clock += 15 * MINUTE;
    assert.deepEqual(await scanner().scan({ bytes: EICAR }), { verdict: "infected", signature: reported("MobileS3.Test.Two") });
    assert.equal(daemon.stats.reloads, 1);
    assert.equal(daemon.stats.starts, 1);
  });

  it("refuses a download that does not match the manifest's SHA-256 and keeps scanning with what it has", async () => {
    await publish("MobileS3.Test.Three");
    await bucket.corrupt("signatures/test.ndb", eicarSignature("MobileS3.Test.Forged"));
    clock += 15 * MINUTE;
    assert.deepEqual(await scanner().scan({ bytes: EICAR }), { verdict: "infected", signature: reported("MobileS3.Test.Two") });
    assert.ok(log.lines.some((l) => l.level === "warn" && /not installed/.test(l.message)));
  });

  it("keeps scanning through a bucket outage at refresh time", async () => {
    bucket.failWith = Object.assign(new Error("S3 is down"), { name: "ServiceUnavailable" });
    clock += 15 * MINUTE;
    try {
      assert.deepEqual(await scanner().scan({ bytes: EICAR }), { verdict: "infected", signature: reported("MobileS3.Test.Two") });
    } finally {
      bucket.failWith = undefined;
    }
  });

  it("starts clamd again when it died between scans, and still gives a verdict", async () => {
    const pid = daemon.pid!;
    process.kill(pid, "SIGKILL");
    await gone(pid);
    assert.deepEqual(await scanner().scan({ bytes: EICAR }), { verdict: "infected", signature: reported("MobileS3.Test.Two") });
    assert.equal(daemon.stats.starts, 2);
    assert.notEqual(daemon.pid, pid);
  });

  it("refuses clamd settings that clamd.conf cannot hold", () => {
    const base = { socketPath: "/tmp/c/clamd.sock", databaseDir: "/tmp/c/db", tempDir: "/tmp/c/tmp", maxStreamBytes: LIMIT };
    assert.throws(() => clamdConfig({ ...base, databaseDir: "/tmp/with space" }), /\[databaseDir\]/);
    assert.throws(() => clamdConfig({ ...base, socketPath: `/tmp/${"s".repeat(110)}` }), /\[socketPath\] must be at most 107 bytes/);
    assert.throws(() => clamdConfig({ ...base, maxStreamBytes: 0 }), /\[maxStreamBytes\]/);
    assert.throws(() => clamdConfig({ ...base, socketPath: "/tmp/c/x\nTCPSocket 3310" }), /\[socketPath\]/);
    assert.match(clamdConfig(base), /^IdleTimeout 1$/m);
    assert.match(clamdConfig(base), /^AlertExceedsMax yes$/m);
  });
});
