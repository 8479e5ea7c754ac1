import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { type S3ObjectEvent } from "../../../sandbox/s3-events";
import { ACCOUNT, type GatewayWorld, homeOf, startWorld, statusOf } from "./fixture";

const md5 = (s: string | Buffer) => createHash("md5").update(s).digest("hex");
const SEQUENCER = /^[0-9a-f]{16}$/;

/** What the test role may do: every object change the gateway turns into an event, under tenants/ and quarantine/. */
const EVENTS_ROLE_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: [
        "s3:PutObject",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:GetObjectTagging",
        "s3:PutObjectTagging",
        "s3:DeleteObjectTagging",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
      ],
      Resource: ["tenants/*", "quarantine/*"].flatMap((p) => [`arn:aws:s3:::iamgw-pool-*/${p}`, `arn:aws:s3:::iamgw-t-*/${p}`]),
    },
  ],
};

/**
 * The gateway emits, for each object change the engine carried out, the event S3 sends EventBridge
 * ("EventBridge event message structure", Amazon S3 User Guide), and nothing for what it refused or
 * the engine failed: each case makes one request through the gateway to the real engine and checks
 * the events it caused, all of them.
 */
describe("sandbox/iam-gateway: S3's EventBridge events", function () {
  this.timeout(90_000);
  let world: GatewayWorld;
  let s3: S3Client;
  const events: S3ObjectEvent[] = [];
  const home = homeOf("acme", "u1");

  before(async () => {
    world = await startWorld({ onS3Event: (e) => events.push(e), eventBuckets: ({ pooled }) => [pooled], versioned: true });
    s3 = world.client(world.registry.registerRole("iamgw-events", EVENTS_ROLE_POLICY));
  });
  after(() => world?.close());

  /** The events `request` caused, once the gateway has handed them all over. */
  async function eventsOf(request: () => Promise<unknown>): Promise<S3ObjectEvent[]> {
    await world.gateway.settled();
    const before = events.length;
    await request();
    await world.gateway.settled();
    return events.slice(before);
  }

  /** The envelope every event carries, and its detail without what differs per request. */
  function checkEnvelope(event: S3ObjectEvent, bucket = world.pooled): Omit<S3ObjectEvent["detail"], "request-id"> {
    assert.equal(event.version, "0");
    assert.equal(event.source, "aws.s3");
    assert.equal(event.account, ACCOUNT);
    assert.equal(event.region, world.engine.region);
    assert.deepEqual(event.resources, [`arn:aws:s3:::${bucket}`]);
    assert.match(event.id, /^[0-9a-f-]{36}$/);
    assert.match(event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const { "request-id": requestId, ...detail } = event.detail;
    assert.ok(requestId.length > 0, "a request id");
    return detail;
  }

  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: world.pooled, Key: key, Body: body }));
  /** The current version as the engine holds it (Ceph leaves some of it out of its answers: the gateway reads it back too). */
  const stored = async (key: string) => {
    const head = await world.admin.send(new HeadObjectCommand({ Bucket: world.pooled, Key: key }));
    return { etag: head.ETag!.replace(/"/g, ""), versionId: head.VersionId!, size: head.ContentLength! };
  };

  it("PutObject → one Object Created (reason PutObject) with size, ETag, version and sequencer", async () => {
    let versionId: string | undefined;
    const [event, ...more] = await eventsOf(async () => ({ VersionId: versionId } = await put(`${home}put.txt`, "hello")));
    assert.deepEqual(more, []);
    assert.equal(event["detail-type"], "Object Created");
    const detail = checkEnvelope(event);
    assert.match(detail.object.sequencer ?? "", SEQUENCER);
    assert.ok(versionId, "the bucket is versioned");
    assert.deepEqual(detail, {
      version: "0",
      bucket: { name: world.pooled },
      object: { key: `${home}put.txt`, size: 5, etag: md5("hello"), "version-id": versionId, sequencer: detail.object.sequencer },
      requester: ACCOUNT,
      "source-ip-address": "127.0.0.1",
      reason: "PutObject",
    });
  });

  it("a multipart upload → nothing until completed, then one Object Created (reason CompleteMultipartUpload) of the whole size", async () => {
    const key = `${home}multipart.bin`;
    const parts = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.from("tail")];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: world.pooled, Key: key }));
    const uploaded = await eventsOf(async () => {
      for (const [i, Body] of parts.entries()) {
        await s3.send(new UploadPartCommand({ Bucket: world.pooled, Key: key, UploadId, PartNumber: i + 1, Body }));
      }
    });
    assert.deepEqual(uploaded, [], "UploadPart emits nothing");
    const etags = parts.map(md5);
    const [event, ...more] = await eventsOf(() =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket: world.pooled, Key: key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } })),
    );
    assert.deepEqual(more, []);
    assert.equal(event["detail-type"], "Object Created");
    const { object, reason } = checkEnvelope(event);
    assert.equal(reason, "CompleteMultipartUpload");
    const { etag, versionId, size } = await stored(key);
    assert.equal(size, parts[0].length + parts[1].length);
    assert.deepEqual({ ...object, sequencer: undefined }, { key, size, etag, "version-id": versionId, sequencer: undefined });
    assert.match(object.etag!, /-2$/, "a multipart ETag");
  });

  it("CopyObject → one Object Created (reason CopyObject), also for a key outside tenants/ (the rule filters, not S3)", async () => {
    await put(`${home}source.txt`, "copy me");
    for (const target of [`${home}copy.txt`, "quarantine/copy.txt"]) {
      const [event, ...more] = await eventsOf(() => s3.send(new CopyObjectCommand({ Bucket: world.pooled, Key: target, CopySource: `${world.pooled}/${home}source.txt` })));
      assert.deepEqual(more, []);
      const { object, reason } = checkEnvelope(event);
      assert.equal(reason, "CopyObject");
      const { versionId } = await stored(target);
      assert.deepEqual({ ...object, sequencer: undefined }, { key: target, size: 7, etag: md5("copy me"), "version-id": versionId, sequencer: undefined });
    }
  });

  it("DeleteObject in a versioned bucket → Object Deleted, Delete Marker Created; naming the version → Permanently Deleted", async () => {
    const key = `${home}deleted.txt`;
    const { VersionId: stored } = await put(key, "soon gone");
    let marker: { VersionId?: string; DeleteMarker?: boolean } = {};
    const [markerEvent, ...more] = await eventsOf(async () => (marker = await s3.send(new DeleteObjectCommand({ Bucket: world.pooled, Key: key }))));
    assert.deepEqual(more, []);
    assert.equal(marker.DeleteMarker, true);
    assert.equal(markerEvent["detail-type"], "Object Deleted");
    const detail = checkEnvelope(markerEvent);
    assert.deepEqual({ ...detail, object: { ...detail.object, sequencer: undefined } }, {
      version: "0",
      bucket: { name: world.pooled },
      object: { key, etag: "d41d8cd98f00b204e9800998ecf8427e", "version-id": marker.VersionId, sequencer: undefined },
      requester: ACCOUNT,
      "source-ip-address": "127.0.0.1",
      reason: "DeleteObject",
      "deletion-type": "Delete Marker Created",
    });

    const [permanent] = await eventsOf(() => s3.send(new DeleteObjectCommand({ Bucket: world.pooled, Key: key, VersionId: stored })));
    const gone = checkEnvelope(permanent);
    assert.equal(gone["deletion-type"], "Permanently Deleted");
    assert.deepEqual({ ...gone.object, sequencer: undefined }, { key, "version-id": stored, sequencer: undefined });
  });

  it("PutObjectTagging → Object Tags Added; DeleteObjectTagging → Object Tags Deleted: the tagged version and its ETag, no size, sequencer or reason", async () => {
    const key = `${home}tagged.txt`;
    const { VersionId } = await put(key, "tag me");
    const [added, ...more] = await eventsOf(() => s3.send(new PutObjectTaggingCommand({ Bucket: world.pooled, Key: key, Tagging: { TagSet: [{ Key: "scan-status", Value: "clean" }] } })));
    assert.deepEqual(more, []);
    assert.equal(added["detail-type"], "Object Tags Added");
    assert.deepEqual(checkEnvelope(added), {
      version: "0",
      bucket: { name: world.pooled },
      object: { key, etag: md5("tag me"), "version-id": VersionId },
      requester: ACCOUNT,
      "source-ip-address": "127.0.0.1",
    });
    const [deleted] = await eventsOf(() => s3.send(new DeleteObjectTaggingCommand({ Bucket: world.pooled, Key: key })));
    assert.equal(deleted["detail-type"], "Object Tags Deleted");
    assert.deepEqual(checkEnvelope(deleted).object, { key, etag: md5("tag me"), "version-id": VersionId });
  });

  it("numbers a bucket's events in order: each sequencer greater than the one before", async () => {
    const key = `${home}sequenced.txt`;
    const caused = await eventsOf(async () => {
      await put(key, "one");
      await put(key, "two");
      await s3.send(new DeleteObjectCommand({ Bucket: world.pooled, Key: key }));
    });
    const sequencers = caused.map((e) => e.detail.object.sequencer!);
    assert.equal(sequencers.length, 3);
    assert.deepEqual([...sequencers].sort(), sequencers);
    assert.equal(new Set(sequencers).size, 3);
  });

  it("emits nothing for a request it refused, a request the engine failed, or a read", async () => {
    const refused = await eventsOf(async () => assert.equal(await statusOf(s3.send(new PutObjectCommand({ Bucket: world.pooled, Key: "elsewhere/x.txt", Body: "x" }))), 403));
    assert.deepEqual(refused, []);
    // Ceph answers an unknown upload id with 500 where S3 answers 404 NoSuchUpload: either way, nothing was created.
    const failed = await eventsOf(async () => {
      const status = await statusOf(
        s3.send(new CompleteMultipartUploadCommand({ Bucket: world.pooled, Key: `${home}none.bin`, UploadId: "2~not-an-upload", MultipartUpload: { Parts: [{ ETag: md5("x"), PartNumber: 1 }] } })),
      );
      assert.ok(status >= 400, `HTTP ${status}`);
    });
    assert.deepEqual(failed, []);
    await put(`${home}read.txt`, "read");
    const read = await eventsOf(() => s3.send(new GetObjectCommand({ Bucket: world.pooled, Key: `${home}read.txt` })).then((o) => o.Body?.transformToString()));
    assert.deepEqual(read, []);
  });

  it("emits nothing for a bucket that sends no events to EventBridge", async () => {
    const other = await eventsOf(() => s3.send(new PutObjectCommand({ Bucket: world.dedicated, Key: `${homeOf("initech", "u1")}x.txt`, Body: "x" })));
    assert.deepEqual(other, []);
  });

  it("names the bucket behind an access point, for a user's upload through it", async () => {
    const user = world.client(world.userCredentials("globex", "u1"));
    const key = `${homeOf("globex", "u1")}through-ap.txt`;
    const [event, ...more] = await eventsOf(() => user.send(new PutObjectCommand({ Bucket: world.accessPoint.alias, Key: key, Body: "ap" })));
    assert.deepEqual(more, []);
    const { bucket, object } = checkEnvelope(event);
    assert.deepEqual(bucket, { name: world.pooled });
    assert.equal(object.key, key);
    assert.equal(object.size, 2);
  });
});
