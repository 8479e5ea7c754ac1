import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { GetObjectCommand, GetObjectTaggingCommand, PutObjectCommand, PutObjectTaggingCommand } from "@aws-sdk/client-s3";
import { fromCognitoIdentityPool } from "@aws-sdk/credential-providers";
import { createDirectClient, type DirectClient, identityPoolParameters } from "../../../client/src/direct";
import { type GatewayWorld, homeOf, startWorld, subOf } from "./fixture";

/**
 * The app's direct mode end to end on loopback: the SDK's own identity-pool flow against the
 * stand-in (GetId, GetCredentialsForIdentity), then S3 through the gateway with those credentials.
 */
describe("sandbox/iam-gateway: direct client with identity-pool credentials", function () {
  this.timeout(60_000);
  let world: GatewayWorld;
  let direct: DirectClient;
  const token = () => world.issuer.token({ sub: subOf("acme", "u1"), tenant: "acme" });

  before(async () => {
    world = await startWorld();
    const options = { region: world.engine.region, identityPoolId: world.identityPoolId, userPoolId: world.userPoolId, getToken: async () => token() };
    const params = identityPoolParameters(options);
    direct = createDirectClient({
      ...options,
      storage: { pooledBucket: world.pooled, tenants: {} },
      homeKey: "userSub",
      tenantClaim: "custom:tenant",
      credentials: fromCognitoIdentityPool({ ...params, clientConfig: { region: world.engine.region, endpoint: world.gateway.endpoint } }),
      s3: { endpoint: world.gateway.endpoint, forcePathStyle: true },
    });
  });
  after(async () => {
    direct?.destroy();
    await world?.close();
  });

  it("uploads, lists and reads (once scanned clean) in its own home", async () => {
    const bytes = randomBytes(2048);
    const result = await direct.upload(bytes, { path: "docs/a.bin", contentType: "application/octet-stream" });
    assert.equal(result.size, 2048);
    const page = await direct.list();
    assert.deepEqual(page.objects.map((o) => o.path), ["docs/a.bin"]);
    const { url } = await direct.getUrl("docs/a.bin");
    assert.equal((await fetch(url)).status, 403, "unscanned: the read gate refuses it");
    await world.admin.send(new PutObjectTaggingCommand({ Bucket: world.pooled, Key: `${homeOf("acme", "u1")}docs/a.bin`, Tagging: { TagSet: [{ Key: "scan-status", Value: "clean" }] } }));
    const read = await fetch(url);
    assert.equal(read.status, 200);
    assert.deepEqual(Buffer.from(await read.arrayBuffer()), bytes);
    await direct.remove("docs/a.bin");
    assert.deepEqual((await direct.list()).objects, []);
  });

  it("tags its uploads with their owner (the one tag the app role may write), and cannot write any other tag", async () => {
    const bytes = randomBytes(64);
    await direct.upload(bytes, { path: "docs/owned.bin", contentType: "application/octet-stream" });
    const tags = await world.admin.send(new GetObjectTaggingCommand({ Bucket: world.pooled, Key: `${homeOf("acme", "u1")}docs/owned.bin` }));
    assert.deepEqual(tags.TagSet, [{ Key: "owner", Value: subOf("acme", "u1") }]);
    const s3 = world.client(fromCognitoIdentityPool({ ...identityPoolParameters({ region: world.engine.region, identityPoolId: world.identityPoolId, userPoolId: world.userPoolId, getToken: async () => token() }), clientConfig: { region: world.engine.region, endpoint: world.gateway.endpoint } }));
    const key = `${homeOf("acme", "u1")}docs/forged.bin`;
    for (const Tagging of [`owner=${subOf("acme", "u2")}`, "scan-status=clean", `owner=${subOf("acme", "u1")}&scan-status=clean`]) {
      await assert.rejects(s3.send(new PutObjectCommand({ Bucket: world.pooled, Key: key, Body: "x", Tagging })), (err: Error) => err.name === "AccessDenied", Tagging);
    }
    await direct.remove("docs/owned.bin");
  });

  it("is refused (AccessDenied) outside its home with the same credentials", async () => {
    const s3 = world.client(fromCognitoIdentityPool({ ...identityPoolParameters({ region: world.engine.region, identityPoolId: world.identityPoolId, userPoolId: world.userPoolId, getToken: async () => token() }), clientConfig: { region: world.engine.region, endpoint: world.gateway.endpoint } }));
    for (const key of [`${homeOf("acme", "u2")}x.txt`, `${homeOf("initech", "u1")}x.txt`, "tenants/acme/x.txt"]) {
      await assert.rejects(s3.send(new PutObjectCommand({ Bucket: world.pooled, Key: key, Body: "x" })), (err: Error) => err.name === "AccessDenied", key);
    }
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: world.dedicated, Key: `${homeOf("initech", "u1")}x.txt` })), (err: Error) => err.name === "AccessDenied");
  });

  it("the identity pool refuses forged tokens and tokens without a tenant", async () => {
    const forged = world.issuer.token({ sub: subOf("acme", "u1"), tenant: "acme" }).replace(/\.[^.]+$/, ".c2lnbmF0dXJl");
    const untenanted = world.issuer.token({ sub: subOf("acme", "u1") });
    for (const [label, login] of [["forged", forged], ["no tenant", untenanted]]) {
      const provider = fromCognitoIdentityPool({ identityPoolId: world.identityPoolId, logins: { [world.providerName]: login }, clientConfig: { region: world.engine.region, endpoint: world.gateway.endpoint } });
      await assert.rejects(provider(), (err: Error) => err.name === "NotAuthorizedException", label);
    }
  });
});
