import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { GetObjectTaggingCommand, HeadObjectCommand, PutObjectTaggingCommand } from "@aws-sdk/client-s3";
import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CLAMAV_VOCABULARY, ENV, type FunctionRouting, OWNER_TAG } from "@mobile-s3/contract";
import { createIndexerHandler } from "../../../functions/indexer/app";
import { createObjectsHandler } from "../../../functions/objects/app";
import { objectIndex, type ObjectIndex } from "../../../functions/shared/object-index";
import { s3Store } from "../../../functions/shared/s3-store";
import { createUploadsHandler } from "../../../functions/uploads/app";
import { type S3ObjectEvent } from "../../../sandbox/s3-events";
import { invoke, type InvokeRequest, TestIssuer } from "../../harness/api";
import { createIndexTable, dynamoDbClient } from "../../harness/dynamodb";
import { silentLogger } from "../../harness/object-index";
import { type GatewayWorld, homeOf, startWorld } from "./fixture";

const MIB = 1024 ** 2;
const SUB = "sub-acme-u1";

type Body = Record<string, unknown> & { url: string; headers: Record<string, string>; uploadId: string; parts: { url: string }[]; scanStatus: string; error?: { code: string } };

/**
 * The objects and uploads functions with their own roles, through the gateway to the engine, the
 * gateway's events handed to the indexer: a copy (or a move) of a clean object and a multipart
 * upload end with the owner tag alone (docs/OBJECT-INDEX.md, "Owner tag and metadata"), no verdict,
 * so the copy is pending and unreadable until its own scan (docs/ARCHITECTURE.md, "Security
 * invariants"). On the bare engine (tests/functions/) only the requests can be checked: Ceph 16
 * copies the source's tags and stores none of a multipart upload's, the gateway applies S3's.
 */
