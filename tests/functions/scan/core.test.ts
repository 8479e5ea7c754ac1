import * as assert from "node:assert/strict";
import { handleObjectCreated, loadScanConfig, parseObjectCreated } from "../../../functions/scan/core";
import { ConfigurationError } from "../../../functions/shared/environment";
import { recordingLogger } from "../fixtures";

const BUCKET = "mobile-s3-dev-storage-abc1234";
const config = loadScanConfig({ SCAN_BUCKETS: JSON.stringify([BUCKET, "acme-silo-7654321"]) });

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

describe("functions/scan/core", () => {
  it("reads the buckets it scans, and refuses to start without them", () => {
    assert.deepEqual([...config.buckets].sort(), ["acme-silo-7654321", BUCKET]);
    assert.throws(() => loadScanConfig({}), (err: unknown) => err instanceof ConfigurationError && err.variable === "SCAN_BUCKETS");
    assert.throws(() => loadScanConfig({ SCAN_BUCKETS: '["Not_A_Bucket"]' }), /SCAN_BUCKETS holds an invalid entry "Not_A_Bucket"/);
    assert.throws(() => loadScanConfig({ SCAN_BUCKETS: "[]" }), /SCAN_BUCKETS must be a non-empty JSON array/);
  });

  it("parses the bucket, key, size and version of an Object Created event", () => {
    assert.deepEqual(parseObjectCreated(objectCreated(BUCKET, "tenants/acme/home/u1/cat.jpg")), {
      bucket: BUCKET,
      key: "tenants/acme/home/u1/cat.jpg",
      size: 5,
      versionId: "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e",
    });
  });

  it("accepts a new user object, leaves it pending and logs where it is (never the requester or its IP)", () => {
    const log = recordingLogger();
    const outcome = handleObjectCreated(objectCreated(BUCKET, "tenants/acme/home/u1/cat.jpg"), config, log);
    assert.equal(outcome.action, "notScanned");
    assert.equal(outcome.action === "notScanned" && outcome.status, "pending");
    assert.equal(log.lines.length, 1);
    assert.deepEqual(Object.keys(log.lines[0].fields).sort(), ["bucket", "key", "size", "versionId"]);
    assert.ok(!JSON.stringify(log.lines).includes("203.0.113.15"));
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
    it(`ignores ${label} without failing (EventBridge would retry a failure)`, () => {
      const outcome = handleObjectCreated(event, config, recordingLogger());
      assert.equal(outcome.action, "ignored");
      assert.match(outcome.action === "ignored" ? outcome.reason : "", reason);
    });
  }
});
