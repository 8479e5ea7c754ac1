import { CLAMAV_VOCABULARY, ConfigurationError } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createScanHandler } from "../../../functions/scan/app";
import { handleObjectCreated, parseObjectCreated, quarantineKey, type ScanPorts } from "../../../functions/scan/core";
import { loadScanConfig, type ScanConfig } from "../../../functions/scan/config";
import { ScanError, type Scanner } from "../../../functions/scan/scanner";
import { s3Store } from "../../../functions/shared/s3-store";
import { type ObjectStore } from "../../../functions/shared/store";
import { engineClient, useS3Engine } from "../../harness/s3-engine";
import { recordingLogger } from "../fixtures";
import { EICAR, EICAR_SIGNATURE, PNG_1PX, testScanner, writeEicarDatabase } from "./clamav-fixture";

const BUCKET = "mobile-s3-dev-storage-abc1234";
const config = loadScanConfig({ SCAN_BUCKETS: JSON.stringify([BUCKET, "acme-silo-7654321"]), SCANNER: "clamav" });

/** An S3 "Object Created" event as EventBridge delivers it. */
function objectCreated(bucket: string, key: string): unknown {
  return {
    version: "0",
    id: "17793124-05d4-b198-2fde-7ededc63b103",
    "detail-type": "Object Created",
    source: "aws.s3",
    account: "123456789012",
    time: "2026-11-24T10:00:00Z",
    region: "us-east-1",
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: "0",
      bucket: { name: bucket },
      object: { key, size: 5, etag: "b1946ac92492d2347c6235b4d2611184", "version-id": "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e", sequencer: "617f08299329d189" },
      "request-id": "N4N7GDK58NMKJ12R",
      requester: "123456789012",
      "source-ip-address": "203.0.113.15",
      reason: "PutObject",
    },
  };
}

/** A store that fails the test if an ignored event touches it. */
const untouchable = new Proxy({} as ObjectStore, {
  get: (_target, name) => () => assert.fail(`an ignored event called store.${String(name)}`),
});

/** Counts the scans a real scanner makes; `before` runs first (e.g. to change the object meanwhile). */
function counting(scanner: Scanner, before: () => Promise<void> = async () => undefined): Scanner & { calls: number } {
  const counter = {
    calls: 0,
    async scan(input: Parameters<Scanner["scan"]>[0]) {
      counter.calls += 1;
      await before();
      return scanner.scan(input);
    },
  };
  return counter;
}

