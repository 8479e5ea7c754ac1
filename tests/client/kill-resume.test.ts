import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { type RunningSandbox } from "../../scripts/demo/sandbox-process";
import { killMidPart, startUploadProcess } from "../../scripts/upload-process";
import { FileStore } from "../../client/src/node";
import { type FaultProxy, partResends, startFaultProxy } from "../../scripts/fault-proxy";
import { clientFor, downloadedSha256, MIB, openMultipartUploads, randomFile, tokenFor, useClientSandbox } from "./harness";

const isPartPut = (r: { method: string; partNumber?: number }) => r.method === "PUT" && r.partNumber !== undefined;

describe("client: an app killed mid-upload resumes from its store", function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox;
  let s3: FaultProxy;
  let dir: string;

  before(async () => {
    sandbox = await useClientSandbox();
    // ~0.2 s per 5 MiB part, so the kill lands while a part is on the wire.
    s3 = await startFaultProxy({ target: sandbox.ready.s3.endpoint, decide: (r) => (isPartPut(r) ? { kind: "slow", bytesPerSecond: 25 * MIB } : undefined) });
    dir = mkdtempSync(path.join(tmpdir(), "client-kill-"));
  });
  after(async () => {
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const concurrency of [1, 3]) {
    it(`concurrency ${concurrency}: a second process finishes the upload; no part S3 confirmed is sent again, at most ${concurrency} cut off by the kill`, async () => {
      const sub = `killed-${concurrency}`;
      const file = randomFile(41 * MIB); // 9 parts of 5 MiB
      const filePath = path.join(dir, `${sub}.mp4`);
      writeFileSync(filePath, file.bytes);
      const env = {
        API_URL: sandbox.ready.api,
        ID_TOKEN: await tokenFor(sandbox, sub),
        ENGINE_ORIGIN: sandbox.ready.s3.endpoint,
        PROXY_ORIGIN: s3.url,
        STORE_DIR: path.join(dir, `${sub}-store`),
        FILE: filePath,
        UPLOAD_PATH: "videos/trip.mp4",
        CONCURRENCY: String(concurrency),
      };
      const start = s3.requests.length;
      // Killed once three parts are confirmed and another one is on its way.
      await killMidPart(s3, start, startUploadProcess(env));
      const pending = await new FileStore(env.STORE_DIR).getAllKeys();
      assert.equal(pending.length, 1, "the killed process left its upload in the store");

      const since = s3.requests.length;
      const result = await startUploadProcess(env).result;
      assert.equal(result.size, file.bytes.byteLength);
      assert.ok(result.resumedParts >= 3, `resumed ${result.resumedParts} parts`);

      const uploadId = s3.requests.slice(start).find(isPartPut)!.uploadId!;
      const resends = partResends(s3.requests.slice(start), { uploadId, since: since - start });
      assert.deepEqual(resends.resentAfterSuccess, [], "a part S3 had confirmed was sent again");
      assert.ok(resends.resentParts.length <= concurrency, `re-sent parts ${resends.resentParts.join(", ")}`);
      const client = await clientFor(sandbox, sub);
      assert.equal(await downloadedSha256(client, "videos/trip.mp4"), file.sha256);
      assert.deepEqual(await openMultipartUploads(sandbox, `tenants/acme/home/${sub}/`), []);
      assert.deepEqual(await new FileStore(env.STORE_DIR).getAllKeys(), [], "the store is empty once the upload completed");
      // For the closing note: what the kill cost.
      console.log(`      concurrency ${concurrency}: re-sent parts [${resends.resentParts.join(", ")}], ${resends.bytesResent} bytes; resumed ${result.resumedParts} of 9`);
    });
  }
});
