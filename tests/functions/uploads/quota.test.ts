import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createObjectsHandler } from "../../../functions/objects/app";
import { NoSuchUploadError, type ObjectStore } from "../../../functions/shared/store";
import { createUploadsHandler } from "../../../functions/uploads/app";
import { type InvokeRequest, invoke, TestIssuer } from "../../harness/api";
import { type IndexWorld, silentLogger, startIndexWorld } from "../../harness/object-index";
import { markClean, recordingStore, storedBytes } from "../index-fixtures";

const MIB = 1024 ** 2;

type Body = Record<string, unknown> & {
  error?: { code: string; message: string };
  url: string;
  headers: Record<string, string>;
  uploadId: string;
  parts: { partNumber: number; url: string; size: number }[];
  storedBytes: number;
  reservedBytes: number;
  openUploads: number;
  objects: number;
  size: number;
};
type Answer = { status: number; body: Body };

/**
 * The quota (docs/OBJECT-INDEX.md, "Quota") through the API's own handlers, against the real engine
 * (a versioned bucket) and the object index in a local DynamoDB: what a home may hold counts every
 * stored version, every open multipart upload at its declared size and every unexpired URL, and
 * the check and the promise are one conditional write. After each object lands, `world.notify`
 * delivers its event to the indexer, as EventBridge would.
 */