describe("functions/scan/core", () => {
  it("reads the buckets it scans, and refuses to start without them", () => {
    assert.deepEqual([...config.buckets].sort(), ["acme-silo-7654321", BUCKET]);
    assert.throws(() => loadScanConfig({}), (err: unknown) => err instanceof ConfigurationError && err.variable === "SCAN_BUCKETS");
    assert.throws(() => loadScanConfig({ SCAN_BUCKETS: '["Not_A_Bucket"]', SCANNER: "clamav" }), /SCAN_BUCKETS holds an invalid entry "Not_A_Bucket"/);
    assert.throws(() => loadScanConfig({ SCAN_BUCKETS: "[]", SCANNER: "clamav" }), /SCAN_BUCKETS must be a non-empty JSON array/);
  });

  it("parses the bucket, key, size and version of an Object Created event", () => {
    assert.deepEqual(parseObjectCreated(objectCreated(BUCKET, "tenants/acme/home/u1/cat.jpg")), {
      bucket: BUCKET,
      key: "tenants/acme/home/u1/cat.jpg",
      size: 5,
      versionId: "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e",
    });
  });

  it("quarantines under quarantine/<key>, or a hash of the key when that would exceed S3's 1,024 bytes", () => {
    assert.equal(quarantineKey("tenants/acme/home/u1/cat.jpg"), "quarantine/tenants/acme/home/u1/cat.jpg");
    const long = `tenants/acme/home/u1/${"x".repeat(1000)}`;
    assert.match(quarantineKey(long), /^quarantine\/sha256\/[0-9a-f]{64}$/);
  });

  const ignored: [string, unknown, RegExp][] = [
    ["the scanner's own quarantine copy", objectCreated(BUCKET, "quarantine/tenants/acme/home/u1/cat.jpg"), /outside tenants\//],
    ["an object outside tenants/", objectCreated(BUCKET, "other/x"), /outside tenants\//],
    ["a bucket this deployment does not own", objectCreated("someone-elses-bucket", "tenants/acme/home/u1/x"), /not one this deployment scans/],
    ["an event that is not Object Created", { ...(objectCreated(BUCKET, "tenants/a/home/u/x") as object), "detail-type": "Object Deleted" }, /not an S3 Object Created event/],
    ["an event without a key", { source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: BUCKET } } }, /no bucket or key/],
    ["something that is not an event", "hello", /not an S3 Object Created event/],
  ];
  for (const [label, event, reason] of ignored) {
    it(`ignores ${label} without failing or touching storage (EventBridge would retry a failure)`, async () => {
      const ports = { store: untouchable, scanner: { scan: () => assert.fail("scanned") }, log: recordingLogger() };
      const outcome = await handleObjectCreated(event, config, ports);
      assert.equal(outcome.action, "ignored");
      assert.match(outcome.action === "ignored" ? outcome.reason : "", reason);
    });
  }

  describe("against the S3 engine with the real clamscan", function () {
    this.timeout(120_000);
    const bucket = `scan-core-${Date.now().toString(36)}`;
    const engineConfig: ScanConfig = { buckets: new Set([bucket]), scan: CLAMAV_VOCABULARY };
    const home = "tenants/acme/home/5f2d1c3e-0000-4000-8000-000000000001/";
    let s3: S3Client;
    let store: ObjectStore;
    let db: ReturnType<typeof writeEicarDatabase>;
    let scanner: Scanner;

    before(async () => {
      const engine = await useS3Engine();
      s3 = engineClient(engine);
      store = s3Store(s3);
      db = writeEicarDatabase();
      scanner = testScanner(db.database);
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    });

    after(async () => {
      if (s3) {
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => undefined);
        for (const o of listed?.Contents ?? []) {
          await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }));
        }
        await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
        s3.destroy();
      }
      db?.remove();
    });

    const put = (key: string, body: Uint8Array, tagging?: string) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...(tagging ? { Tagging: tagging } : {}) }));
    const tagsOf = async (key: string) =>
      Object.fromEntries(((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))).TagSet ?? []).map((t) => [t.Key, t.Value]));
    const etagOf = async (key: string) => (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag!.replace(/"/g, "");
    const exists = (key: string) =>
      s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
        () => true,
        (err: { $metadata?: { httpStatusCode?: number } }) => {
          assert.equal(err.$metadata?.httpStatusCode, 404);
          return false;
        },
      );
    const read = async (key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
    const scan = (key: string, ports: Partial<ScanPorts> = {}) =>
      handleObjectCreated(objectCreated(bucket, key), engineConfig, { store, scanner, log: recordingLogger(), ...ports });

    it("tags a clean upload clean, with the ETag it scanned, and leaves it in place", async () => {
      const key = `${home}photos/cat.png`;
      await put(key, PNG_1PX);
      const outcome = await scan(key);
      assert.equal(outcome.action, "tagged");
      assert.deepEqual(await tagsOf(key), { "scan-status": "clean", "scan-etag": await etagOf(key) });
      assert.deepEqual(await read(key), PNG_1PX);
    });

    it("tags an EICAR upload infected, moves it to quarantine, and leaves nothing under the user's home", async () => {
      const key = `${home}docs/readme.txt`;
      await put(key, EICAR);
      const log = recordingLogger();
      const outcome = await scan(key, { log });
      assert.deepEqual(outcome, {
        action: "quarantined",
        object: { bucket, key, size: 5, versionId: "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e" },
        quarantineKey: `quarantine/${key}`,
        signature: EICAR_SIGNATURE,
      });
      assert.equal(await exists(key), false);
      await assert.rejects(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })), { name: "NoSuchKey" });
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${home}docs/` }));
      assert.deepEqual(listed.Contents ?? [], []);
      assert.deepEqual(await read(`quarantine/${key}`), EICAR);
      assert.deepEqual(await tagsOf(`quarantine/${key}`), { "scan-status": "infected", "scan-signature": EICAR_SIGNATURE });
      assert.deepEqual(
        log.lines.map((l) => [l.level, l.message, l.fields.signature]),
        [["WARN", "infected object quarantined", EICAR_SIGNATURE]],
      );
    });

    it("is harmless on redelivery: a clean object is scanned again and stays clean, a quarantined one is skipped without error", async () => {
      const clean = `${home}redelivery/ok.png`;
      const infected = `${home}redelivery/bad.txt`;
      await put(clean, PNG_1PX);
      await put(infected, EICAR);
      assert.equal((await scan(clean)).action, "tagged");
      assert.equal((await scan(infected)).action, "quarantined");
      const quarantinedEtag = await etagOf(`quarantine/${infected}`);

      const again = counting(scanner);
      const cleanAgain = await scan(clean, { scanner: again });
      const infectedAgain = await scan(infected, { scanner: again });
      // A clean tag is never a reason to skip (anyone who could write tags could write it): scanned again.
      assert.equal(again.calls, 1);
      assert.equal(cleanAgain.action, "tagged");
      assert.equal(infectedAgain.action, "skipped");
      assert.match(infectedAgain.action === "skipped" ? infectedAgain.reason : "", /no longer exists/);
      assert.equal((await tagsOf(clean))["scan-status"], "clean");
      assert.equal(await exists(infected), false);
      assert.equal(await etagOf(`quarantine/${infected}`), quarantinedEtag);
    });

    it("finishes a quarantine an earlier delivery left half done, without scanning again", async () => {
      const key = `${home}half/done.txt`;
      await put(key, EICAR, `scan-status=infected&scan-signature=${EICAR_SIGNATURE}`);
      const again = counting(scanner);
      const outcome = await scan(key, { scanner: again });
      assert.equal(outcome.action, "quarantined");
      assert.equal(again.calls, 0);
      assert.equal(await exists(key), false);
      assert.deepEqual(await tagsOf(`quarantine/${key}`), { "scan-status": "infected", "scan-signature": EICAR_SIGNATURE });
    });

    it("does not trust a clean tag written for another ETag: the object is scanned again", async () => {
      // What a clean tag that landed on a newer upload looks like (see scanCreatedObject).
      const key = `${home}race/newer.txt`;
      await put(key, EICAR, "scan-status=clean&scan-etag=0123456789abcdef0123456789abcdef");
      const outcome = await scan(key);
      assert.equal(outcome.action, "quarantined");
      assert.equal(await exists(key), false);
    });

    it("does not trust a forged clean tag with the object's own ETag (red-team: the MD5 of a single PUT is known to its writer)", async () => {
      const key = `${home}forged/eicar.txt`;
      const md5 = createHash("md5").update(EICAR).digest("hex");
      // What an unsigned x-amz-tagging on a presigned PUT stored on Ceph: the pair the scanner used to skip on.
      await put(key, EICAR, `scan-status=clean&scan-etag=${md5}`);
      assert.equal(await etagOf(key), md5);
      const outcome = await scan(key);
      assert.equal(outcome.action, "quarantined");
      assert.equal(await exists(key), false);
    });

    describe("scans what a reader receives, not the bytes as stored (red-team: brotli EICAR was scanned clean)", () => {
      for (const [encoding, encode] of [
        ["br", (b: Uint8Array) => brotliCompressSync(b)],
        ["gzip", (b: Uint8Array) => gzipSync(b)],
        ["deflate", (b: Uint8Array) => deflateSync(b)],
        ["deflate (raw, as some servers send it)", (b: Uint8Array) => deflateRawSync(b)],
        ["gzip, br", (b: Uint8Array) => brotliCompressSync(gzipSync(b))],
      ] as const) {
        it(`quarantines EICAR stored with Content-Encoding: ${encoding}`, async () => {
          const key = `${home}encoded/${encoding.replace(/\W+/g, "-")}.txt`;
          const header = encoding.split(" (")[0];
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: encode(EICAR), ContentEncoding: header }));
          const outcome = await scan(key);
          assert.equal(outcome.action, "quarantined", `${encoding}: ${JSON.stringify(outcome)}`);
          assert.equal(await exists(key), false);
        });
      }

      it("scans a clean gzip-encoded file clean, and serves nothing it cannot decode", async () => {
        const ok = `${home}encoded/ok.png`;
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: ok, Body: gzipSync(PNG_1PX), ContentEncoding: "gzip" }));
        assert.equal((await scan(ok)).action, "tagged");
        assert.equal((await tagsOf(ok))["scan-status"], "clean");

        for (const [name, body, encoding] of [
          ["zstd.bin", EICAR, "zstd"],
          ["not-gzip.bin", EICAR, "gzip"],
          ["bomb.bin", gzipSync(Buffer.alloc(4096)), "gzip"],
        ] as const) {
          const key = `${home}encoded/${name}`;
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentEncoding: encoding }));
          const outcome = await scan(key, { maxBytes: 1024 });
          assert.deepEqual([outcome.action, outcome.action === "tagged" && outcome.status], ["tagged", "unscannable"], name);
          assert.equal((await tagsOf(key))["scan-status"], "unscannable", name);
        }
      });
    });

    it("keeps the object's other tags when it tags it clean", async () => {
      const key = `${home}tagged/album.png`;
      await put(key, PNG_1PX, "album=holidays");
      await scan(key);
      assert.deepEqual(await tagsOf(key), { album: "holidays", "scan-status": "clean", "scan-etag": await etagOf(key) });
    });

    it("quarantines keys with spaces, plus signs and non-ASCII characters", async () => {
      const key = `${home}odd names/ça + va (1).txt`;
      await put(key, EICAR);
      assert.equal((await scan(key)).action, "quarantined");
      assert.deepEqual(await read(`quarantine/${key}`), EICAR);
      assert.equal(await exists(key), false);
    });

    it("finds the object when the event form-encodes its key", async () => {
      const key = `${home}encoded/my photo.png`;
      await put(key, PNG_1PX);
      const outcome = await scan(`${home}encoded/my+photo.png`);
      assert.equal(outcome.action, "tagged");
      assert.equal((await tagsOf(key))["scan-status"], "clean");
    });

    it("skips an object that no longer exists, without error", async () => {
      const outcome = await scan(`${home}never/uploaded.png`);
      assert.equal(outcome.action, "skipped");
    });

    it("does not apply a verdict to an object replaced while it was scanned: the newer upload has its own event", async () => {
      const key = `${home}replaced/file.txt`;
      await put(key, PNG_1PX);
      const replacing = counting(scanner, async () => {
        await put(key, EICAR);
      });
      const outcome = await scan(key, { scanner: replacing });
      assert.equal(outcome.action, "skipped");
      assert.match(outcome.action === "skipped" ? outcome.reason : "", /newer upload replaced the object while it was scanned/);
      assert.deepEqual(await tagsOf(key), {});
      // The newer upload's own event then finds it infected.
      assert.equal((await scan(key)).action, "quarantined");
    });

    it("takes back a clean tag that landed on a newer upload, and that upload's own event then scans it", async () => {
      const key = `${home}replaced/while-tagging.txt`;
      await put(key, PNG_1PX);
      let raced = false;
      // The newer upload arrives between the last ETag check and the tagging: the tag lands on it.
      const racing: ObjectStore = {
        ...store,
        async putTags(p) {
          if (!raced) {
            raced = true;
            await put(key, EICAR);
          }
          return store.putTags(p);
        },
      };
      const outcome = await scan(key, { store: racing });
      assert.equal(outcome.action, "skipped");
      assert.match(outcome.action === "skipped" ? outcome.reason : "", /replaced the object while it was tagged/);
      assert.deepEqual(await tagsOf(key), { "scan-status": "pending" });
      assert.equal((await scan(key)).action, "quarantined");
      assert.equal(await exists(key), false);
    });

    it("throws when the scanner fails (so the event is retried) and leaves the object untagged, unreadable", async () => {
      const key = `${home}failing/scan.png`;
      await put(key, PNG_1PX);
      const failing: Scanner = { scan: () => Promise.reject(new ScanError("clamscan failed with exit code 2")) };
      await assert.rejects(scan(key, { scanner: failing }), ScanError);
      assert.deepEqual(await tagsOf(key), {});
      assert.equal(await exists(key), true);
    });

    it("leaves an object over the size limit pending and logs an error, without throwing", async () => {
      const key = `${home}big/video.png`;
      await put(key, PNG_1PX);
      const log = recordingLogger();
      const outcome = await scan(key, { maxBytes: 10, log });
      assert.equal(outcome.action, "leftPending");
      assert.deepEqual(await tagsOf(key), {});
      assert.deepEqual(log.lines.map((l) => [l.level, l.message]), [["ERROR", "object left unscanned and unreadable"]]);
    });

    it("createScanHandler: rethrows a failure for EventBridge to retry, logging only the error's name", async () => {
      const log = recordingLogger();
      const handler = createScanHandler(
        { SCAN_BUCKETS: JSON.stringify([bucket]), SCANNER: "clamav" },
        { store, log, scanner: { scan: () => Promise.reject(new ScanError("secret detail")) } },
      );
      const key = `${home}handler/x.png`;
      await put(key, PNG_1PX);
      await assert.rejects(handler(objectCreated(bucket, key)), ScanError);
      assert.deepEqual(log.lines.at(-1), { level: "ERROR", message: "scan failed; the invocation is retried", fields: { error: "ScanError" } });
      assert.equal((await handler(objectCreated("someone-elses-bucket", key))).action, "ignored");
    });

    it("createScanHandler: scans with clamscan from CLAMSCAN_PATH and CLAMAV_DB", async () => {
      const handler = createScanHandler({ SCAN_BUCKETS: JSON.stringify([bucket]), SCANNER: "clamav", CLAMSCAN_PATH: "clamscan", CLAMAV_DB: db.database }, { store, log: recordingLogger() });
      const key = `${home}handler/eicar.txt`;
      await put(key, EICAR);
      assert.equal((await handler(objectCreated(bucket, key))).action, "quarantined");
      assert.equal(await exists(key), false);
    });
  });
});
