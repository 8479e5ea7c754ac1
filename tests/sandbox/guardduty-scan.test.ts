import * as assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { GetObjectTaggingCommand, ListObjectVersionsCommand, S3Client } from "@aws-sdk/client-s3";
import { type ApiClient, errorCodeOf, send } from "../../scripts/demo/api-client";
import { signIn } from "../../scripts/demo/dev-token";
import { downloadWhenScanned } from "../../scripts/demo/download";
import { sandboxEntry } from "../../scripts/demo/sandbox-process";
import { PNG_1PX } from "../../scripts/demo/sample-files";
import { uploadFile } from "../../scripts/demo/upload";
import { EICAR } from "../functions/scan/clamav-fixture";
import { assertStoppedClean, cleanUp, startTestSandbox, type TestSandbox } from "./sandbox-fixture";

const SCAN_WAIT_MS = 60_000;

/**
 * The read gates with the `guardduty` scanner (the default, and the dev stack's), end to end on
 * the engine: the sandbox scans with ClamAV but writes GuardDuty's own tag and values and sends
 * GuardDuty's scan-result events to the stack's scan function, so what gates reads and what
 * quarantines is the code AWS runs, keyed on `GuardDutyMalwareScanStatus`.
 */
(sandboxEntry() === undefined ? describe.skip : describe)("sandbox with scanner guardduty: upload → scan → readable; EICAR → never readable", function () {
  this.timeout(480_000);
  let test: TestSandbox;
  let alice: ApiClient;
  let s3: S3Client;
  let bucket: string;
  const sub = randomUUID();
  const home = `tenants/acme/home/${sub}/`;

  before(async () => {
    test = await startTestSandbox("guardduty");
    const { ready } = test.sandbox;
    alice = await signIn(ready.api, { name: "alice@acme", sub, tenant: "acme" });
    s3 = new S3Client({
      // The engine itself, with the owner's keys: the test inspects what GuardDuty's stand-in wrote.
      endpoint: ready.s3.engine.endpoint,
      region: ready.s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: ready.s3.engine.accessKeyId, secretAccessKey: ready.s3.engine.secretAccessKey },
    });
    bucket = ready.s3.buckets.find((b) => b.includes("-storage-"))!;
  });
  after(async () => {
    s3?.destroy();
    if (test) {
      const exit = await test.sandbox.stop();
      assertStoppedClean(test, exit);
      await cleanUp([test]);
    }
  });

  const tagsOf = async (key: string) =>
    Object.fromEntries(((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))).TagSet ?? []).map((t) => [t.Key, t.Value]));

  it("a clean upload becomes readable once tagged GuardDutyMalwareScanStatus=NO_THREATS_FOUND, and serves its bytes", async () => {
    await uploadFile(alice, { path: "photos/clean.png", contentType: "image/png", bytes: PNG_1PX });
    const downloaded = await downloadWhenScanned(alice, "photos/clean.png", PNG_1PX, SCAN_WAIT_MS);
    assert.equal(downloaded.size, PNG_1PX.byteLength);
    // GuardDuty adds its tag to the owner tag every write path sets (the object index reads it).
    assert.deepEqual(await tagsOf(`${home}photos/clean.png`), { owner: sub, GuardDutyMalwareScanStatus: "NO_THREATS_FOUND" });
    const listing = await alice.call("GET", "/v1/objects", { query: { prefix: "photos/" } });
    const listed = (listing.body as { objects: { path: string; scanStatus: string }[] }).objects.find((o) => o.path === "photos/clean.png");
    assert.equal(listed?.scanStatus, "clean");
  });

  it("EICAR is never readable: never a URL, quarantined with THREATS_FOUND, gone from the owner's listing", async () => {
    const key = `${home}photos/eicar.png`;
    await uploadFile(alice, { path: "photos/eicar.png", contentType: "image/png", bytes: EICAR });
    const started = Date.now();
    const seen = new Set<string>();
    for (;;) {
      const answer = await alice.call("GET", "/v1/objects/url", { query: { path: "photos/eicar.png" } });
      assert.notEqual(answer.status, 200, "no URL is ever signed for an infected upload");
      seen.add(`${answer.status} ${errorCodeOf(answer)}`);
      if (answer.status === 404) {
        break;
      }
      assert.ok(Date.now() - started < SCAN_WAIT_MS, `still not quarantined after ${SCAN_WAIT_MS / 1000} s: ${[...seen].join(", ")}`);
      await sleep(300);
    }
    assert.equal((await tagsOf(`quarantine/${key}`)).GuardDutyMalwareScanStatus, "THREATS_FOUND");
    // The infected version stays in the versioned bucket, tagged by the scan and never readable.
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
    const infected = (versions.Versions ?? []).filter((v) => v.Key === key);
    assert.equal(infected.length, 1);
    const listing = await alice.call("GET", "/v1/objects", { query: { prefix: "photos/" } });
    assert.deepEqual(
      (listing.body as { objects: { path: string }[] }).objects.map((o) => o.path).filter((p) => p.includes("eicar")),
      [],
    );
  });

  it("the proxy writes untagged (pending) with GuardDuty, and the object becomes readable once scanned", async () => {
    const url = new URL("/v1/proxy/objects", test.sandbox.ready.api);
    url.searchParams.set("path", "photos/proxied.png");
    const answer = await send(url, { method: "POST", headers: { authorization: `Bearer ${alice.token}`, "content-type": "image/png" }, body: PNG_1PX });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal((answer.body as { scanStatus: string }).scanStatus, "pending");
    const downloaded = await downloadWhenScanned(alice, "photos/proxied.png", PNG_1PX, SCAN_WAIT_MS);
    assert.equal(downloaded.size, PNG_1PX.byteLength);
    assert.deepEqual(await tagsOf(`${home}photos/proxied.png`), { owner: sub, GuardDutyMalwareScanStatus: "NO_THREATS_FOUND" });
  });
});
