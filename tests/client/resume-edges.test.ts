import { strict as assert } from "node:assert";
import { MemoryStore, StorageError } from "../../client/src";
import { abortAll, clientFor, downloadedSha256, MIB, openMultipartUploads, randomFile, useFaultyNetwork } from "./harness";

const isPartPut = (r: { method: string; partNumber?: number }) => r.method === "PUT" && r.partNumber !== undefined;
const RETRY = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 };

describe("client: resuming and recovering at the edges", function () {
  this.timeout(60_000);
  const net = useFaultyNetwork();

  it("a completion whose answer was lost is recognised on retry (S3 already forgot the upload)", async () => {
    const client = await clientFor(net.sandbox, "lost-answer", { apiUrl: net.api.url, fetch: net.s3.fetch });
    let dropped = 0;
    net.api.setFaults((r) => (r.method === "POST" && r.path.endsWith("/complete") && dropped++ === 0 ? { kind: "drop-after" } : undefined));
    const file = randomFile(21 * MIB);
    const result = await client.upload(file.bytes, { path: "lost/answer.mp4", contentType: "video/mp4" });
    assert.equal(dropped, 2, "the completion was sent twice");
    assert.equal(result.size, file.bytes.byteLength);
    assert.equal(await downloadedSha256(client, "lost/answer.mp4"), file.sha256);
  });

  it("a saved upload of other content at the same path and size is aborted and started afresh", async () => {
    const store = new MemoryStore();
    const client = await clientFor(net.sandbox, "changed-file", { fetch: net.s3.fetch, store, retry: RETRY, concurrency: 1 });
    net.s3.setFaults((r) => (isPartPut(r) && r.partNumber === 2 ? { kind: "status", status: 500 } : undefined));
    const before = randomFile(22 * MIB);
    await assert.rejects(client.upload(before.bytes, { path: "changed/file.mp4", contentType: "video/mp4" }).done, StorageError);
    assert.equal((await openMultipartUploads(net.sandbox, "tenants/acme/home/changed-file/")).length, 1);

    net.s3.setFaults(undefined);
    const after = randomFile(22 * MIB);
    const result = await client.upload(after.bytes, { path: "changed/file.mp4", contentType: "video/mp4" });
    assert.equal(result.resumedParts, 0, "nothing of the other file was kept");
    assert.equal(await downloadedSha256(client, "changed/file.mp4"), after.sha256);
    assert.deepEqual(await openMultipartUploads(net.sandbox, "tenants/acme/home/changed-file/"), [], "the stale upload was aborted");
  });

  it("a saved upload the server no longer has (aborted, expired) starts again", async () => {
    const store = new MemoryStore();
    const client = await clientFor(net.sandbox, "gone-upload", { fetch: net.s3.fetch, store, retry: RETRY, concurrency: 1 });
    net.s3.setFaults((r) => (isPartPut(r) && r.partNumber === 3 ? { kind: "status", status: 503 } : undefined));
    const file = randomFile(16 * MIB + 7);
    await assert.rejects(client.upload(file.bytes, { path: "gone/file.mp4", contentType: "video/mp4" }).done, StorageError);
    await abortAll(net.sandbox, "tenants/acme/home/gone-upload/");

    net.s3.setFaults(undefined);
    const result = await client.upload(file.bytes, { path: "gone/file.mp4", contentType: "video/mp4" });
    assert.equal(result.resumedParts, 0);
    assert.equal(await downloadedSha256(client, "gone/file.mp4"), file.sha256);
  });

  it("a part URL S3 refuses (403: expired or a skewed clock) is signed again once", async () => {
    let tampered = 0;
    const client = await clientFor(net.sandbox, "resigner", {
      fetch: (input, init) => {
        const url = new URL(input);
        // The first URL of part 2 arrives spoiled, as an expired one would: the engine answers 403.
        if (url.searchParams.get("partNumber") === "2" && tampered++ === 0) {
          url.searchParams.set("X-Amz-Signature", "0".repeat(64));
        }
        return fetch(url, init);
      },
    });
    const file = randomFile(21 * MIB);
    const result = await client.upload(file.bytes, { path: "resign/file.mp4", contentType: "video/mp4" });
    assert.equal(result.mode, "multipart");
    assert.equal(tampered, 2, "part 2 was sent with a fresh URL after the 403");
    assert.equal(await downloadedSha256(client, "resign/file.mp4"), file.sha256);
  });

  it("refusals of the API reach the app as StorageError with the API's code, before any byte is sent", async () => {
    const client = await clientFor(net.sandbox, "refused", { fetch: net.s3.fetch });
    const start = net.s3.requests.length;
    for (const [path, contentType, status, code] of [
      ["../other-user/x.jpg", "image/jpeg", 400, "InvalidPath"],
      ["a.exe", "application/x-msdownload", 415, "UnsupportedContentType"],
    ] as const) {
      const err = (await client.upload(randomFile(100).bytes, { path, contentType }).then(
        () => assert.fail(`${path} must be refused`),
        (e: unknown) => e,
      )) as StorageError;
      assert.ok(err instanceof StorageError, String(err));
      assert.equal(err.status, status);
      assert.equal(err.code, code, err.message);
    }
    assert.equal(net.s3.requests.length, start);
  });
});
