import * as assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { CreateBucketCommand, DeleteObjectsCommand, GetObjectTaggingCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { s3Store } from "../../functions/shared/s3-store";
import { type S3ObjectEvent } from "../../sandbox/s3-events";
import { storeWithTagEvents } from "../../sandbox/tag-events";
import { emptyAndDeleteBucket, engineClient, type S3Engine, useS3Engine } from "../harness/s3-engine";

/**
 * Local GuardDuty writes its verdict tag with the engine owner's keys, not through the IAM gateway;
 * S3 sends "Object Tags Added" for that PutObjectTagging as for any other, so the store it is given
 * emits it (sandbox/tag-events.ts).
 */
describe("sandbox/tag-events: the tags local GuardDuty writes send S3's event", function () {
  this.timeout(120_000);
  let engine: S3Engine;
  let admin: S3Client;
  const bucket = `tagevents-${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const quiet = `${bucket}-quiet`;
  const events: S3ObjectEvent[] = [];

  before(async () => {
    engine = await useS3Engine();
    admin = engineClient(engine);
    for (const b of [bucket, quiet]) {
      await admin.send(new CreateBucketCommand({ Bucket: b }));
    }
    await admin.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
  });
  after(async () => {
    const listed = await admin.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const all = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
    if (all.length > 0) {
      await admin.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: all } }));
    }
    for (const b of [bucket, quiet]) {
      await emptyAndDeleteBucket(admin, b);
    }
    admin.destroy();
  });

  const store = () => storeWithTagEvents(s3Store(admin), { owner: admin, account: "123456789012", region: engine.region, buckets: [bucket], onS3Event: (e) => events.push(e) });

  it("writes the tags and emits Object Tags Added for the tagged version, with its ETag", async () => {
    const key = "tenants/acme/home/u1/scanned.txt";
    const { VersionId } = await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "scanned" }));
    events.length = 0;
    await store().putTags({ bucket, key, tags: { GuardDutyMalwareScanStatus: "NO_THREATS_FOUND" } });
    const tags = await admin.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    assert.deepEqual(tags.TagSet, [{ Key: "GuardDutyMalwareScanStatus", Value: "NO_THREATS_FOUND" }]);
    assert.equal(events.length, 1);
    const [event] = events;
    assert.equal(event["detail-type"], "Object Tags Added");
    assert.equal(event.source, "aws.s3");
    assert.deepEqual(event.resources, [`arn:aws:s3:::${bucket}`]);
    assert.deepEqual(event.detail.object, { key, etag: createHash("md5").update("scanned").digest("hex"), "version-id": VersionId });
    assert.equal(event.detail.requester, "123456789012");
  });

  it("emits nothing for a bucket that sends no events to EventBridge", async () => {
    await admin.send(new PutObjectCommand({ Bucket: quiet, Key: "tenants/acme/home/u1/x.txt", Body: "x" }));
    events.length = 0;
    await store().putTags({ bucket: quiet, key: "tenants/acme/home/u1/x.txt", tags: { GuardDutyMalwareScanStatus: "NO_THREATS_FOUND" } });
    assert.deepEqual(events, []);
  });
});