describe("functions/uploads: the quota, kept in the object index (against the S3 engine and a local DynamoDB)", function () {
  this.timeout(180_000);
  const issuer = new TestIssuer();
  let world: IndexWorld;
  /** Every home this suite wrote to: their usage must equal what S3 holds at the end. */
  const used = new Set<number>();

  const sub = (n: number) => {
    used.add(n);
    return `0a11ce00-0000-4000-8000-${String(n).padStart(12, "0")}`;
  };
  const home = (n: number) => `tenants/acme/home/${sub(n)}/`;

  const env = (quota: number) => ({
    ...world.env,
    PRESIGN_TTL_SECONDS: "300",
    MAX_OBJECT_BYTES: String(64 * MIB),
    SINGLE_PUT_MAX_BYTES: String(MIB),
    ALLOWED_CONTENT_TYPES: '["image/jpeg","video/mp4"]',
    PART_URL_BATCH_MAX: "100",
    USER_QUOTA_BYTES: String(quota),
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWT_JWKS: JSON.stringify(issuer.jwks),
  });
  const uploads = (quota: number, store = world.store) => createUploadsHandler(env(quota), { store, dynamodb: world.dynamodb, log: silentLogger });
  const objects = (quota: number) => createObjectsHandler(env(quota), { store: world.store, dynamodb: world.dynamodb, log: silentLogger });

  const call = (n: number, req: Omit<InvokeRequest, "token">, handler: Parameters<typeof invoke>[0]) =>
    invoke(handler, { ...req, token: issuer.token({ sub: sub(n), tenant: "acme" }) }) as unknown as Promise<Answer>;
  const start = (n: number, path: string, size: number, handler: ReturnType<typeof uploads>) =>
    call(n, { routeKey: "POST /v1/uploads", body: { path, contentType: path.endsWith(".mp4") ? "video/mp4" : "image/jpeg", size } }, handler);
  const send = async (signed: Body, bytes: number) => {
    const res = await fetch(signed.url, { method: "PUT", body: randomBytes(bytes), headers: signed.headers });
    assert.equal(res.status, 200, await res.text());
    return res.headers.get("etag") ?? "";
  };
  /** POST /v1/uploads, the PUT with its URL, then the object's event to the indexer. */
  const upload = async (n: number, path: string, bytes: number, handler: ReturnType<typeof uploads>) => {
    const signed = await start(n, path, bytes, handler);
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    await send(signed.body, bytes);
    await world.notify(`${home(n)}${path}`);
  };
  const usage = async (n: number) => (await call(n, { routeKey: "GET /v1/usage" }, objects(64 * MIB))).body;
  const counters = async (n: number) => (({ storedBytes, reservedBytes, openUploads }) => ({ storedBytes, reservedBytes, openUploads }))(await usage(n));

  before(async () => {
    world = await startIndexWorld({ scanner: "clamav" });
  });
  after(() => world?.close());

  it("sign-ahead: 20 single-PUT URLs signed before any upload take the whole quota, and the 21st is refused (403 QuotaExceeded) with nothing stored yet", async () => {
    const handler = uploads(20 * 100);
    const signed: Body[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await start(20, `photos/ahead-${i}.jpg`, 100, handler);
      assert.equal(res.status, 200, `URL ${i + 1}: ${JSON.stringify(res.body)}`);
      signed.push(res.body);
    }
    const twentyFirst = await start(20, "photos/ahead-20.jpg", 100, handler);
    assert.deepEqual([twentyFirst.status, twentyFirst.body.error?.code], [403, "QuotaExceeded"]);
    assert.match(twentyFirst.body.error!.message, /0 bytes are stored .* and 2000 are promised to uploads in progress/);
    assert.equal(await storedBytes(world, home(20)), 0, "nothing is stored: the URLs alone hold the quota");
    assert.deepEqual(await counters(20), { storedBytes: 0, reservedBytes: 2000, openUploads: 0 });

    // Every URL used: the promises become stored bytes, and the home is still full.
    await Promise.all(signed.map((s, i) => send(s, 100).then(() => world.notify(`${home(20)}photos/ahead-${i}.jpg`))));
    assert.deepEqual(await counters(20), { storedBytes: 2000, reservedBytes: 0, openUploads: 0 });
    assert.equal((await start(20, "photos/ahead-20.jpg", 1, handler)).status, 403);
  });

  it("parallel: of 30 concurrent POST /v1/uploads racing for a quota that fits exactly 10, exactly 10 are accepted", async () => {
    const handler = uploads(10 * 100);
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => start(30, `photos/race-${i}.jpg`, 100, handler)));
    const accepted = answers.filter((a) => a.status === 200).length;
    assert.equal(accepted, 10, `${accepted} of 30 accepted`);
    assert.deepEqual(
      answers.filter((a) => a.status !== 200).map((a) => `${a.status} ${a.body.error?.code}`),
      Array.from({ length: 20 }, () => "403 QuotaExceeded"),
    );
    assert.deepEqual(await counters(30), { storedBytes: 0, reservedBytes: 1000, openUploads: 0 });
  });

  it("overwrites: the same path uploaded again counts both versions (the noncurrent one too), so a home at quota is refused though its only object holds half of it", async () => {
    const handler = uploads(800);
    await upload(40, "photos/same.jpg", 400, handler);
    await upload(40, "photos/same.jpg", 400, handler);
    assert.deepEqual(await counters(40), { storedBytes: 800, reservedBytes: 0, openUploads: 0 });
    assert.equal(await storedBytes(world, home(40)), 800, "S3 holds both versions");
    const record = await call(40, { routeKey: "GET /v1/objects/meta", query: { path: "photos/same.jpg" } }, objects(800));
    assert.equal(record.body.size, 400, "the current object is 400 bytes");

    for (const path of ["photos/same.jpg", "photos/other.jpg"]) {
      const refused = await start(40, path, 1, handler);
      assert.deepEqual([refused.status, refused.body.error?.code], [403, "QuotaExceeded"], path);
      assert.match(refused.body.error!.message, /older versions of replaced and deleted files count/);
    }
  });

  it("copies: POST /v1/objects/copy is refused with 403 QuotaExceeded when the copy would pass the quota, and writes nothing", async () => {
    await upload(50, "photos/source.jpg", 600, uploads(1000));
    await markClean(world, `${home(50)}photos/source.jpg`);
    const copy = (quota: number, to: string) => call(50, { routeKey: "POST /v1/objects/copy", body: { from: "photos/source.jpg", to } }, objects(quota));

    const refused = await copy(1000, "photos/copy.jpg");
    assert.deepEqual([refused.status, refused.body.error?.code], [403, "QuotaExceeded"], JSON.stringify(refused.body));
    const head = await world.s3.send(new HeadObjectCommand({ Bucket: world.bucket, Key: `${home(50)}photos/copy.jpg` })).catch((err: { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode);
    assert.equal(head, 404, "no copy was made");
    assert.deepEqual(await counters(50), { storedBytes: 600, reservedBytes: 0, openUploads: 0 });

    // With room for it, the copy is promised first, then counted as stored once the indexer sees it.
    const copied = await copy(1200, "photos/copy.jpg");
    assert.equal(copied.status, 200, JSON.stringify(copied.body));
    assert.deepEqual(await counters(50), { storedBytes: 600, reservedBytes: 600, openUploads: 0 });
    await world.notify(`${home(50)}photos/copy.jpg`);
    assert.deepEqual(await counters(50), { storedBytes: 1200, reservedBytes: 0, openUploads: 0 });
  });

  it("multipart: the declared size is promised until completion, then turned into stored bytes once the indexer sees the object", async () => {
    const handler = uploads(2 * MIB);
    const path = "videos/clip.mp4";
    const size = MIB + 1;
    const started = await start(60, path, size, handler);
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.deepEqual(await counters(60), { storedBytes: 0, reservedBytes: size, openUploads: 1 });
    // What is promised to the open upload is not free for anything else: MiB + 1 promised, 1 MiB more is 1 byte too many.
    const blocked = await start(60, "photos/filler.jpg", MIB, handler);
    assert.deepEqual([blocked.status, blocked.body.error?.code], [403, "QuotaExceeded"]);

    const etag = await send({ ...started.body, url: started.body.parts[0].url, headers: {} }, size);
    const completed = await call(60, { routeKey: "POST /v1/uploads/{uploadId}/complete", pathParameters: { uploadId: started.body.uploadId }, body: { path, parts: [{ partNumber: 1, etag }] } }, handler);
    assert.equal(completed.status, 200, JSON.stringify(completed.body));
    // No longer open, still promised: the bytes are never counted as neither stored nor promised.
    assert.deepEqual(await counters(60), { storedBytes: 0, reservedBytes: size, openUploads: 0 });

    await world.notify(`${home(60)}${path}`);
    assert.deepEqual(await counters(60), { storedBytes: size, reservedBytes: 0, openUploads: 0 });
    assert.equal((await usage(60)).storedBytes, await storedBytes(world, home(60)), "usage equals the bytes S3 lists");
  });

  it("multipart: a completion sent twice at once (a client retrying on a timeout) leaves one promise for the indexer to turn into stored bytes", async () => {
    const path = "videos/twice.mp4";
    const size = MIB + 1;
    // Both completions get past their checks before either reaches S3; S3 completes the first and
    // answers the second NoSuchUpload, as for any upload already completed ("CompleteMultipartUpload", Errors).
    let arrived = 0;
    let bothArrived: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => (bothArrived = resolve));
    let first: Promise<unknown> | undefined;
    const racing: ObjectStore = {
      ...world.store,
      async completeMultipartUpload(p) {
        arrived += 1;
        if (arrived === 2) {
          bothArrived();
        }
        await barrier;
        if (first === undefined) {
          const done = world.store.completeMultipartUpload(p);
          first = done;
          return done;
        }
        await first;
        throw new NoSuchUploadError();
      },
    };
    const handler = uploads(4 * MIB, racing);
    const started = await start(65, path, size, handler);
    const etag = await send({ ...started.body, url: started.body.parts[0].url, headers: {} }, size);
    const complete = () => call(65, { routeKey: "POST /v1/uploads/{uploadId}/complete", pathParameters: { uploadId: started.body.uploadId }, body: { path, parts: [{ partNumber: 1, etag }] } }, handler);
    const answers = await Promise.all([complete(), complete()]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 404], JSON.stringify(answers.map((a) => a.body)));

    // The upload is no longer open, and its promise is still there for the indexer, which takes it in.
    assert.deepEqual(await counters(65), { storedBytes: 0, reservedBytes: size, openUploads: 0 });
    await world.notify(`${home(65)}${path}`);
    assert.deepEqual(await counters(65), { storedBytes: size, reservedBytes: 0, openUploads: 0 });
  });

  it("abort: a multipart upload's promise is released at once", async () => {
    const handler = uploads(2 * MIB);
    const first = await start(70, "videos/a.mp4", MIB + 1, handler);
    assert.equal(first.status, 200);
    const second = await start(70, "videos/b.mp4", MIB + 1, handler);
    assert.deepEqual([second.status, second.body.error?.code], [403, "QuotaExceeded"]);
    const aborted = await call(70, { routeKey: "DELETE /v1/uploads/{uploadId}", pathParameters: { uploadId: first.body.uploadId }, query: { path: "videos/a.mp4" } }, handler);
    assert.equal(aborted.status, 204);
    assert.deepEqual(await counters(70), { storedBytes: 0, reservedBytes: 0, openUploads: 0 });
    assert.equal((await start(70, "videos/b.mp4", MIB + 1, handler)).status, 200);
  });

  it("costs the same whatever the home holds: POST /v1/uploads never lists S3 (no list, listVersions or listMultipartUploads call)", async () => {
    // A home of 100 objects, each with two versions, written directly and indexed.
    const keys = Array.from({ length: 100 }, (_, i) => `${home(80)}bulk/${i}.jpg`);
    for (const round of [1, 2]) {
      await Promise.all(keys.map((Key) => world.s3.send(new PutObjectCommand({ Bucket: world.bucket, Key, Body: "x".repeat(round), ContentType: "image/jpeg" }))));
    }
    await Promise.all(keys.map((key) => world.notify(key)));
    assert.deepEqual(await counters(80), { storedBytes: 300, reservedBytes: 0, openUploads: 0 });

    const calls: string[] = [];
    const handler = uploads(10 * MIB, recordingStore(world.store, calls));
    assert.equal((await start(80, "photos/one.jpg", 10, handler)).status, 200);
    assert.deepEqual(calls, ["presignPut"], "a single PUT: signed, nothing read from S3");
    calls.length = 0;
    assert.equal((await start(80, "videos/one.mp4", MIB + 1, handler)).status, 200);
    assert.deepEqual(calls, ["createMultipartUpload", "presignUploadPart"], "a multipart upload: started and its part signed, nothing listed");
    calls.length = 0;
    assert.equal((await start(80, "videos/too-big.mp4", 11 * MIB, handler)).status, 403);
    assert.deepEqual(calls, [], "a refusal asks S3 nothing");
  });

  describe("afterwards", () => {
    it("GET /v1/usage's storedBytes equals the bytes S3 holds in every home above (ListObjectVersions, versions included)", async () => {
      for (const n of [...used].sort((a, b) => a - b)) {
        assert.equal((await usage(n)).storedBytes, await storedBytes(world, home(n)), `home ${n}`);
      }
    });
  });
});
