import * as assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createDirectClient, type DirectClient, type DirectClientOptions, type DirectUploadTask } from "../../../client/src/direct";
import { StorageError, UploadCancelledError } from "../../../client/src/errors";
import { type UploadProgress } from "../../../client/src/progress";
import { emptyAndDeleteBucket, engineClient, type S3Engine, useS3Engine } from "../../harness/s3-engine";
import { ALICE, directOptions } from "./fixtures";

const MIB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * Direct mode against the real S3 engine (Ceph RGW): the engine's static keys stand in for the
 * identity pool's session (IAM itself is exercised by tests/infra/tenancy/access-matrix.test.ts),
 * and the engine checks every signature, part and multipart upload.
 */
describe("client/direct (against the S3 engine)", function () {
  this.timeout(120_000);
  const bucket = `direct-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  const home = `tenants/acme/home/${ALICE}/`;
  let engine: S3Engine;
  let admin: S3Client;
  const clients: DirectClient[] = [];

  /** A direct client of Alice in tenant acme whose objects are in this suite's bucket. */
  function direct(overrides: Partial<DirectClientOptions> = {}, user = 0): DirectClient {
    const { options } = directOptions({
      region: engine.region,
      identityPoolId: `${engine.region}:11111111-2222-4333-8444-555555555555`,
      userPoolId: `${engine.region}_TestPool1`,
      storage: { pooledBucket: bucket, tenants: {} },
      credentials: async () => engine.users[user],
      s3: { endpoint: engine.endpoint, forcePathStyle: true },
      partSize: 5 * MIB,
      ...overrides,
    });
    const client = createDirectClient(options);
    clients.push(client);
    return client;
  }

  async function readBack(key: string): Promise<{ bytes: Uint8Array; contentType?: string }> {
    const object = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { bytes: await object.Body!.transformToByteArray(), contentType: object.ContentType };
  }

  async function exists(key: string): Promise<boolean> {
    try {
      await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
        return false;
      }
      throw err;
    }
  }

  /** Progress events of one upload, with the checks every upload must pass. */
  function progressLog() {
    const events: UploadProgress[] = [];
    return {
      events,
      onProgress: (p: UploadProgress) => events.push(p),
      assertWhole(partCount: number) {
        assert.ok(events.length >= 2, "a first event at 0% and a last at 100%");
        assert.equal(events[0].loaded, 0);
        for (let i = 1; i < events.length; i++) {
          assert.ok(events[i].loaded > events[i - 1].loaded, `monotonic at event ${i}`);
          assert.ok(events[i].partsDone >= events[i - 1].partsDone);
        }
        const last = events[events.length - 1];
        assert.deepEqual({ fraction: last.fraction, loaded: last.loaded, partsDone: last.partsDone, partCount: last.partCount }, { fraction: 1, loaded: last.total, partsDone: partCount, partCount });
        assert.equal(events.filter((e) => e.fraction === 1).length, 1, "exactly one event at 100%");
      },
    };
  }

  before(async () => {
    engine = await useS3Engine();
    admin = engineClient(engine);
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  after(async () => {
    clients.forEach((c) => c.destroy());
    if (admin === undefined) {
      return;
    }
    await emptyAndDeleteBucket(admin, bucket);
    admin.destroy();
  });

  it("uploads 1 KiB in one PutObject into the user's home, with progress to 100%", async () => {
    const bytes = randomBytes(1024);
    const progress = progressLog();
    const task = direct().upload(bytes, { path: "docs/small.bin", contentType: "application/octet-stream", onProgress: progress.onProgress });
    const result = await task;
    assert.equal(task.status, "completed");
    assert.equal(result.mode, "single");
    assert.equal(result.path, "docs/small.bin");
    assert.equal(result.size, 1024);
    assert.match(result.etag, /^".+"$/);
    assert.deepEqual(result.parts, [{ partNumber: 1, etag: result.etag }]);
    const stored = await readBack(`${home}docs/small.bin`);
    assert.equal(sha256(stored.bytes), sha256(bytes));
    assert.equal(stored.contentType, "application/octet-stream");
    progress.assertWhole(1);
  });

  it("uploads 12 MiB as a multipart upload of three parts, bytes intact", async () => {
    const bytes = randomBytes(12 * MIB);
    const progress = progressLog();
    const result = await direct().upload(bytes, { path: "videos/big.mp4", contentType: "video/mp4", onProgress: progress.onProgress, concurrency: 3 });
    assert.equal(result.mode, "multipart");
    assert.equal(result.size, 12 * MIB);
    assert.deepEqual(result.parts.map((p) => p.partNumber), [1, 2, 3]);
    assert.ok(result.parts.every((p) => /^".+"$/.test(p.etag)));
    // S3 answers a multipart ETag naming the part count; Ceph Pacific answers an empty <ETag>, which the result passes on.
    assert.ok(result.etag === "" || /-3"$/.test(result.etag), result.etag);
    const stored = await readBack(`${home}videos/big.mp4`);
    assert.equal(sha256(stored.bytes), sha256(bytes));
    assert.equal(stored.contentType, "video/mp4");
    progress.assertWhole(3);
    assert.deepEqual(
      progress.events.map((e) => e.partsDone),
      [0, 1, 2, 3],
    );
  });

  it("uploads a Blob (streamed by lib-storage part by part)", async () => {
    const bytes = randomBytes(6 * MIB);
    const progress = progressLog();
    const result = await direct().upload(new Blob([bytes]), { path: "blobs/b.bin", contentType: "application/octet-stream", onProgress: progress.onProgress });
    assert.equal(result.mode, "multipart");
    assert.equal(sha256((await readBack(`${home}blobs/b.bin`)).bytes), sha256(bytes));
    progress.assertWhole(2);
  });

  it("lists the home with paths relative to it, page by page, hiding other homes and reserved keys", async () => {
    for (const name of ["list/a.txt", "list/b.txt", "list/c.txt"]) {
      await direct().upload(new TextEncoder().encode(name), { path: name, contentType: "text/plain" });
    }
    // Written behind the client's back: another user's home, a sibling whose prefix starts with Alice's, a control-plane key.
    for (const key of [`tenants/acme/home/b0b00000-0000-4000-8000-000000000002/list/x.txt`, `tenants/acme/home/${ALICE}0/list/y.txt`, `${home}.mobile-s3/binding.json`]) {
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "x" }));
    }
    const client = direct();
    const first = await client.list({ prefix: "list/", limit: 2 });
    assert.deepEqual(first.objects.map((o) => o.path), ["list/a.txt", "list/b.txt"]);
    assert.ok(first.nextCursor, "a cursor to the next page");
    const second = await client.list({ prefix: "list/", limit: 2, cursor: first.nextCursor });
    assert.deepEqual(second.objects.map((o) => o.path), ["list/c.txt"]);
    assert.equal(second.nextCursor, undefined);
    const a = first.objects[0];
    assert.equal(a.size, "list/a.txt".length);
    assert.match(a.etag, /^".+"$/);
    assert.ok(!Number.isNaN(Date.parse(a.lastModified)));

    const everything = await client.list({ limit: 1000 });
    assert.ok(everything.objects.every((o) => !o.path.startsWith("tenants/") && !o.path.includes(".mobile-s3")), JSON.stringify(everything.objects.map((o) => o.path)));
    assert.deepEqual(
      everything.objects.map((o) => o.path).filter((p) => p.startsWith("list/")),
      ["list/a.txt", "list/b.txt", "list/c.txt"],
    );
  });

  it("answers a presigned GET that fetches the bytes", async () => {
    const bytes = randomBytes(2048);
    const client = direct();
    await client.upload(bytes, { path: "read/me.bin", contentType: "application/octet-stream" });
    const signed = await client.getUrl("read/me.bin");
    assert.ok(new URL(signed.url).pathname.endsWith(`/${home}read/me.bin`));
    assert.ok(Date.parse(signed.expiresAt) <= Date.now() + 300_000);
    const response = await fetch(signed.url);
    assert.equal(response.status, 200);
    assert.equal(sha256(new Uint8Array(await response.arrayBuffer())), sha256(bytes));
  });

  it("removes an object, and removing it again succeeds", async () => {
    const client = direct();
    await client.upload(new Uint8Array([1, 2, 3]), { path: "gone/soon.bin", contentType: "application/octet-stream" });
    assert.equal(await exists(`${home}gone/soon.bin`), true);
    await client.remove("gone/soon.bin");
    assert.equal(await exists(`${home}gone/soon.bin`), false);
    await client.remove("gone/soon.bin");
  });

  it("cancels a multipart upload through its signal and leaves no multipart upload behind", async () => {
    const controller = new AbortController();
    const seen: UploadProgress[] = [];
    const task = direct().upload(randomBytes(12 * MIB), {
      path: "cancelled/big.bin",
      contentType: "application/octet-stream",
      concurrency: 1,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.partsDone === 1) {
          controller.abort();
        }
      },
    });
    await assert.rejects(task.done, (err: unknown) => err instanceof UploadCancelledError && err.message === "the upload of cancelled/big.bin was cancelled");
    assert.equal(task.status, "cancelled");
    assert.ok(seen.some((p) => p.partsDone === 1), "it was cancelled mid-upload, after a part was stored");
    const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.deepEqual(uploads.Uploads ?? [], []);
    assert.equal(await exists(`${home}cancelled/big.bin`), false);
  });

  it("cancelled after its last part, aborts the multipart upload instead of completing it", async () => {
    const controller = new AbortController();
    const task = direct().upload(randomBytes(12 * MIB), {
      path: "cancelled/late.bin",
      contentType: "application/octet-stream",
      concurrency: 3,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.partsDone === p.partCount) {
          controller.abort();
        }
      },
    });
    await assert.rejects(task.done, UploadCancelledError);
    const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.deepEqual(uploads.Uploads ?? [], []);
    assert.equal(await exists(`${home}cancelled/late.bin`), false);
  });

  it("cancel() while parts are in flight aborts them and the multipart upload", async () => {
    let cancelled: Promise<void> | undefined;
    const task: DirectUploadTask = direct().upload(randomBytes(16 * MIB), {
      path: "cancelled/inflight.bin",
      contentType: "application/octet-stream",
      concurrency: 2,
      onProgress: (p) => {
        if (p.partsDone === 1) {
          cancelled = task.cancel();
        }
      },
    });
    await assert.rejects(task.done, UploadCancelledError);
    await cancelled;
    assert.equal(task.status, "cancelled");
    const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.deepEqual(uploads.Uploads ?? [], []);
    assert.equal(await exists(`${home}cancelled/inflight.bin`), false);
  });

  it("cancels before the first request when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    let credentialCalls = 0;
    const task = direct({ credentials: async () => (credentialCalls++, engine.users[0]) }).upload(new Uint8Array(10), { path: "never.bin", contentType: "text/plain", signal: controller.signal });
    await assert.rejects(task.done, UploadCancelledError);
    await task.cancel();
    assert.equal(credentialCalls, 0);
    assert.equal(await exists(`${home}never.bin`), false);
  });

  it("reports S3's refusals as StorageErrors with S3's code and status, naming the operation and path only", async () => {
    // The engine's second user owns nothing here: every request is refused, as IAM would refuse another home.
    const stranger = direct({}, 1);
    const check = (operation: RegExp) => (err: unknown) => {
      assert.ok(err instanceof StorageError, String(err));
      assert.equal(err.status, 403);
      assert.equal(err.code, "AccessDenied");
      assert.match(err.message, operation);
      for (const secret of ["http", engine.users[1].accessKeyId, engine.users[1].secretAccessKey, bucket]) {
        assert.ok(!err.message.includes(secret), `no ${secret === bucket ? "bucket" : "URL or key"} in: ${err.message}`);
      }
      return true;
    };
    await assert.rejects(stranger.list({ prefix: "list/" }), check(/^list list\/: S3 answered 403 AccessDenied/));
    await assert.rejects(stranger.remove("docs/small.bin"), check(/^delete docs\/small\.bin: S3 answered 403 AccessDenied/));
    await assert.rejects(stranger.upload(randomBytes(1024), { path: "x/y.bin", contentType: "application/octet-stream" }).done, check(/^upload x\/y\.bin: S3 answered 403 AccessDenied/));
    await assert.rejects(stranger.upload(randomBytes(6 * MIB), { path: "x/big.bin", contentType: "application/octet-stream" }).done, check(/^upload x\/big\.bin: S3 answered 403 AccessDenied/));
  });

  it("reports credentials it cannot get as a StorageError naming the step", async () => {
    const client = direct({
      credentials: async () => {
        throw Object.assign(new Error("Invalid login token. Token expired: 1700000000 >= 1600000000"), { name: "NotAuthorizedException", $metadata: { httpStatusCode: 400 } });
      },
    });
    await assert.rejects(client.list(), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.code, "NotAuthorizedException");
      assert.equal(err.status, 400);
      assert.match(err.message, /^list the home: get temporary credentials from the identity pool: Cognito answered 400 NotAuthorizedException \(Invalid login token/);
      return true;
    });
  });
});
