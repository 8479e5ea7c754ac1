import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { parseAdminArgs } from "../../../scripts/admin/args";
import { type IndexWorld, startIndexWorld } from "../../harness/object-index";

const ROOT = path.resolve(__dirname, "../../..");
const REGION = "eu-west-1";
const FUNCTION = "mobile-s3-prod-indexer-1a2b3c4";
const TENANT = "acme";
const SUB = "0a11ce00-0000-4000-8000-0000000000cc";

/**
 * Lambda's Invoke API on 127.0.0.1 (`POST /2015-03-31/functions/<name>/invocations`), running the real
 * indexer handler for the one function it knows: what `reindex` reaches in AWS, minus the network.
 */
async function lambdaStandIn(name: string, handler: (event: unknown) => Promise<unknown>): Promise<{ url: string; calls: string[]; close(): Promise<void> }> {
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? "");
      calls.push(`${req.method} ${req.url} ${req.headers["x-amz-invocation-type"] ?? ""} ${String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256") ? "signed" : "unsigned"}`);
      if (req.method !== "POST" || match === null || decodeURIComponent(match[1]) !== name) {
        res.writeHead(404, { "content-type": "application/json", "x-amzn-errortype": "ResourceNotFoundException" }).end(JSON.stringify({ message: "Function not found" }));
        return;
      }
      handler(JSON.parse(Buffer.concat(chunks).toString("utf8"))).then(
        (answer) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer)),
        (err: Error) => res.writeHead(200, { "content-type": "application/json", "x-amz-function-error": "Unhandled" }).end(JSON.stringify({ errorType: err.name, errorMessage: "hidden" })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function admin(args: string[], tmp: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: tmp,
    AWS_ACCESS_KEY_ID: "TESTKEY-REINDEX",
    AWS_SECRET_ACCESS_KEY: "reindex-test-secret",
    AWS_CONFIG_FILE: path.join(tmp, "none"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, "none"),
    AWS_EC2_METADATA_DISABLED: "true",
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/admin.ts", ...args], { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run admin -- reindex", function () {
  this.timeout(120_000);

  describe("its arguments", () => {
    it("takes a scope and the function, and refuses a home without its tenant", () => {
      assert.deepEqual(parseAdminArgs(["reindex", "--tenant", "acme", "--home", SUB, "--function-name", FUNCTION]), {
        kind: "reindex",
        tenant: "acme",
        home: SUB,
        functionName: FUNCTION,
        source: { stack: undefined, stackOutputsFile: undefined, region: undefined, userPoolId: undefined, endpoint: undefined },
      });
      assert.throws(() => parseAdminArgs(["reindex", "--home", SUB]), /--home needs --tenant/);
      assert.throws(() => parseAdminArgs(["reindex", "--tenant", "Not A Tenant"]), /--tenant/);
      assert.throws(() => parseAdminArgs(["reindex", "--email", "a@b.c"]), /--email is not an option of reindex/);
    });
  });

  describe("against the real indexer behind a Lambda stand-in", () => {
    let world: IndexWorld;
    let lambda: Awaited<ReturnType<typeof lambdaStandIn>>;
    let tmp: string;
    let outputs: string;

    before(async () => {
      world = await startIndexWorld();
      lambda = await lambdaStandIn(FUNCTION, world.indexer);
      tmp = mkdtempSync(path.join(tmpdir(), "mobile-s3-reindex-"));
      outputs = path.join(tmp, "stack.json");
      writeFileSync(
        outputs,
        JSON.stringify({ appConfig: { region: REGION, userPoolId: `${REGION}_Reindex1`, tenantClaim: "custom:tenant" }, objectIndex: { tableName: "t", tableArn: "arn:t", indexerFunction: FUNCTION } }),
      );
    });
    after(async () => {
      await lambda?.close();
      await world?.close();
      if (tmp !== undefined) {
        rmSync(tmp, { recursive: true, force: true });
      }
    });

    it("repairs what events never told the index (objects written, no event delivered) and prints the drift report", async () => {
      for (const name of ["a.jpg", "b.jpg", "trip/c.jpg"]) {
        await world.s3.send(new PutObjectCommand({ Bucket: world.bucket, Key: `tenants/${TENANT}/home/${SUB}/${name}`, Body: "data", ContentType: "image/jpeg" }));
      }
      const run = await admin(["reindex", "--tenant", TENANT, "--home", SUB, "--stack-outputs", outputs, "--endpoint", lambda.url], tmp);
      assert.equal(run.code, 0, run.stderr);
      const line = JSON.parse(run.stdout.trim()) as { scope: unknown; reconciled: { objectsAdded: number; foldersAdded: number; versionsAdded: number } };
      assert.deepEqual(line.scope, { tenant: TENANT, home: SUB });
      assert.equal(line.reconciled.objectsAdded, 3);
      assert.equal(line.reconciled.versionsAdded, 3);
      assert.equal((await world.index.usage({ tenant: TENANT, home: SUB })).objects, 3);
      assert.deepEqual(lambda.calls, [`POST /2015-03-31/functions/${FUNCTION}/invocations RequestResponse signed`]);

      const again = await admin(["reindex", "--tenant", TENANT, "--stack-outputs", outputs, "--endpoint", lambda.url], tmp);
      assert.equal(again.code, 0, again.stderr);
      assert.equal((JSON.parse(again.stdout) as { reconciled: { objectsAdded: number } }).reconciled.objectsAdded, 0, "nothing left to repair");
    });

    it("fails with one line naming what to do when the stack has no indexer or the function fails", async () => {
      const bare = path.join(tmp, "bare.json");
      writeFileSync(bare, JSON.stringify({ appConfig: { region: REGION, userPoolId: `${REGION}_Reindex1`, tenantClaim: "custom:tenant" } }));
      const missing = await admin(["reindex", "--stack-outputs", bare, "--endpoint", lambda.url], tmp);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /has no objectIndex.indexerFunction output/);
      const wrong = await admin(["reindex", "--stack-outputs", outputs, "--endpoint", lambda.url, "--function-name", "someone-else"], tmp);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /could not invoke someone-else \(ResourceNotFoundException\)/);
    });
  });
});
