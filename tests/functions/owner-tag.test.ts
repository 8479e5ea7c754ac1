import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { type S3Client } from "@aws-sdk/client-s3";
import { createObjectsHandler } from "../../functions/objects/app";
import { createProxyHandler } from "../../functions/proxy/app";
import { s3TaggedWriter } from "../../functions/proxy/s3-tagged-writer";
import { s3Store } from "../../functions/shared/s3-store";
import { createUploadsHandler } from "../../functions/uploads/app";
import { invoke, type InvokeRequest, TestIssuer } from "../harness/api";
import { type IndexWorld, silentLogger, startIndexWorld } from "../harness/object-index";
import { engineClient } from "../harness/s3-engine";
import { markClean, tagsOf } from "./index-fixtures";
import { PNG_1PX, writeEicarDatabase } from "./scan/clamav-fixture";

const MIB = 1024 ** 2;
const SUB = "0a11ce00-0000-4000-8000-0000000000e1";
const key = (path: string) => `tenants/acme/home/${SUB}/${path}`;

type Body = Record<string, unknown> & { url: string; headers: Record<string, string>; uploadId: string; parts: { url: string }[] };

/** The headers of every request a client sends, as signed (the SDK's deserialize step sees the request last). */
function recordRequests(client: S3Client): { headers: Record<string, string>; query: Record<string, unknown> }[] {
  const sent: { headers: Record<string, string>; query: Record<string, unknown> }[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string>; query: Record<string, unknown> };
      sent.push({ headers: { ...request.headers }, query: { ...request.query } });
      return next(args);
    },
    { step: "deserialize", name: "recordSignedRequests" },
  );
  return sent;
}

/**
 * Every write path of the API tags the object `owner=<sub>` (docs/OBJECT-INDEX.md, "Owner tag and
 * metadata"): the single PUT's signed `x-amz-tagging`, CreateMultipartUpload's tagging, the proxy's
 * tagged write and a copy's tags. Each is run through its handler against the real engine, then the
 * tags S3 holds are read (GetObjectTagging) and the indexed record's `owner` checked. Ceph RGW 16
 * stores none of CreateMultipartUpload's tags and ignores a copy's REPLACE tagging directive
 * (docs/ARCHITECTURE.md, "Where the sandbox differs from AWS"): for those two the request is checked
 * here, and the tags they leave through the IAM gateway, which applies S3's
 * (tests/sandbox/iam-gateway/function-tags.test.ts).
 */
