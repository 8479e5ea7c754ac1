import * as assert from "node:assert/strict";
import { etagOfXml, isErrorXml, s3ObjectEvent, type S3ObjectEventInput, Sequencer } from "../../sandbox/s3-events";

const base: Omit<S3ObjectEventInput, "kind"> = {
  bucket: "pool",
  key: "tenants/acme/home/u1/a b.txt",
  account: "123456789012",
  region: "us-east-1",
  requester: "123456789012",
  sourceIp: "127.0.0.1",
  requestId: "REQ1",
  size: 5,
  etag: '"b1946ac92492d2347c6235b4d2611184"',
  versionId: "v1",
  sequencer: "0000000000000001",
  reason: "PutObject",
  deletionType: "Permanently Deleted",
  time: new Date("2021-11-12T00:00:00.123Z"),
};

describe("sandbox/s3-events: S3's EventBridge events (EventBridge event message structure)", () => {
  it("Object Created carries size, unquoted ETag, version, sequencer and reason, the key as stored (not URL-encoded)", () => {
    const event = s3ObjectEvent({ ...base, kind: "created" });
    assert.match(event.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual({ ...event, id: undefined }, {
      version: "0",
      id: undefined,
      "detail-type": "Object Created",
      source: "aws.s3",
      account: "123456789012",
      time: "2021-11-12T00:00:00Z",
      region: "us-east-1",
      resources: ["arn:aws:s3:::pool"],
      detail: {
        version: "0",
        bucket: { name: "pool" },
        object: { key: "tenants/acme/home/u1/a b.txt", size: 5, etag: "b1946ac92492d2347c6235b4d2611184", "version-id": "v1", sequencer: "0000000000000001" },
        "request-id": "REQ1",
        requester: "123456789012",
        "source-ip-address": "127.0.0.1",
        reason: "PutObject",
      },
    });
  });

  const cases: [S3ObjectEventInput["kind"], string, string[], Record<string, unknown>][] = [
    ["deleted", "Object Deleted", ["key", "etag", "version-id", "sequencer"], { reason: "PutObject", "deletion-type": "Permanently Deleted" }],
    ["tagsAdded", "Object Tags Added", ["key", "etag", "version-id"], {}],
    ["tagsDeleted", "Object Tags Deleted", ["key", "etag", "version-id"], {}],
  ];
  for (const [kind, detailType, objectFields, extra] of cases) {
    it(`${detailType} carries ${objectFields.join(", ")} and only what S3 sends with it`, () => {
      const event = s3ObjectEvent({ ...base, kind });
      assert.equal(event["detail-type"], detailType);
      assert.deepEqual(Object.keys(event.detail.object), objectFields);
      const { version, bucket, object, "request-id": requestId, requester, "source-ip-address": ip, ...rest } = event.detail;
      assert.ok(version && bucket && object && requestId && requester && ip);
      assert.deepEqual(rest, extra);
    });
  }

  it("leaves out what is not known: an unversioned object has no version-id", () => {
    const { versionId: _v, size: _s, ...unknown } = base;
    assert.deepEqual(s3ObjectEvent({ ...unknown, kind: "created" }).detail.object, { key: base.key, etag: "b1946ac92492d2347c6235b4d2611184", sequencer: "0000000000000001" });
  });

  describe("Sequencer", () => {
    it("counts up per bucket, as fixed-width hex, even when the clock stands still or goes back", () => {
      let now = 1_700_000_000_000;
      const seq = new Sequencer(() => now);
      const a = [seq.next("pool"), seq.next("pool")];
      now -= 5_000;
      a.push(seq.next("pool"));
      now += 60_000;
      a.push(seq.next("pool"));
      assert.ok(a.every((s) => /^[0-9a-f]{16}$/.test(s)), a.join());
      assert.deepEqual([...a].sort(), a);
      assert.equal(new Set(a).size, a.length);
      assert.equal(seq.next("other"), (BigInt(now) << 16n).toString(16).padStart(16, "0"), "another bucket counts on its own");
    });
  });

  it("reads the ETag of CopyObjectResult and CompleteMultipartUploadResult, and tells an error answer", () => {
    assert.equal(etagOfXml('<CopyObjectResult><LastModified>x</LastModified><ETag>"abc"</ETag></CopyObjectResult>'), "abc");
    assert.equal(etagOfXml("<CompleteMultipartUploadResult><ETag>&quot;def-2&quot;</ETag></CompleteMultipartUploadResult>"), "def-2");
    assert.equal(etagOfXml("<CompleteMultipartUploadResult></CompleteMultipartUploadResult>"), undefined);
    assert.equal(isErrorXml('<?xml version="1.0"?>\n<Error><Code>InternalError</Code></Error>'), true);
    assert.equal(isErrorXml("<CopyObjectResult><ETag>x</ETag></CopyObjectResult>"), false);
  });
});
