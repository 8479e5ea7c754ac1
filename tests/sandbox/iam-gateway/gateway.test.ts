import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { GetObjectCommand, GetObjectTaggingCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { type GatewayWorld, homeOf, startWorld, statusOf } from "./fixture";

/**
 * The gateway refuses what AWS refuses and Ceph 16 accepts. Each attack runs first against the bare
 * engine (with the owner's keys, as the sandbox's functions do today), which accepts it, then
 * through the gateway with a function role's keys, which refuses it.
 */
describe("sandbox/iam-gateway: attacks and function roles", function () {
  this.timeout(60_000);
  let world: GatewayWorld;
  let uploads: S3Client;
  let objects: S3Client;
  const victim = `${homeOf("initech", "u1")}secret.txt`;
  const mine = homeOf("acme", "u1");

  before(async () => {
    world = await startWorld();
    uploads = world.client(world.roles.uploads);
    objects = world.client(world.roles.objects);
    await world.admin.send(new PutObjectCommand({ Bucket: world.dedicated, Key: victim, Body: "initech's secret", Tagging: "scan-status=clean" }));
    await world.admin.send(new PutObjectCommand({ Bucket: world.pooled, Key: `${mine}clean.txt`, Body: "clean", Tagging: "scan-status=clean" }));
    await world.admin.send(new PutObjectCommand({ Bucket: world.pooled, Key: `${mine}pending.txt`, Body: "pending" }));
  });
  after(() => world?.close());

  /** A presigned PUT, as the uploads function signs it, from `signer` (bare engine or gateway). */
  async function presignedPut(signer: S3Client, key: string, bucket = world.pooled): Promise<string> {
    return getSignedUrl(signer, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: "text/plain" }), { expiresIn: 300 });
  }
  const bareAdmin = () => world.admin;
  const tagsOf = async (key: string) => (await world.admin.send(new GetObjectTaggingCommand({ Bucket: world.pooled, Key: key }))).TagSet ?? [];

  it("refuses a presigned PUT used with an unsigned x-amz-copy-source of another tenant's object", async () => {
    const headers = { "content-type": "text/plain", "x-amz-copy-source": `/${world.dedicated}/${victim}` };
    const bare = await fetch(await presignedPut(bareAdmin(), `${mine}stolen-bare.txt`), { method: "PUT", headers });
    assert.equal(bare.status, 200, `Ceph accepts it: ${await bare.text()}`);
    const copied = await world.admin.send(new GetObjectCommand({ Bucket: world.pooled, Key: `${mine}stolen-bare.txt` }));
    assert.equal(await copied.Body!.transformToString(), "initech's secret", "Ceph copied the other tenant's object");

    const res = await fetch(await presignedPut(uploads, `${mine}stolen.txt`), { method: "PUT", headers });
    const body = await res.text();
    assert.equal(res.status, 403, body);
    assert.match(body, /<Code>AccessDenied<\/Code>/);
    assert.match(body, /There were headers present in the request which were not signed/);
    assert.match(body, /<HeadersNotSigned>x-amz-copy-source<\/HeadersNotSigned>/);
  });

  it("refuses a presigned PUT with an unsigned x-amz-tagging: scan-status=clean", async () => {
    const headers = { "content-type": "text/plain", "x-amz-tagging": "scan-status=clean" };
    const bare = await fetch(await presignedPut(bareAdmin(), `${mine}self-clean-bare.txt`), { method: "PUT", headers, body: "EICAR?" });
    assert.equal(bare.status, 200, await bare.text());
    assert.deepEqual(await tagsOf(`${mine}self-clean-bare.txt`), [{ Key: "scan-status", Value: "clean" }], "Ceph stored the forged verdict");

    const res = await fetch(await presignedPut(uploads, `${mine}self-clean.txt`), { method: "PUT", headers, body: "EICAR?" });
    const body = await res.text();
    assert.equal(res.status, 403, body);
    assert.match(body, /<HeadersNotSigned>x-amz-tagging<\/HeadersNotSigned>/);
  });

  it("refuses a presigned PUT with an unsigned x-amz-acl: public-read", async () => {
    const headers = { "content-type": "text/plain", "x-amz-acl": "public-read" };
    const bare = await fetch(await presignedPut(bareAdmin(), `${mine}public-bare.txt`), { method: "PUT", headers, body: "x" });
    assert.equal(bare.status, 200, await bare.text());
    const res = await fetch(await presignedPut(uploads, `${mine}public.txt`), { method: "PUT", headers, body: "x" });
    const body = await res.text();
    assert.equal(res.status, 403, body);
    assert.match(body, /<HeadersNotSigned>x-amz-acl<\/HeadersNotSigned>/);
  });

  it("refuses a signed x-amz-acl other than bucket-owner-full-control (AccessControlListNotSupported)", async () => {
    const status = await statusOf(uploads.send(new PutObjectCommand({ Bucket: world.pooled, Key: `${mine}acl.txt`, Body: "x", ACL: "public-read" })));
    assert.equal(status, 400);
  });

  it("refuses a PUT whose signed x-amz-checksum-sha256 does not match the body (BadDigest)", async () => {
    const wrong = createHash("sha256").update("another body").digest("base64");
    const sign = (signer: S3Client, key: string) =>
      getSignedUrl(signer, new PutObjectCommand({ Bucket: world.pooled, Key: key, ChecksumSHA256: wrong }), { expiresIn: 300, unhoistableHeaders: new Set(["x-amz-checksum-sha256"]) });
    const headers = { "x-amz-checksum-sha256": wrong };
    const bare = await fetch(await sign(bareAdmin(), `${mine}digest-bare.txt`), { method: "PUT", headers, body: "the body" });
    assert.equal(bare.status, 200, `Ceph 16 does not check: ${await bare.text()}`);
    const res = await fetch(await sign(uploads, `${mine}digest.txt`), { method: "PUT", headers, body: "the body" });
    const body = await res.text();
    assert.equal(res.status, 400, body);
    assert.match(body, /<Code>BadDigest<\/Code>/);
    const right = createHash("sha256").update("the body").digest("base64");
    const ok = await fetch(
      await getSignedUrl(uploads, new PutObjectCommand({ Bucket: world.pooled, Key: `${mine}digest-ok.txt`, ChecksumSHA256: right }), { expiresIn: 300, unhoistableHeaders: new Set(["x-amz-checksum-sha256"]) }),
      { method: "PUT", headers: { "x-amz-checksum-sha256": right }, body: "the body" },
    );
    assert.equal(ok.status, 200, await ok.text());
  });

  it("verifies aws-chunked uploads with a CRC32 trailer (the SDK's default checksums)", async () => {
    // The SDK's default checksum behaviour: a string body gets an x-amz-checksum-crc32 header, a
    // stream an aws-chunked body (STREAMING-UNSIGNED-PAYLOAD-TRAILER) with the CRC32 as a trailer.
    const withChecksums = new S3Client({ endpoint: world.gateway.endpoint, region: world.engine.region, forcePathStyle: true, credentials: world.roles.uploads, maxAttempts: 1 });
    try {
      assert.equal(await statusOf(withChecksums.send(new PutObjectCommand({ Bucket: world.pooled, Key: `${mine}crc-header.txt`, Body: "checksummed body" }))), 200);
      const stream = Readable.from([Buffer.from("checksummed "), Buffer.from("body")]);
      assert.equal(await statusOf(withChecksums.send(new PutObjectCommand({ Bucket: world.pooled, Key: `${mine}crc.txt`, Body: stream, ContentLength: 16 }))), 200);
      const stored = await world.admin.send(new GetObjectCommand({ Bucket: world.pooled, Key: `${mine}crc.txt` }));
      assert.equal(await stored.Body!.transformToString(), "checksummed body");
    } finally {
      withChecksums.destroy();
    }
  });

  it("refuses bad signatures, unknown keys and expired URLs as S3 does", async () => {
    const url = await presignedPut(uploads, `${mine}late.txt`);
    const tampered = await fetch(url.replace("late.txt", "other.txt"), { method: "PUT", body: "x", headers: { "content-type": "text/plain" } });
    assert.equal(tampered.status, 403);
    assert.match(await tampered.text(), /SignatureDoesNotMatch/);
    const stranger = world.client({ accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x".repeat(40) });
    assert.equal(await statusOf(stranger.send(new GetObjectCommand({ Bucket: world.pooled, Key: `${mine}clean.txt` }))), 403);
    const old = await getSignedUrl(uploads, new PutObjectCommand({ Bucket: world.pooled, Key: `${mine}late.txt` }), { expiresIn: 60, signingDate: new Date(Date.now() - 10 * 60_000) });
    const expired = await fetch(old, { method: "PUT", body: "x" });
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /Request has expired/);
  });

  it("uploads' role cannot GetObject; objects' role writes (copies) under tenants/ only, never with a verdict tag", async () => {
    assert.equal(await statusOf(uploads.send(new GetObjectCommand({ Bucket: world.pooled, Key: `${mine}clean.txt` }))), 403);
    assert.equal(await statusOf(uploads.send(new PutObjectCommand({ Bucket: world.pooled, Key: `${mine}up.txt`, Body: "x" }))), 200);
    assert.equal(await statusOf(objects.send(new PutObjectCommand({ Bucket: world.pooled, Key: "quarantine/obj.txt", Body: "x" }))), 403);
    assert.equal(await statusOf(objects.send(new PutObjectCommand({ Bucket: world.pooled, Key: `${mine}obj.txt`, Body: "x", Tagging: "scan-status=clean" }))), 403);
  });

  it("objects' role reads only objects tagged scan-status=clean", async () => {
    assert.equal(await statusOf(objects.send(new GetObjectCommand({ Bucket: world.pooled, Key: `${mine}clean.txt` }))), 200);
    assert.equal(await statusOf(objects.send(new GetObjectCommand({ Bucket: world.pooled, Key: `${mine}pending.txt` }))), 403);
    const url = await getSignedUrl(objects, new GetObjectCommand({ Bucket: world.pooled, Key: `${mine}pending.txt` }), { expiresIn: 60 });
    assert.equal((await fetch(url)).status, 403, "a presigned GET carries the signer's permissions");
  });

  it("the proxy may write the clean tag only; the scan role may tag", async () => {
    const proxy = world.client(world.roles.proxy);
    assert.equal(await statusOf(proxy.send(new PutObjectCommand({ Bucket: world.pooled, Key: `${mine}p1.txt`, Body: "x", Tagging: "scan-status=clean" }))), 200);
    assert.equal(await statusOf(proxy.send(new PutObjectCommand({ Bucket: world.pooled, Key: `${mine}p2.txt`, Body: "x", Tagging: "scan-status=clean&x=y" }))), 403);
    assert.equal(await statusOf(proxy.send(new PutObjectCommand({ Bucket: world.pooled, Key: `${mine}p3.txt`, Body: "x", Tagging: "scan-status=infected" }))), 403);
  });
});
