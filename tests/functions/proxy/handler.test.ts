import { CLAMAV_VOCABULARY } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { GetObjectCommand, HeadObjectCommand, GetObjectTaggingCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { createProxyHandler } from "../../../functions/proxy/app";
import { s3TaggedWriter } from "../../../functions/proxy/s3-tagged-writer";
import { handleObjectCreated } from "../../../functions/scan/core";
import { ScanError } from "../../../functions/scan/scanner";
import { type HttpApiEvent, type HttpApiResult } from "../../../functions/shared/http-api";
import { s3Store } from "../../../functions/shared/s3-store";
import { invoke, type InvokeRequest, TestIssuer } from "../../harness/api";
import { type IndexWorld, startIndexWorld } from "../../harness/object-index";
import { recordingLogger } from "../fixtures";
import { EICAR, EICAR_SIGNATURE, PNG_1PX, testScanner, writeEicarDatabase } from "../scan/clamav-fixture";

const ALICE = "a11ce000-0000-4000-8000-000000000001";
const ROUTE = "POST /v1/proxy/objects";
const MAX_BYTES = 4096;

type Result = Awaited<ReturnType<typeof invoke>>;
const codeOf = (res: Result) => (res.body as { error?: { code?: string } } | undefined)?.error?.code;

/**
 * The proxy function through its Lambda handler (token verification included) against the real
 * S3 engine and the object index in a local DynamoDB, scanning with the real clamscan and a
 * signature database the test writes.
 */
describe("functions/proxy (handler, against the S3 engine and clamscan)", function () {
  this.timeout(120_000);
  const home = `tenants/acme/home/${ALICE}/`;
  const issuer = new TestIssuer();
  let world: IndexWorld;
  let bucket: string;
  let s3: S3Client;
  let db: ReturnType<typeof writeEicarDatabase>;
  let env: Record<string, string>;
  let handler: (event: HttpApiEvent) => Promise<HttpApiResult>;
  const log = recordingLogger();

  before(async () => {
    world = await startIndexWorld({ scanner: "clamav" });
    ({ s3, bucket } = world);
    db = writeEicarDatabase();
    env = {
      ...world.env,
      PROXY_MAX_BYTES: String(MAX_BYTES),
      ALLOWED_CONTENT_TYPES: JSON.stringify(["image/png", "image/jpeg", "text/plain", "audio/mpeg"]),
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      JWT_JWKS: JSON.stringify(issuer.jwks),
      CLAMSCAN_PATH: "clamscan",
      CLAMAV_DB: db.database,
    };
    handler = createProxyHandler(env, { writer: s3TaggedWriter(s3), dynamodb: world.dynamodb, log });
  });

  after(async () => {
    await world?.close();
    db?.remove();
  });

  async function keys(): Promise<string[]> {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (out.Contents ?? []).map((o) => o.Key!).sort();
  }
  const tagsOf = async (key: string) =>
    Object.fromEntries(((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))).TagSet ?? []).map((t) => [t.Key, t.Value]));

  const upload = (path: string | undefined, body: Uint8Array | undefined, contentType: string | undefined, req: Partial<InvokeRequest> = {}) =>
    invoke(handler, {
      routeKey: ROUTE,
      token: issuer.token({ sub: ALICE, tenant: "acme" }),
      ...(path === undefined ? {} : { query: { path } }),
      ...(body === undefined ? {} : { body }),
      headers: contentType === undefined ? {} : { "content-type": contentType },
      ...req,
    });

  it("stores a clean PNG under the caller's home, tagged clean, and answers {path, etag, size}", async () => {
    const res = await upload("photos/pixel.png", PNG_1PX, "image/png");
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const key = `${home}photos/pixel.png`;
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    assert.deepEqual(res.body, { path: "photos/pixel.png", etag: stored.ETag, size: PNG_1PX.length, scanStatus: "clean" });
    assert.deepEqual(Buffer.from(await stored.Body!.transformToByteArray()), PNG_1PX);
    assert.equal(stored.ContentType, "image/png");
    assert.deepEqual(await tagsOf(key), { owner: ALICE, "scan-status": "clean" });
  });

  it("reserves the write against the quota, and the indexer turns the promise into stored bytes", async () => {
    const limited = createProxyHandler({ ...env, USER_QUOTA_BYTES: String(2 * PNG_1PX.length) }, { writer: s3TaggedWriter(s3), dynamodb: world.dynamodb, log });
    const sub = "a11ce000-0000-4000-8000-0000000000b2";
    const send = (path: string) =>
      invoke(limited, { routeKey: ROUTE, token: issuer.token({ sub, tenant: "acme" }), query: { path }, body: PNG_1PX, headers: { "content-type": "image/png" } });
    assert.equal((await send("a.png")).status, 200);
    assert.deepEqual((({ storedBytes, reservedBytes }) => [storedBytes, reservedBytes])(await world.index.usage({ tenant: "acme", home: sub })), [0, PNG_1PX.length]);
    await world.notify(`tenants/acme/home/${sub}/a.png`);
    assert.deepEqual((({ storedBytes, reservedBytes }) => [storedBytes, reservedBytes])(await world.index.usage({ tenant: "acme", home: sub })), [PNG_1PX.length, 0]);
    assert.equal((await send("b.png")).status, 200);
    const over = await send("c.png");
    assert.deepEqual([over.status, codeOf(over)], [403, "QuotaExceeded"]);
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `tenants/acme/home/${sub}/` }))).Contents ?? []).map((o) => o.Key);
    assert.deepEqual(keys.sort(), [`tenants/acme/home/${sub}/a.png`, `tenants/acme/home/${sub}/b.png`], "the refused write wrote nothing");
  });

  it("the object's own Object Created event confirms it clean (the proxy's tag records no ETag), and every redelivery scans it again", async () => {
    const key = `${home}photos/confirmed.png`;
    assert.equal((await upload("photos/confirmed.png", PNG_1PX, "image/png")).status, 200);
    const event = { source: "aws.s3", "detail-type": "Object Created", detail: { bucket: { name: bucket }, object: { key } } };
    const ports = { store: s3Store(s3), scanner: testScanner(db.database), log: recordingLogger() };
    const first = await handleObjectCreated(event, { buckets: new Set([bucket]), scan: CLAMAV_VOCABULARY }, ports);
    assert.equal(first.action, "tagged");
    assert.equal((await tagsOf(key))["scan-status"], "clean");
    // A clean tag is never a reason to skip: whoever could write it could have forged it.
    const again = await handleObjectCreated(event, { buckets: new Set([bucket]), scan: CLAMAV_VOCABULARY }, ports);
    assert.equal(again.action, "tagged");
    assert.equal((await tagsOf(key))["scan-etag"], (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag!.replace(/"/g, ""));
  });

  it("accepts a body of exactly the cap, and a Content-Type with parameters and capitals", async () => {
    const atCap = Buffer.concat([PNG_1PX, Buffer.alloc(MAX_BYTES - PNG_1PX.length)]);
    const res = await upload("photos/padded.png", atCap, "Image/PNG; charset=binary");
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((res.body as { size: number }).size, MAX_BYTES);
    assert.equal((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${home}photos/padded.png` }))).ContentType, "image/png");
  });

  it("stores a plain-text body API Gateway did not base64-encode", async () => {
    const res = await upload("notes/hello.txt", undefined, "text/plain", { body: "hello from the proxy\n" });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((res.body as { size: number }).size, 21);
  });

  describe("refusals write nothing", () => {
    let before: string[];
    beforeEach(async () => {
      before = await keys();
    });
    afterEach(async () => {
      assert.deepEqual(await keys(), before, "the engine holds no new object");
    });

    const jpegHeader = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
    const refusals: [string, () => Promise<Result>, number, string][] = [
      ["JPEG bytes declared as image/png", () => upload("photos/fake.png", jpegHeader, "image/png"), 415, "ContentMismatch"],
      ["PNG bytes declared as image/jpeg", () => upload("photos/fake.jpg", PNG_1PX, "image/jpeg"), 415, "ContentMismatch"],
      ["binary bytes declared as text/plain", () => upload("notes/fake.txt", PNG_1PX, "text/plain"), 415, "ContentMismatch"],
      ["a body one byte over the cap", () => upload("photos/big.png", Buffer.concat([PNG_1PX, Buffer.alloc(MAX_BYTES + 1 - PNG_1PX.length)]), "image/png"), 413, "ObjectTooLarge"],
      ["a type outside the allowlist", () => upload("photos/x.gif", Buffer.from("GIF89a"), "image/gif"), 415, "UnsupportedContentType"],
      ["an allowlisted type the proxy cannot verify", () => upload("music/song.mp3", Buffer.from("ID3\u0004"), "audio/mpeg"), 415, "UnverifiableContentType"],
      ["no Content-Type", () => upload("photos/pixel2.png", PNG_1PX, undefined), 415, "MissingContentType"],
      ["a path whose extension is not the type's", () => upload("photos/pixel.txt", PNG_1PX, "image/png"), 400, "ExtensionMismatch"],
      ["a path leaving the home", () => upload("../bob/pixel.png", PNG_1PX, "image/png"), 400, "InvalidPath"],
      ["no path", () => upload(undefined, PNG_1PX, "image/png"), 400, "InvalidPath"],
      ["no token", () => upload("photos/pixel3.png", PNG_1PX, "image/png", { token: undefined }), 401, "MissingToken"],
      ["a token without a tenant", () => upload("photos/pixel4.png", PNG_1PX, "image/png", { token: issuer.token({ sub: ALICE }) }), 403, "NoTenant"],
    ];
    for (const [label, send, status, code] of refusals) {
      it(`${label} → ${status} ${code}`, async () => {
        const res = await send();
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.equal(codeOf(res), code);
      });
    }

    it("EICAR inside a real PNG → 422 Infected, and the signature is logged", async () => {
      const res = await upload("photos/polyglot.png", Buffer.concat([PNG_1PX, EICAR]), "image/png");
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.deepEqual(res.body, { error: { code: "Infected", message: "The file failed its malware scan and was not stored." } });
      const line = log.lines.find((l) => l.message === "infected upload refused" && l.fields.key === `${home}photos/polyglot.png`);
      assert.equal(line?.fields.signature, EICAR_SIGNATURE);
    });

    it("EICAR as text/plain → 422 Infected", async () => {
      const res = await upload("notes/eicar.txt", EICAR, "text/plain");
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(codeOf(res), "Infected");
    });

    it("a scanner that fails → the bare 500, never a clean verdict", async () => {
      const failing = createProxyHandler(env, {
        writer: s3TaggedWriter(s3),
        dynamodb: world.dynamodb,
        log,
        scanner: { scan: () => Promise.reject(new ScanError("clamscan failed with exit code 2")) },
      });
      const res = await invoke(failing, {
        routeKey: ROUTE,
        token: issuer.token({ sub: ALICE, tenant: "acme" }),
        query: { path: "photos/unscanned.png" },
        body: PNG_1PX,
        headers: { "content-type": "image/png" },
      });
      assert.equal(res.status, 500);
      assert.deepEqual(res.body, { error: { code: "InternalError", message: "The request failed. Try again later." } });
      assert.equal(log.lines.at(-1)?.fields.error, "ScanError");
    });
  });
});