describe("the owner tag on every API write path (against the S3 engine and a local DynamoDB)", function () {
  this.timeout(120_000);
  const issuer = new TestIssuer();
  const db = writeEicarDatabase();
  let world: IndexWorld;
  let handlers: { uploads: ReturnType<typeof createUploadsHandler>; objects: ReturnType<typeof createObjectsHandler>; proxy: ReturnType<typeof createProxyHandler> };
  let uploadsClient: S3Client;
  let objectsClient: S3Client;
  let sent: ReturnType<typeof recordRequests>;
  let objectsSent: ReturnType<typeof recordRequests>;

  const call = async (handler: Parameters<typeof invoke>[0], req: Omit<InvokeRequest, "token">): Promise<Body> => {
    const res = await invoke(handler, { ...req, token: issuer.token({ sub: SUB, tenant: "acme" }) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Body;
  };
  const put = async (url: string, body: Uint8Array, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { method: "PUT", body, headers });
    assert.equal(res.status, 200, await res.text());
    return res.headers.get("etag")!;
  };

  before(async () => {
    world = await startIndexWorld({ scanner: "clamav" });
    const env = {
      ...world.env,
      PRESIGN_TTL_SECONDS: "300",
      MAX_OBJECT_BYTES: String(64 * MIB),
      SINGLE_PUT_MAX_BYTES: String(MIB),
      PROXY_MAX_BYTES: String(MIB),
      ALLOWED_CONTENT_TYPES: '["image/png","video/mp4"]',
      PART_URL_BATCH_MAX: "20",
      CLAMAV_DB: db.database,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      JWT_JWKS: JSON.stringify(issuer.jwks),
    };
    const ports = { store: world.store, dynamodb: world.dynamodb, log: silentLogger };
    uploadsClient = engineClient(world.engine);
    sent = recordRequests(uploadsClient);
    objectsClient = engineClient(world.engine);
    objectsSent = recordRequests(objectsClient);
    handlers = {
      uploads: createUploadsHandler(env, { ...ports, store: s3Store(uploadsClient) }),
      objects: createObjectsHandler(env, { ...ports, store: s3Store(objectsClient) }),
      proxy: createProxyHandler(env, { ...ports, writer: s3TaggedWriter(world.s3) }),
    };
  });
  after(async () => {
    uploadsClient?.destroy();
    objectsClient?.destroy();
    await world?.close();
    db.remove();
  });

  // [write path, what it writes, the tags S3 must then hold besides the owner]
  const paths: [string, () => Promise<string>, Record<string, string>][] = [
    [
      "a single PUT with the signed headers",
      async () => {
        const signed = await call(handlers.uploads, { routeKey: "POST /v1/uploads", body: { path: "single.png", contentType: "image/png", size: PNG_1PX.length } });
        await put(signed.url, PNG_1PX, signed.headers);
        return "single.png";
      },
      {},
    ],
    [
      "the proxy (scanned inline by ClamAV, so written clean)",
      async () => {
        await call(handlers.proxy, { routeKey: "POST /v1/proxy/objects", query: { path: "proxied.png" }, headers: { "content-type": "image/png" }, body: new Uint8Array(PNG_1PX) });
        return "proxied.png";
      },
      { "scan-status": "clean" },
    ],
  ];

  for (const [name, write, others] of paths) {
    it(`${name}: S3 holds owner=<sub>, and the index records the owner`, async () => {
      const path = await write();
      assert.deepEqual(await tagsOf(world, key(path)), { owner: SUB, ...others });
      await world.notify(key(path));
      assert.equal((await world.index.getObject({ tenant: "acme", home: SUB }, path))?.owner, SUB);
    });
  }

  /** The signed headers of a recorded request. */
  const signedHeadersOf = (request: { headers: Record<string, string> }) => /SignedHeaders=([^,]+)/.exec(request.headers.authorization ?? "")?.[1].split(";") ?? [];

  /*
   * S3 gives a copy under the REPLACE tagging directive exactly the request's tags ("CopyObject",
   * x-amz-tagging-directive); Ceph RGW 16 copies the source's, so against this engine the request
   * itself is what can be checked: the directive and the tag sent, and covered by the signature.
   */
  it("a server-side copy (POST /v1/objects/copy): CopyObject sends x-amz-tagging-directive REPLACE and x-amz-tagging owner=<sub>, signed", async () => {
    const signed = await call(handlers.uploads, { routeKey: "POST /v1/uploads", body: { path: "original.png", contentType: "image/png", size: PNG_1PX.length } });
    await put(signed.url, PNG_1PX, signed.headers);
    await world.notify(key("original.png"));
    await markClean(world, key("original.png"));
    objectsSent.length = 0;
    await call(handlers.objects, { routeKey: "POST /v1/objects/copy", body: { from: "original.png", to: "copied.png" } });
    const copy = objectsSent.find((r) => r.headers["x-amz-copy-source"] !== undefined);
    assert.ok(copy, `CopyObject was sent: ${JSON.stringify(objectsSent.map((r) => r.headers))}`);
    assert.equal(copy.headers["x-amz-tagging-directive"], "REPLACE");
    assert.equal(copy.headers["x-amz-tagging"], `owner=${SUB}`);
    assert.ok(["x-amz-tagging-directive", "x-amz-tagging"].every((h) => signedHeadersOf(copy).includes(h)), signedHeadersOf(copy).join(";"));
  });

  /*
   * S3 stores the tags CreateMultipartUpload names on the completed object ("CreateMultipartUpload",
   * x-amz-tagging); Ceph RGW 16 accepts the header and stores nothing, so against this engine the
   * request itself is what can be checked: the tag sent, and covered by the signature.
   */
  it("a multipart upload: CreateMultipartUpload sends x-amz-tagging owner=<sub>, signed, and the upload completes", async () => {
    const size = MIB + 1;
    sent.length = 0;
    const started = await call(handlers.uploads, { routeKey: "POST /v1/uploads", body: { path: "multi.mp4", contentType: "video/mp4", size } });
    const create = sent.find((r) => "uploads" in r.query);
    assert.ok(create, `CreateMultipartUpload was sent: ${JSON.stringify(sent.map((r) => r.query))}`);
    assert.equal(create.headers["x-amz-tagging"], `owner=${SUB}`);
    assert.ok(signedHeadersOf(create).includes("x-amz-tagging"), signedHeadersOf(create).join(";"));

    const etag = await put(started.parts[0].url, randomBytes(size));
    await call(handlers.uploads, { routeKey: "POST /v1/uploads/{uploadId}/complete", pathParameters: { uploadId: started.uploadId }, body: { path: "multi.mp4", parts: [{ partNumber: 1, etag }] } });
    await world.notify(key("multi.mp4"));
    assert.equal((await world.index.getObject({ tenant: "acme", home: SUB }, "multi.mp4"))?.size, size);
  });
});
