import * as assert from "node:assert/strict";
import { loadScanConfig } from "../../../functions/scan/config";
import { createScanHandler } from "../../../functions/scan/app";
import { handleGuardDutyScanResult, parseScanResult } from "../../../functions/scan/guardduty";
import { type ObjectStore } from "../../../functions/shared/store";
import { scanResultEvent } from "../../../sandbox/local-guardduty";
import { recordingLogger } from "../fixtures";

const BUCKET = "mobile-s3-prod-storage-abc1234";
const KEY = "tenants/acme/home/5f2d1c3e/photos/cat.jpg";
const config = loadScanConfig({ SCAN_BUCKETS: JSON.stringify([BUCKET]), SCANNER: "guardduty" });

interface Stored {
  etag: string;
  tags: Record<string, string>;
}

/** Objects by key, as the current versions the ObjectStore port addresses; the calls it was asked for. */
function memoryStore(objects: Record<string, Stored>) {
  const calls: string[] = [];
  const store = {
    head: async ({ key }: { key: string }) => {
      calls.push(`head ${key}`);
      const o = objects[key];
      return o === undefined ? undefined : { key, size: 1, etag: `"${o.etag}"`, lastModified: "2026-12-02T10:00:00.000Z" };
    },
    getTags: async ({ key }: { key: string }) => {
      calls.push(`getTags ${key}`);
      return { ...objects[key].tags };
    },
    putTags: async ({ key, tags }: { key: string; tags: Record<string, string> }) => {
      calls.push(`putTags ${key} ${JSON.stringify(tags)}`);
      objects[key].tags = { ...tags };
    },
    copy: async ({ fromKey, toKey }: { fromKey: string; toKey: string }) => {
      calls.push(`copy ${fromKey} -> ${toKey}`);
      objects[toKey] = { ...objects[fromKey], tags: { ...objects[fromKey].tags } };
    },
    delete: async ({ key }: { key: string }) => {
      calls.push(`delete ${key}`);
      delete objects[key];
    },
  };
  return { store: store as unknown as ObjectStore, calls, objects };
}

const event = (result: string, change: Partial<Parameters<typeof scanResultEvent>[0]> = {}) =>
  scanResultEvent({ bucket: BUCKET, key: KEY, etag: "e1", result, region: "eu-west-1", accountId: "123456789012", ...(result === "THREATS_FOUND" ? { threat: "EICAR-Test-File" } : {}), ...change });

/**
 * With GuardDuty the scan function only acts on GuardDuty's scan results ("Monitoring S3 object
 * scans with Amazon EventBridge"): an infected version is moved to quarantine/, tagged
 * THREATS_FOUND; everything else is left as GuardDuty tagged it.
 */
describe("functions/scan/guardduty (scan results → quarantine)", () => {
  it("reads the bucket, key, ETag, verdict and threat of a scan-result event", () => {
    assert.deepEqual(parseScanResult(event("THREATS_FOUND", { versionId: "v1" })), {
      object: { bucket: BUCKET, key: KEY, versionId: "v1" },
      result: "THREATS_FOUND",
      etag: "e1",
      threat: "EICAR-Test-File",
    });
  });

  const ignored: [string, unknown, RegExp][] = [
    ["an S3 Object Created event", { source: "aws.s3", "detail-type": "Object Created", detail: {} }, /not a GuardDuty/],
    ["a result without a key", { ...event("THREATS_FOUND"), detail: { s3ObjectDetails: { bucketName: BUCKET }, scanResultDetails: { scanResultStatus: "THREATS_FOUND" } } }, /no bucket, key/],
    ["another account's bucket", event("THREATS_FOUND", { bucket: "someone-elses-bucket" }), /not one this deployment scans/],
    ["an object outside tenants/", event("THREATS_FOUND", { key: "quarantine/x" }), /outside tenants\//],
    ["a clean result (the tag already makes it readable)", event("NO_THREATS_FOUND"), /needs no action/],
    ["an unscannable result (the tag keeps it unreadable)", event("UNSUPPORTED"), /needs no action/],
  ];
  for (const [label, e, reason] of ignored) {
    it(`ignores ${label} without touching storage`, async () => {
      const { store, calls } = memoryStore({ [KEY]: { etag: "e1", tags: {} } });
      const outcome = await handleGuardDutyScanResult(e, config, { store, log: recordingLogger() });
      assert.equal(outcome.action, "ignored");
      assert.match(outcome.action === "ignored" ? outcome.reason : "", reason);
      assert.deepEqual(calls, []);
    });
  }

  it("quarantines the infected version: tagged THREATS_FOUND with the threat, copied to quarantine/, removed from the home", async () => {
    const { store, objects } = memoryStore({ [KEY]: { etag: "e1", tags: { GuardDutyMalwareScanStatus: "THREATS_FOUND" } } });
    const outcome = await handleGuardDutyScanResult(event("THREATS_FOUND"), config, { store, log: recordingLogger() });
    assert.equal(outcome.action, "quarantined");
    assert.equal(objects[KEY], undefined);
    assert.deepEqual(objects[`quarantine/${KEY}`].tags, { GuardDutyMalwareScanStatus: "THREATS_FOUND", "scan-signature": "EICAR-Test-File" });
  });

  it("tags the object infected first when GuardDuty's own tag is missing (it cannot tag an object already carrying 10 tags)", async () => {
    const { store, calls } = memoryStore({ [KEY]: { etag: "e1", tags: { owner: "alice" } } });
    await handleGuardDutyScanResult(event("THREATS_FOUND"), config, { store, log: recordingLogger() });
    assert.match(calls[2], /^putTags tenants\/\S+ .*"GuardDutyMalwareScanStatus":"THREATS_FOUND"/);
    assert.match(calls[3], /^copy /);
  });

  it("leaves a newer upload alone: the infected version is already noncurrent, tagged and unreadable", async () => {
    const { store, calls, objects } = memoryStore({ [KEY]: { etag: "e2", tags: {} } });
    const outcome = await handleGuardDutyScanResult(event("THREATS_FOUND"), config, { store, log: recordingLogger() });
    assert.equal(outcome.action, "skipped");
    assert.deepEqual(calls, [`head ${KEY}`]);
    assert.ok(objects[KEY]);
  });

  it("is harmless when delivered again after the move", async () => {
    const { store } = memoryStore({});
    const outcome = await handleGuardDutyScanResult(event("THREATS_FOUND"), config, { store, log: recordingLogger() });
    assert.equal(outcome.action, "skipped");
  });

  it("the Lambda handler with SCANNER=guardduty needs no ClamAV and dispatches scan results", async () => {
    const { store, objects } = memoryStore({ [KEY]: { etag: "e1", tags: { GuardDutyMalwareScanStatus: "THREATS_FOUND" } } });
    const handler = createScanHandler(
      { SCAN_BUCKETS: JSON.stringify([BUCKET]), SCANNER: "guardduty", CLAMSCAN_PATH: "/nonexistent/clamscan" },
      { store, log: recordingLogger() },
    );
    assert.equal((await handler(event("THREATS_FOUND"))).action, "quarantined");
    assert.ok(objects[`quarantine/${KEY}`]);
    // An S3 Object Created event means nothing to it: GuardDuty, not this function, scans uploads.
    assert.equal((await handler({ source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: BUCKET }, object: { key: KEY } } })).action, "ignored");
  });
});
