import * as assert from "node:assert/strict";
import { createServer, request as httpRequest } from "node:http";
import { type AddressInfo } from "node:net";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  type CopyObjectCommandInput,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { parseTaggingXml } from "../../../sandbox/iam-gateway/s3-request";
import { PendingUploadTags, taggingXml, uploadIdOfXml } from "../../../sandbox/iam-gateway/tagging";
import { type S3ObjectEvent } from "../../../sandbox/s3-events";
import { useS3Engine } from "../../harness/s3-engine";
import { type GatewayWorld, homeOf, startWorld, statusOf } from "./fixture";

/** What the test role may do under tenants/: write, read whatever the tags, tag, copy, upload in parts. */
const TAGGING_ROLE_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: [
        "s3:PutObject",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:GetObjectTagging",
        "s3:GetObjectVersionTagging",
        "s3:PutObjectTagging",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
      ],
      Resource: ["arn:aws:s3:::iamgw-pool-*/tenants/*"],
    },
  ],
};

const CLAMAV_CLEAN = "scan-status=clean&scan-etag=0123456789abcdef0123456789abcdef";
const GUARDDUTY_CLEAN = "GuardDutyMalwareScanStatus=NO_THREATS_FOUND";

/** A loopback proxy in front of the engine that notes on `timeline` each request the gateway sends it, once answered. */
async function recordingProxy(target: string, timeline: string[]): Promise<{ endpoint: string; close(): Promise<void> }> {
  const origin = new URL(target);
  const server = createServer((req, res) => {
    // The Host header goes on unchanged: the gateway signed it for the proxy, and the engine checks it.
    const upstream = httpRequest({ host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.on("end", () => timeline.push(`${req.method} ${req.url} ${answer.statusCode}`));
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * S3 gives a copy under the REPLACE tagging directive exactly the request's x-amz-tagging
 * ("CopyObject"), and a multipart upload's object the tags CreateMultipartUpload named
 * ("CreateMultipartUpload"); Ceph RGW 16 copies the source's tags and stores none of the upload's.
 * The bare engine shows the gap first, then each case runs through the gateway, which applies the
 * tags before it answers and before the object's "Object Created" event.
 */
describe("sandbox/iam-gateway: the tags of copies and multipart uploads, as S3 sets them", function () {
  this.timeout(90_000);
  let world: GatewayWorld;
  let s3: S3Client;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  /** The gateway's requests to the engine once answered, its events, and the caller's answers, in the order they happened. */
  const timeline: string[] = [];
  const home = homeOf("acme", "u1");

  before(async () => {
    const engine = await useS3Engine();
    proxy = await recordingProxy(engine.endpoint, timeline);
    const onS3Event = (e: S3ObjectEvent) => timeline.push(`event ${e["detail-type"]} ${e.detail.object.key}`);
    world = await startWorld({ versioned: true, engineEndpoint: proxy.endpoint, onS3Event });
    s3 = world.client(world.registry.registerRole("iamgw-tagging", TAGGING_ROLE_POLICY));
  });
  after(async () => {
    await world?.close();
    await proxy?.close();
  });

  /** The tags of a key (that version, if named), read with the engine owner's keys. */
  async function tagsOf(key: string, versionId?: string): Promise<Record<string, string>> {
    const out = await world.admin.send(new GetObjectTaggingCommand({ Bucket: world.pooled, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
    return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key!, t.Value!]));
  }
  const currentVersion = async (key: string) => (await world.admin.send(new HeadObjectCommand({ Bucket: world.pooled, Key: key }))).VersionId;

  /** A multipart upload of one part, created with `tagging` (if any) and completed, by `client`. */
  async function uploadInParts(client: S3Client, key: string, tagging?: string): Promise<string | undefined> {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: world.pooled, Key: key, ...(tagging === undefined ? {} : { Tagging: tagging }) }));
    const { ETag } = await client.send(new UploadPartCommand({ Bucket: world.pooled, Key: key, UploadId, PartNumber: 1, Body: "in parts" }));
    const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: world.pooled, Key: key, UploadId, MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] } }));
    return done.VersionId;
  }

  it("bare Ceph 16 copies the source's tags under REPLACE and stores none of CreateMultipartUpload's (the gap the gateway closes)", async () => {
    await world.admin.send(new PutObjectCommand({ Bucket: world.pooled, Key: `${home}bare-source.txt`, Body: "scanned", Tagging: CLAMAV_CLEAN }));
    await world.admin.send(new CopyObjectCommand({ Bucket: world.pooled, Key: `${home}bare-copy.txt`, CopySource: `${world.pooled}/${home}bare-source.txt`, TaggingDirective: "REPLACE", Tagging: "owner=me" }));
    assert.deepEqual(await tagsOf(`${home}bare-copy.txt`), await tagsOf(`${home}bare-source.txt`), "Ceph copied the verdict: if this fails, Ceph now does what S3 does");
    await uploadInParts(world.admin, `${home}bare-parts.bin`, "owner=me");
    assert.deepEqual(await tagsOf(`${home}bare-parts.bin`), {}, "Ceph stored no tags: if this fails, Ceph now does what S3 does");
  });

  // [case, the source's tags, the copy request's tagging, the tags the copy must then have]
  const copies: [string, string, Pick<CopyObjectCommandInput, "TaggingDirective" | "Tagging">, Record<string, string>][] = [
    ["REPLACE: a ClamAV verdict gives way to the owner tag", `${CLAMAV_CLEAN}&owner=someone`, { TaggingDirective: "REPLACE", Tagging: "owner=me" }, { owner: "me" }],
    ["REPLACE: a GuardDuty verdict gives way to the owner tag", GUARDDUTY_CLEAN, { TaggingDirective: "REPLACE", Tagging: "owner=me" }, { owner: "me" }],
    ["REPLACE with several tags", CLAMAV_CLEAN, { TaggingDirective: "REPLACE", Tagging: "owner=me&album=Summer" }, { owner: "me", album: "Summer" }],
    ["REPLACE without x-amz-tagging: no tags at all", CLAMAV_CLEAN, { TaggingDirective: "REPLACE" }, {}],
    ["COPY (the default): the source's tags, as Ceph does too", "album=Summer", {}, { album: "Summer" }],
  ];
  for (const [name, sourceTags, request, expected] of copies) {
    it(`CopyObject, ${name}`, async () => {
      const source = `${home}source-${copies.findIndex((c) => c[0] === name)}.txt`;
      const target = `${source}.copy`;
      await world.admin.send(new PutObjectCommand({ Bucket: world.pooled, Key: source, Body: "scanned", Tagging: sourceTags }));
      const before = await tagsOf(source);
      await s3.send(new CopyObjectCommand({ Bucket: world.pooled, Key: target, CopySource: `${world.pooled}/${source}`, ...request }));
      assert.deepEqual(await tagsOf(target), expected);
      assert.deepEqual(await tagsOf(source), before, "the source keeps its own");
    });
  }

  it("CopyObject, REPLACE over an existing key: the new version gets the tags, the one below keeps its own", async () => {
    const source = `${home}over-source.txt`;
    const target = `${home}over-target.txt`;
    await world.admin.send(new PutObjectCommand({ Bucket: world.pooled, Key: source, Body: "scanned", Tagging: CLAMAV_CLEAN }));
    const { VersionId: older } = await world.admin.send(new PutObjectCommand({ Bucket: world.pooled, Key: target, Body: "older", Tagging: "kept=yes" }));
    const { VersionId: newer } = await s3.send(new CopyObjectCommand({ Bucket: world.pooled, Key: target, CopySource: `${world.pooled}/${source}`, TaggingDirective: "REPLACE", Tagging: "owner=me" }));
    assert.equal(newer, await currentVersion(target), "the answer names the copy's version (Ceph's leaves it out)");
    assert.notEqual(newer, older);
    assert.deepEqual(await tagsOf(target, newer), { owner: "me" });
    assert.deepEqual(await tagsOf(target, older), { kept: "yes" });
  });

  it("refuses a REPLACE copy with more tags than S3 allows (400 InvalidTag), and leaves no copy with its source's tags", async () => {
    const source = `${home}too-many-source.txt`;
    const target = `${home}too-many.txt`;
    await world.admin.send(new PutObjectCommand({ Bucket: world.pooled, Key: source, Body: "scanned", Tagging: CLAMAV_CLEAN }));
    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}=v`).join("&");
    const copy = s3.send(new CopyObjectCommand({ Bucket: world.pooled, Key: target, CopySource: `${world.pooled}/${source}`, TaggingDirective: "REPLACE", Tagging: eleven }));
    await assert.rejects(copy, (err: Error & { $metadata?: { httpStatusCode?: number } }) => err.name === "InvalidTag" && err.$metadata?.httpStatusCode === 400);
    assert.equal(await statusOf(world.admin.send(new HeadObjectCommand({ Bucket: world.pooled, Key: target }))), 404);
  });

  it("refuses an unknown tagging directive (400 InvalidArgument), as S3 does", async () => {
    await world.admin.send(new PutObjectCommand({ Bucket: world.pooled, Key: `${home}directive.txt`, Body: "x" }));
    const copy = new CopyObjectCommand({ Bucket: world.pooled, Key: `${home}directive.copy`, CopySource: `${world.pooled}/${home}directive.txt`, TaggingDirective: "MERGE" as "COPY" });
    assert.equal(await statusOf(s3.send(copy)), 400);
  });

  // [case, CreateMultipartUpload's tagging, the tags the completed object must have]
  const uploads: [string, string | undefined, Record<string, string>][] = [
    ["one tag", "owner=me", { owner: "me" }],
    ["several tags", "owner=me&album=Summer", { owner: "me", album: "Summer" }],
    ["no x-amz-tagging: no tags", undefined, {}],
  ];
  for (const [name, tagging, expected] of uploads) {
    it(`a multipart upload created with ${name} completes with exactly those, on the completed version`, async () => {
      const key = `${home}parts-${uploads.findIndex((u) => u[0] === name)}.bin`;
      const versionId = await uploadInParts(s3, key, tagging);
      assert.ok(versionId, "the bucket is versioned");
      assert.deepEqual(await tagsOf(key, versionId), expected);
    });
  }

  it("an aborted upload's tags are never applied: a later upload of the key completes with its own", async () => {
    const key = `${home}aborted.bin`;
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: world.pooled, Key: key, Tagging: "owner=aborted" }));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: world.pooled, Key: key, UploadId }));
    await uploadInParts(s3, key);
    assert.deepEqual(await tagsOf(key), {});
  });

  /** Where in the timeline `entry` first matches, after `from`. */
  const indexOf = (match: (entry: string) => boolean, from = 0) => timeline.findIndex((entry, i) => i >= from && match(entry));

  it("tags a copy, and a completed upload, before it answers and before their Object Created event", async () => {
    const source = `${home}ordered-source.txt`;
    await world.admin.send(new PutObjectCommand({ Bucket: world.pooled, Key: source, Body: "scanned", Tagging: CLAMAV_CLEAN }));
    const cases: [string, () => Promise<unknown>][] = [
      [`${home}ordered-copy.txt`, () => s3.send(new CopyObjectCommand({ Bucket: world.pooled, Key: `${home}ordered-copy.txt`, CopySource: `${world.pooled}/${source}`, TaggingDirective: "REPLACE", Tagging: "owner=me" }))],
      [`${home}ordered-parts.bin`, () => uploadInParts(s3, `${home}ordered-parts.bin`, "owner=me")],
    ];
    for (const [key, write] of cases) {
      await world.gateway.settled();
      const start = timeline.length;
      await write();
      timeline.push(`answered ${key}`);
      await world.gateway.settled();
      const tagged = indexOf((e) => e.startsWith(`PUT /${world.pooled}/${key}?tagging`), start);
      assert.ok(tagged >= 0, `the gateway tagged ${key}: ${timeline.slice(start).join("\n")}`);
      assert.match(timeline[tagged], / 200$/);
      assert.ok(tagged < indexOf((e) => e === `answered ${key}`, start), "tagged before the answer");
      assert.ok(tagged < indexOf((e) => e === `event Object Created ${key}`, start), "tagged before the event");
      assert.deepEqual(await tagsOf(key), { owner: "me" });
    }
  });
});

describe("sandbox/iam-gateway/tagging: the tagging body and the open uploads' tags", () => {
  it("writes a PutObjectTagging body the gateway's own parser reads back exactly", () => {
    const cases: Record<string, string>[] = [{}, { owner: "me" }, { "a&b": "<c>", quote: `"it's"`, empty: "", unicode: "été ✓" }];
    for (const tags of cases) {
      assert.deepEqual(parseTaggingXml(taggingXml(tags)), tags, JSON.stringify(tags));
    }
  });

  it("reads the UploadId of an InitiateMultipartUploadResult", () => {
    assert.equal(uploadIdOfXml("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>2~abc</UploadId></InitiateMultipartUploadResult>"), "2~abc");
    assert.equal(uploadIdOfXml("<Error><Code>InternalError</Code></Error>"), undefined);
  });

  it("remembers an upload's tags for its own bucket and key only, until forgotten", () => {
    const pending = new PendingUploadTags();
    pending.remember("u1", { bucket: "b", key: "k", tags: { owner: "me" } });
    assert.deepEqual(pending.of("u1", "b", "k"), { owner: "me" });
    assert.equal(pending.of("u1", "b", "other"), undefined);
    assert.equal(pending.of("u1", "other", "k"), undefined);
    assert.equal(pending.of("u2", "b", "k"), undefined);
    pending.forget("u1");
    assert.equal(pending.of("u1", "b", "k"), undefined);
  });

  it("holds at most `limit` uploads: the oldest is forgotten first, and reported", () => {
    const forgotten: string[] = [];
    const pending = new PendingUploadTags(2, (id) => forgotten.push(id));
    for (const id of ["u1", "u2", "u3"]) {
      pending.remember(id, { bucket: "b", key: id, tags: { owner: id } });
    }
    assert.deepEqual(forgotten, ["u1"]);
    assert.equal(pending.size, 2);
    assert.equal(pending.of("u1", "b", "u1"), undefined);
    assert.deepEqual(pending.of("u3", "b", "u3"), { owner: "u3" });
  });

  it("refuses a limit that is not a whole number of uploads, naming it", () => {
    for (const limit of [0, -1, 1.5]) {
      assert.throws(() => new PendingUploadTags(limit), /^Error: \[limit\] must be/);
    }
  });
});
