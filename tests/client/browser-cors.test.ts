import { strict as assert } from "node:assert";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { type RunningSandbox } from "../../scripts/demo/sandbox-process";
import { cleanUrl, clientFor, useClientSandbox } from "./harness";

/** The dev stack's web origin: the sandbox's buckets carry the program's CORS rule for it. */
const ORIGIN = (parse(readFileSync(path.join(__dirname, "..", "..", "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, string[]> }).config[
  "mobile-s3:corsOrigins"
][0];

describe("client: what a browser may send to the buckets (CORS preflights answered by the engine)", function () {
  this.timeout(60_000);
  let sandbox: RunningSandbox;
  let bucketUrl: string;

  before(async () => {
    sandbox = await useClientSandbox();
    const bucket = sandbox.ready.s3.buckets.find((name) => !/log|audit|trail/.test(name))!;
    bucketUrl = `${sandbox.ready.s3.endpoint}/${bucket}/tenants/acme/home/someone/photo.png`;
  });

  const preflight = (origin: string, method: string, headers: string) =>
    fetch(bucketUrl, { method: "OPTIONS", headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers } });

  for (const [pattern, method, headers] of [
    ["presigned part upload", "PUT", "content-type"],
    ["presigned read", "GET", ""],
    ["direct mode (SDK) upload", "PUT", "authorization,content-type,x-amz-date,x-amz-content-sha256,x-amz-security-token,x-amz-user-agent,amz-sdk-invocation-id,amz-sdk-request"],
    ["direct mode (SDK) delete", "DELETE", "authorization,x-amz-date,x-amz-content-sha256,x-amz-security-token,amz-sdk-invocation-id,amz-sdk-request"],
  ] as const) {
    it(`allows the app's origin a ${pattern}`, async () => {
      const answer = await preflight(ORIGIN, method, headers);
      assert.equal(answer.status, 200, await answer.text());
      assert.equal(answer.headers.get("access-control-allow-origin"), ORIGIN);
      assert.match(answer.headers.get("access-control-allow-methods") ?? "", new RegExp(method));
    });
  }

  it("refuses another origin", async () => {
    const answer = await preflight("https://evil.example", "PUT", "content-type");
    assert.notEqual(answer.status, 200);
    assert.equal(answer.headers.get("access-control-allow-origin"), null);
  });

  it("exposes ETag to the app on the actual answer, which multipart needs", async () => {
    const client = await clientFor(sandbox, "browser");
    await client.upload(new Uint8Array([1, 2, 3]), { path: "cors/etag.png", contentType: "image/png" });
    const { url } = await cleanUrl(client, "cors/etag.png");
    const answer = await fetch(url, { headers: { origin: ORIGIN } });
    await answer.arrayBuffer();
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("access-control-allow-origin"), ORIGIN);
    assert.match(answer.headers.get("access-control-expose-headers") ?? "", /etag/i);
  });
});