describe("sandbox/iam-gateway: the functions' copies and multipart uploads carry the owner tag alone", function () {
  this.timeout(120_000);
  const issuer = new TestIssuer();
  let world: GatewayWorld;
  let dynamodb: DynamoDBClient;
  let index: ObjectIndex;
  let handlers: { uploads: ReturnType<typeof createUploadsHandler>; objects: ReturnType<typeof createObjectsHandler>; indexer: ReturnType<typeof createIndexerHandler> };
  const events: S3ObjectEvent[] = [];
  const key = (path: string) => `${homeOf("acme", "u1")}${path}`;

  before(async () => {
    world = await startWorld({ versioned: true, onS3Event: (e) => events.push(e) });
    dynamodb = await dynamoDbClient();
    const table = await createIndexTable(dynamodb);
    index = objectIndex(dynamodb, table);
    const routing: FunctionRouting = { pooledBucket: world.pooled, accessPointArnPrefix: "", accessPointTenants: [], dedicatedBuckets: { initech: world.dedicated } };
    const env = {
      [ENV.tenantRouting]: JSON.stringify(routing),
      [ENV.indexTable]: table,
      [ENV.scanner]: "clamav",
      [ENV.presignTtlSeconds]: "300",
      [ENV.maxObjectBytes]: String(64 * MIB),
      [ENV.singlePutMaxBytes]: String(MIB),
      [ENV.allowedContentTypes]: '["image/jpeg","video/mp4"]',
      [ENV.partUrlBatchMax]: "20",
      [ENV.jwtIssuer]: issuer.issuer,
      [ENV.jwtAudience]: issuer.audience,
      [ENV.jwtJwks]: JSON.stringify(issuer.jwks),
    };
    const storeOf = (role: keyof GatewayWorld["roles"]) => s3Store(world.client(world.roles[role]));
    handlers = {
      uploads: createUploadsHandler(env, { store: storeOf("uploads"), dynamodb, log: silentLogger }),
      objects: createObjectsHandler(env, { store: storeOf("objects"), dynamodb, log: silentLogger }),
      indexer: createIndexerHandler(env, { store: storeOf("indexer"), dynamodb, log: silentLogger }),
    };
  });
  after(async () => {
    await world?.close();
    dynamodb?.destroy();
  });

  const call = async (handler: Parameters<typeof invoke>[0], req: Omit<InvokeRequest, "token">) =>
    (await invoke(handler, { ...req, token: issuer.token({ sub: SUB, tenant: "acme" }) })) as unknown as { status: number; body: Body };
  const ok = async (handler: Parameters<typeof invoke>[0], req: Omit<InvokeRequest, "token">): Promise<Body> => {
    const res = await call(handler, req);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  /** The gateway's events so far, handed to the indexer as EventBridge would. */
  async function deliver(): Promise<void> {
    await world.gateway.settled();
    for (const event of events.splice(0)) {
      await handlers.indexer(event);
    }
  }
  const tagsOf = async (path: string) =>
    Object.fromEntries(((await world.admin.send(new GetObjectTaggingCommand({ Bucket: world.pooled, Key: key(path) }))).TagSet ?? []).map((t) => [t.Key!, t.Value!]));

  /** A single PUT through the uploads function, then the scan function's clean verdict, both through the gateway. */
  async function uploadClean(path: string): Promise<void> {
    const signed = await ok(handlers.uploads, { routeKey: "POST /v1/uploads", body: { path, contentType: "image/jpeg", size: 100 } });
    const put = await fetch(signed.url, { method: "PUT", body: randomBytes(100), headers: signed.headers });
    assert.equal(put.status, 200, await put.text());
    const { ETag } = await world.admin.send(new HeadObjectCommand({ Bucket: world.pooled, Key: key(path) }));
    const verdict = { [OWNER_TAG]: SUB, [CLAMAV_VOCABULARY.tagKey]: CLAMAV_VOCABULARY.clean, [CLAMAV_VOCABULARY.verdictEtagTag!]: ETag!.replace(/"/g, "") };
    const scan = world.client(world.roles.scan);
    await scan.send(new PutObjectTaggingCommand({ Bucket: world.pooled, Key: key(path), Tagging: { TagSet: Object.entries(verdict).map(([Key, Value]) => ({ Key, Value })) } }));
    await deliver();
    assert.equal((await ok(handlers.objects, { routeKey: "GET /v1/objects/meta", query: { path } })).scanStatus, "clean");
  }

  for (const route of ["POST /v1/objects/copy", "POST /v1/objects/move"]) {
    it(`${route} of a clean object: the copy holds owner=<sub> alone, so it is pending and unreadable until its own scan`, async () => {
      const [from, to] = [`${route.slice(-4)}/clean.jpg`, `${route.slice(-4)}/copy.jpg`];
      await uploadClean(from);
      await ok(handlers.objects, { routeKey: route, body: { from, to } });
      await deliver();
      assert.deepEqual(await tagsOf(to), { [OWNER_TAG]: SUB }, "no verdict copied");
      const record = await ok(handlers.objects, { routeKey: "GET /v1/objects/meta", query: { path: to } });
      assert.equal(record.scanStatus, "pending");
      const url = await call(handlers.objects, { routeKey: "GET /v1/objects/url", query: { path: to } });
      assert.deepEqual([url.status, url.body.error?.code], [409, "NotScanned"]);
    });
  }

  it("a multipart upload through the uploads function: the completed object holds owner=<sub> alone, and the index records the owner", async () => {
    const size = MIB + 1;
    const started = await ok(handlers.uploads, { routeKey: "POST /v1/uploads", body: { path: "multi.mp4", contentType: "video/mp4", size } });
    assert.equal(started.parts.length, 1);
    const part = await fetch(started.parts[0].url, { method: "PUT", body: randomBytes(size) });
    assert.equal(part.status, 200, await part.text());
    await ok(handlers.uploads, {
      routeKey: "POST /v1/uploads/{uploadId}/complete",
      pathParameters: { uploadId: started.uploadId },
      body: { path: "multi.mp4", parts: [{ partNumber: 1, etag: part.headers.get("etag")! }] },
    });
    await deliver();
    assert.deepEqual(await tagsOf("multi.mp4"), { [OWNER_TAG]: SUB });
    const record = await index.getObject({ tenant: "acme", home: SUB }, "multi.mp4");
    assert.deepEqual([record?.owner, record?.size, record?.scanStatus], [SUB, size, "pending"]);
  });
});
