import * as assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { cdnSessionFunction } from "../../../functions/cdn-session/app";
import { loadCdnSessionConfig } from "../../../functions/cdn-session/config";
import { cdnObjectUrl, type CookieSigner } from "../../../functions/cdn-session/core";
import { cloudFrontCookieSigner } from "../../../functions/cdn-session/signer";
import { cloudFrontVerdict, fromCloudFrontBase64, signedUrlParts, type TrustedKeyGroup } from "../../infra/cdn/cloudfront-verifier";
import { apiRequest, CALLER } from "../fixtures";

const DOMAIN = "d111111abcdef8.cloudfront.net";
const KEY_PAIR_ID = "K2JCJMDEHXQW5F";
const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
const PRIVATE_PEM = pair.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
const KEY_GROUP: TrustedKeyGroup = { items: [KEY_PAIR_ID], publicKeys: { [KEY_PAIR_ID]: pair.publicKey.export({ type: "spki", format: "pem" }) as string } };

const config = loadCdnSessionConfig({ CDN_DOMAIN_NAME: DOMAIN, CDN_KEY_PAIR_ID: KEY_PAIR_ID, CDN_PRIVATE_KEY_PEM: PRIVATE_PEM, CDN_SESSION_TTL_SECONDS: "900" });
const NOW = Date.parse("2026-11-24T10:00:00.400Z");
const NOW_SECONDS = Math.floor(NOW / 1000);
const HOME = `tenants/acme/home/${CALLER.sub}/`;

/** The function's own signer, counting what it signs. */
function countingSigner(): CookieSigner & { signed: number } {
  const real = cloudFrontCookieSigner(KEY_PAIR_ID, () => Promise.resolve(PRIVATE_PEM));
  const signer = {
    signed: 0,
    sign: (policy: string) => {
      signer.signed++;
      return real.sign(policy);
    },
  };
  return signer;
}

async function cdnUrl(path: string | undefined, signer: CookieSigner = countingSigner()) {
  const response = await cdnSessionFunction.serve(apiRequest("GET /v1/objects/cdn-url", { query: path === undefined ? {} : { path } }), {
    config,
    deps: { signer, now: () => NOW },
  });
  return response as { status: number; body: { url: string; expiresAt: string } & { error: { code: string } } };
}

describe("functions/cdn-session: GET /v1/objects/cdn-url", () => {
  it("answers a URL CloudFront accepts with the key group, for exactly that object", async () => {
    const { status, body } = await cdnUrl("photos/cat.jpg");
    assert.equal(status, 200);
    const { url, credentials } = signedUrlParts(body.url);
    assert.equal(url, `https://${DOMAIN}/${HOME}photos/cat.jpg`);
    assert.deepEqual(cloudFrontVerdict(credentials, KEY_GROUP, url, NOW_SECONDS), { ok: true });
    for (const other of [`https://${DOMAIN}/${HOME}photos/cat.jpg2`, `https://${DOMAIN}/${HOME}photos/dog.jpg`, `https://${DOMAIN}/${HOME}`]) {
      assert.equal(cloudFrontVerdict(credentials, KEY_GROUP, other, NOW_SECONDS).ok, false, `${other} is not opened`);
    }
    const [statement] = (JSON.parse(fromCloudFrontBase64(credentials.policy).toString("utf8")) as { Statement: { Resource: string }[] }).Statement;
    assert.equal(statement.Resource, url, "the policy names the URL itself, no wildcard");
  });

  it("expires after cdnSessionTtlSeconds, as expiresAt says", async () => {
    const { body } = await cdnUrl("photos/cat.jpg");
    assert.equal(body.expiresAt, "2026-11-24T10:15:00.000Z");
    const { url, credentials } = signedUrlParts(body.url);
    assert.deepEqual(cloudFrontVerdict(credentials, KEY_GROUP, url, NOW_SECONDS + 899), { ok: true });
    assert.equal(cloudFrontVerdict(credentials, KEY_GROUP, url, NOW_SECONDS + 900).ok, false);
    assert.equal(cloudFrontVerdict(credentials, KEY_GROUP, url, Date.parse(body.expiresAt) / 1000).ok, false);
  });

  it("is refused with a key the key group does not hold", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const { body } = await cdnUrl("photos/cat.jpg", cloudFrontCookieSigner("KOTHERKEY123", () => Promise.resolve(other)));
    const { url, credentials } = signedUrlParts(body.url);
    assert.match((cloudFrontVerdict(credentials, KEY_GROUP, url, NOW_SECONDS) as { reason: string }).reason, /not in the key group/);
  });

  const encoded: [string, string][] = [
    ["photos/summer 2024/café.jpg", "photos/summer%202024/caf%C3%A9.jpg"],
    ["a?b#c&d=e+f.jpg", "a%3Fb%23c%26d%3De%2Bf.jpg"],
    ["notes (1)*!'.txt", "notes%20%281%29%2A%21%27.txt"],
    ["unreserved-._~.txt", "unreserved-._~.txt"],
  ];
  for (const [path, expected] of encoded) {
    it(`percent-encodes ${JSON.stringify(path)} as CloudFront expects, and the URL still verifies`, async () => {
      const { status, body } = await cdnUrl(path);
      assert.equal(status, 200);
      const { url, credentials } = signedUrlParts(body.url);
      assert.equal(url, `https://${DOMAIN}/${HOME}${expected}`);
      assert.ok(!/[*?]/.test(url.slice("https://".length)), "no policy wildcard in the resource");
      assert.deepEqual(cloudFrontVerdict(credentials, KEY_GROUP, url, NOW_SECONDS), { ok: true });
    });
  }

  it("builds the object URL from the key alone", () => {
    assert.equal(cdnObjectUrl(DOMAIN, "tenants/a/home/u/x y.jpg"), `https://${DOMAIN}/tenants/a/home/u/x%20y.jpg`);
  });

  const refused: [string, string | undefined, string][] = [
    ["no path", undefined, "InvalidPath"],
    ["an empty path", "", "InvalidPath"],
    ["traversal", "../other-user/cat.jpg", "InvalidPath"],
    ["traversal in the middle", "photos/../../x.jpg", "InvalidPath"],
    ["an absolute path", "/tenants/acme/home/other/cat.jpg", "InvalidPath"],
    ["percent-encoded traversal", "%2e%2e/cat.jpg", "InvalidPath"],
    ["a backslash", "photos\\cat.jpg", "InvalidPath"],
    ["a fullwidth dot segment", "\uff0e\uff0e/cat.jpg", "InvalidPath"],
    ["a folder", "photos/", "InvalidPath"],
    ["the reserved segment", ".mobile-s3/state.json", "ReservedPath"],
    ["a key over 1,024 bytes", `${"a".repeat(200)}/`.repeat(6) + "x.jpg", "PathTooLong"],
  ];
  for (const [name, path, code] of refused) {
    it(`refuses ${name} (400 ${code}) without signing anything`, async () => {
      const signer = countingSigner();
      const { status, body } = await cdnUrl(path, signer);
      assert.equal(status, 400);
      assert.equal(body.error.code, code);
      assert.equal(signer.signed, 0);
    });
  }
});
