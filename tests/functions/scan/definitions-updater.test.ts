import { ConfigurationError } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadClamdSettings } from "../../../functions/scan/clamav";
import { DefinitionsError, type FreshclamRun, freshclamConfig, parseManifest, updateDefinitions } from "../../../functions/scan/definitions-core";
import { loadDefinitionsUpdaterConfig } from "../../../functions/scan/definitions-handler";
import { tempDir } from "./clamd-fixture";
import { cvdBytes, DirectoryBucket, recordingLogger } from "./definitions-fixture";

/**
 * The definitions updater's core with a stand-in freshclam (the real one needs ClamAV's CDN): it
 * writes `.cvd`-shaped files into the DatabaseDirectory of the config it is given.
 */
describe("functions/scan/definitions-core (the updater)", () => {
  let work: ReturnType<typeof tempDir>;
  let bucket: DirectoryBucket;
  beforeEach(() => {
    work = tempDir("defs-update-");
    bucket = new DirectoryBucket(path.join(work.dir, "bucket"));
  });
  afterEach(() => work.remove());

  /** A freshclam that leaves these databases (name → version) and exits with `code`. */
  function freshclam(databases: Record<string, number>, code = 0): (configFile: string) => Promise<FreshclamRun> {
    return async (configFile) => {
      const dir = /^DatabaseDirectory (.+)$/m.exec(readFileSync(configFile, "utf8"))![1];
      for (const [name, version] of Object.entries(databases)) {
        writeFileSync(path.join(dir, name), cvdBytes(version, `${name} body ${version}`));
      }
      writeFileSync(path.join(dir, "freshclam.dat"), "state");
      return { code, output: code === 0 ? "daily.cvd updated" : "Can't connect" };
    };
  }
  const run = (databases: Record<string, number>, code = 0, workDir = "w") =>
    updateDefinitions({ bucket, freshclam: freshclam(databases, code), log: recordingLogger() }, { workDir: path.join(work.dir, workDir), mirror: {} });

  it("publishes main and daily with their versions, the manifest last, and changes nothing when nothing changed", async () => {
    const first = await run({ "main.cvd": 62, "daily.cvd": 27500 });
    assert.equal(first.action, "published");
    assert.deepEqual(first.manifest.files.map((f) => [f.name, f.version]), [["daily.cvd", 27500], ["main.cvd", 62]]);
    const writes = bucket.operations.filter((op) => op.startsWith("upload") || op.startsWith("writeText"));
    assert.equal(writes.at(-1), "writeText manifest.json");
    const before = bucket.operations.length;
    const second = await run({ "main.cvd": 62, "daily.cvd": 27500 });
    assert.equal(second.action, "unchanged");
    assert.ok(!bucket.operations.slice(before).includes("writeText manifest.json"));
  });

  it("uploads only the database that changed; the other keeps its object version", async () => {
    const first = await run({ "main.cvd": 62, "daily.cvd": 27500 });
    const second = await run({ "main.cvd": 62, "daily.cvd": 27501 });
    assert.equal(second.action, "published");
    assert.deepEqual(second.action === "published" && second.changed, ["daily.cvd"]);
    const main = (m: typeof first.manifest) => m.files.find((f) => f.name === "main.cvd")!;
    assert.equal(main(second.manifest).versionId, main(first.manifest).versionId);
    assert.equal(second.manifest.files.find((f) => f.name === "daily.cvd")!.version, 27501);
  });

  it("publishes nothing when freshclam fails or leaves no daily database", async () => {
    await assert.rejects(run({ "main.cvd": 62, "daily.cvd": 1 }, 1), (err: unknown) => err instanceof DefinitionsError && /code 1/.test((err as Error).message));
    // A new execution environment (nothing in /tmp yet), and nothing published to seed it from.
    await assert.rejects(run({ "main.cvd": 62 }, 0, "fresh"), (err: unknown) => err instanceof DefinitionsError && /no daily/.test((err as Error).message));
    assert.ok(!bucket.operations.includes("writeText manifest.json"));
  });

  it("writes freshclam.conf with one mirror token per line, and refuses anything that could add a line or a credential", () => {
    const config = freshclamConfig({ databaseDir: "/tmp/db", mirror: { privateMirrors: ["https://mirror.example.com/clamav"] } });
    assert.match(config, /^PrivateMirror https:\/\/mirror\.example\.com\/clamav$/m);
    assert.doesNotMatch(config, /^DatabaseMirror/m);
    assert.match(freshclamConfig({ databaseDir: "/tmp/db", mirror: {} }), /^DatabaseMirror database\.clamav\.net$/m);
    for (const bad of ["mirror.example.com\nDatabaseDirectory /", "https://user:pass@mirror.example.com", "two words"]) {
      assert.throws(() => freshclamConfig({ databaseDir: "/tmp/db", mirror: { databaseMirror: bad } }), DefinitionsError, bad);
    }
  });

  it("refuses a manifest naming a path, a name twice or a bad digest (names become paths in /tmp)", () => {
    const entry = { name: "daily.cvd", key: "signatures/daily.cvd", sha256: "a".repeat(64), size: 1 };
    const manifest = (files: object[]) => JSON.stringify({ format: 1, publishedAt: "2026-01-01T00:00:00Z", files });
    assert.equal(parseManifest(manifest([entry])).files.length, 1);
    for (const files of [[{ ...entry, name: "../daily.cvd" }], [{ ...entry, name: "db/daily.cvd" }], [entry, entry], [{ ...entry, sha256: "xyz" }], [{ ...entry, name: "run.sh" }], []]) {
      assert.throws(() => parseManifest(manifest(files)), DefinitionsError, JSON.stringify(files));
    }
  });

  it("reads its settings from the environment, refusing what it cannot use", () => {
    assert.throws(() => loadDefinitionsUpdaterConfig({}), ConfigurationError);
    assert.throws(() => loadDefinitionsUpdaterConfig({ CLAMAV_DEFINITIONS_BUCKET: "Not_A_Bucket" }), ConfigurationError);
    assert.equal(loadDefinitionsUpdaterConfig({ CLAMAV_DEFINITIONS_BUCKET: "defs-bucket" }).bucket, "defs-bucket");
    assert.equal(loadClamdSettings({}), undefined, "no bucket: the clamscan fallback");
    assert.throws(() => loadClamdSettings({ CLAMAV_DEFINITIONS_BUCKET: "defs-bucket", CLAMAV_REFRESH_MINUTES: "0" }), ConfigurationError);
    assert.equal(loadClamdSettings({ CLAMAV_DEFINITIONS_BUCKET: "defs-bucket" })?.refreshIntervalMs, 15 * 60_000);
  });
});
