import { strict as assert } from "node:assert";
import { type RunningSandbox } from "../../scripts/demo/sandbox-process";
import { type StorageClient, StorageError } from "../../client/src";
import { captureLog, cleanUrl, clientFor, randomFile, sha256Hex, useClientSandbox } from "./harness";

describe("client: list, getUrl, remove and cdnSession against the sandbox", function () {
  this.timeout(60_000);
  let sandbox: RunningSandbox;
  let client: StorageClient;
  const log = captureLog();
  const files = new Map(["reads/a.png", "reads/b.png", "reads/c.png", "elsewhere/d.png"].map((path) => [path, randomFile(2048)]));

  /** Listings come from the object index, which follows S3's events within moments (docs/OBJECT-INDEX.md). */
  async function untilListed(prefix: string, count: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while ((await client.list({ prefix })).objects.length !== count) {
      assert.ok(Date.now() < deadline, `the index never listed ${count} objects under ${prefix}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  before(async () => {
    sandbox = await useClientSandbox();
    client = await clientFor(sandbox, "reader", { logger: log.logger });
    for (const [path, file] of files) {
      await client.upload(file.bytes, { path, contentType: "image/png" });
    }
    await untilListed("reads/", 3);
    await untilListed("elsewhere/", 1);
  });

  it("lists one prefix page by page with opaque cursors, paths relative to the home", async () => {
    const first = await client.list({ prefix: "reads/", limit: 2 });
    assert.equal(first.objects.length, 2);
    assert.ok(first.nextCursor, "a second page is announced");
    const second = await client.list({ prefix: "reads/", limit: 2, cursor: first.nextCursor });
    assert.equal(second.nextCursor, undefined);
    const listed = [...first.objects, ...second.objects];
    assert.deepEqual(listed.map((o) => o.path).sort(), ["reads/a.png", "reads/b.png", "reads/c.png"]);
    for (const object of listed) {
      assert.equal(object.size, 2048);
      assert.match(object.etag, /^[0-9a-f]{32}$/, "the index holds ETags unquoted");
      assert.ok(["pending", "clean"].includes(object.scanStatus), object.scanStatus);
    }
  });

  it("gets a URL that serves the uploaded bytes once the object is scanned clean", async () => {
    const { url } = await cleanUrl(client, "reads/b.png");
    const answer = await fetch(url);
    assert.equal(answer.status, 200);
    assert.equal(sha256Hex(new Uint8Array(await answer.arrayBuffer())), files.get("reads/b.png")!.sha256);
  });

  it("removes an object (and removing it again succeeds); its URL is then refused with 404", async () => {
    await client.remove("elsewhere/d.png");
    await client.remove("elsewhere/d.png");
    await untilListed("elsewhere/", 0);
    const refused = await client.getUrl("elsewhere/d.png").then(
      () => assert.fail("a deleted object has no URL"),
      (err: unknown) => err as StorageError,
    );
    assert.ok(refused instanceof StorageError);
    assert.equal(refused.status, 404);
  });

  it("refuses paths outside the home with the API's code", async () => {
    for (const call of [() => client.remove("../x.png"), () => client.getUrl("/etc/passwd"), () => client.list({ prefix: "../" })]) {
      const err = (await call().then(
        () => assert.fail("must be refused"),
        (e: unknown) => e,
      )) as StorageError;
      assert.equal(err.status, 400);
      assert.equal(err.code, "InvalidPath");
    }
  });

  it("starts a CDN session: signed cookies for the home, never in a log line", async () => {
    const session = await client.cdnSession();
    assert.ok(session.domain.length > 0);
    assert.ok(Date.parse(session.expiresAt) > Date.now());
    assert.deepEqual(Object.keys(session.cookies).sort(), ["CloudFront-Key-Pair-Id", "CloudFront-Policy", "CloudFront-Signature"]);
    const everything = log.lines.join("\n");
    for (const value of Object.values(session.cookies)) {
      assert.ok(!everything.includes(value), "a cookie value reached the log");
    }
  });
});
