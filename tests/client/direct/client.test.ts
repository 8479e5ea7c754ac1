import * as assert from "node:assert/strict";
import { type FromCognitoIdentityPoolParameters } from "@aws-sdk/credential-providers";
import { createDirectClient, type DirectClient, identityPoolCredentials, identityPoolParameters, type DirectClientOptions } from "../../../client/src/direct";
import { StorageArgumentError, StorageError } from "../../../client/src/errors";
import { ALICE, directOptions, FAKE_KEYS, IDENTITY_ID, idToken, REGION } from "./fixtures";

/** Direct mode without the network: how it is wired, where it points, and what it refuses up front. */
describe("client/direct (setup, no network)", () => {
  const clients: DirectClient[] = [];
  const client = (options: DirectClientOptions) => {
    const c = createDirectClient(options);
    clients.push(c);
    return c;
  };
  after(() => clients.forEach((c) => c.destroy()));

  describe("identity pool credentials", () => {
    const pool = { region: REGION, identityPoolId: `${REGION}:11111111-2222-4333-8444-555555555555`, userPoolId: `${REGION}_TestPool1` };

    it("logs in with the user pool's ID token under the pool's issuer name, in the stack's region", async () => {
      const asked: boolean[] = [];
      const params = identityPoolParameters({
        ...pool,
        getToken: ({ forceRefresh }) => {
          asked.push(forceRefresh);
          return "the-id-token";
        },
      });
      assert.equal(params.identityPoolId, pool.identityPoolId);
      assert.deepEqual(Object.keys(params.logins ?? {}), [`cognito-idp.${REGION}.amazonaws.com/${REGION}_TestPool1`]);
      assert.deepEqual(params.clientConfig, { region: REGION });
      assert.equal(params.userIdentifier, undefined, "the identity id is not cached in the platform's storage");
      const login = Object.values(params.logins ?? {})[0];
      assert.equal(typeof login, "function", "the token is read each time credentials are fetched");
      assert.equal(await (login as () => Promise<string>)(), "the-id-token");
      assert.deepEqual(asked, [false]);
    });

    it("builds the provider with those parameters and asks for a fresh token once when Cognito refuses it", async () => {
      const seen: FromCognitoIdentityPoolParameters[] = [];
      const tokens: boolean[] = [];
      let refusals = 1;
      const fakeFromPool = ((params: FromCognitoIdentityPoolParameters) => {
        seen.push(params);
        return async () => {
          const login = Object.values(params.logins ?? {})[0] as () => Promise<string>;
          await login();
          if (refusals-- > 0) {
            throw Object.assign(new Error("Invalid login token. Token expired"), { name: "NotAuthorizedException", $metadata: { httpStatusCode: 400 } });
          }
          return { ...FAKE_KEYS, identityId: IDENTITY_ID };
        };
      }) as unknown as Parameters<typeof identityPoolCredentials>[1];
      const provider = identityPoolCredentials({ ...pool, getToken: ({ forceRefresh }) => (tokens.push(forceRefresh), "t") }, fakeFromPool);
      assert.equal(seen.length, 1);
      assert.equal(seen[0].identityPoolId, pool.identityPoolId);
      assert.ok(Object.keys(seen[0].logins ?? {})[0] === `cognito-idp.${REGION}.amazonaws.com/${pool.userPoolId}`);
      const credentials = await provider();
      assert.equal((credentials as { identityId?: string }).identityId, IDENTITY_ID);
      assert.deepEqual(tokens, [false, true]);

      refusals = 2;
      tokens.length = 0;
      await assert.rejects(provider(), { name: "NotAuthorizedException" });
      assert.deepEqual(tokens, [false, true], "one refresh, not a loop");
    });

    it("passes other failures through without a refresh", async () => {
      const tokens: boolean[] = [];
      const fakeFromPool = ((params: FromCognitoIdentityPoolParameters) => async () => {
        await (Object.values(params.logins ?? {})[0] as () => Promise<string>)();
        throw Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" });
      }) as unknown as Parameters<typeof identityPoolCredentials>[1];
      const provider = identityPoolCredentials({ ...pool, getToken: ({ forceRefresh }) => (tokens.push(forceRefresh), "t") }, fakeFromPool);
      await assert.rejects(provider(), { name: "TooManyRequestsException" });
      assert.deepEqual(tokens, [false]);
    });
  });

  describe("where the user's objects are", () => {
    const storage = {
      pooledBucket: "app-dev-pool",
      tenants: {
        initech: { tier: "accessPoint", bucket: "app-dev-pool", accessPointArn: "arn:aws:s3:eu-west-1:123456789012:accesspoint/app-dev-initech", accessPointAlias: "app-dev-initech-abc123-s3alias" },
        arnonly: { tier: "accessPoint", bucket: "app-dev-pool", accessPointArn: "arn:aws:s3:eu-west-1:123456789012:accesspoint/app-dev-arnonly" },
        umbrella: { tier: "bucket", bucket: "app-dev-t-umbrella-123456789012-eu-west-1" },
        broken: { tier: "accessPoint", bucket: "app-dev-pool" },
        odd: { tier: "silo", bucket: "x" },
      },
    };
    const tiers: [string, string, string][] = [
      ["acme", "pooled", "app-dev-pool"],
      ["constructor", "pooled", "app-dev-pool"],
      ["initech", "accessPoint", "app-dev-initech-abc123-s3alias"],
      ["arnonly", "accessPoint", "arn:aws:s3:eu-west-1:123456789012:accesspoint/app-dev-arnonly"],
      ["umbrella", "bucket", "app-dev-t-umbrella-123456789012-eu-west-1"],
    ];
    for (const [tenant, tier, bucket] of tiers) {
      it(`${tenant}: ${tier} tier → ${bucket}`, async () => {
        const { options, calls } = directOptions({ tenant, storage });
        const where = await client(options).location();
        assert.deepEqual(where, { tier, bucket, tenant, home: ALICE, prefix: `tenants/${tenant}/home/${ALICE}/` });
        assert.equal(calls.credentials, 0, "the userSub home needs no credentials");
      });
    }

    it("refuses a tenant route it cannot address, naming it", async () => {
      await assert.rejects(client(directOptions({ tenant: "broken", storage }).options).location(), (err: unknown) => {
        assert.ok(err instanceof StorageArgumentError);
        assert.match(err.message, /\[storage\.tenants\.broken\] is an accessPoint tenant without accessPointAlias or accessPointArn/);
        return true;
      });
      await assert.rejects(client(directOptions({ tenant: "odd", storage }).options).location(), /\[storage\.tenants\.odd\.tier\] must be pooled, accessPoint or bucket/);
    });

    it('keys homes by the identity pool\'s identity id when homeKey is "identityId"', async () => {
      const { options, calls } = directOptions({ homeKey: "identityId" });
      const where = await client(options).location();
      assert.equal(where.home, IDENTITY_ID);
      assert.equal(where.prefix, `tenants/acme/home/${IDENTITY_ID}/`);
      assert.equal(calls.credentials, 1);
    });

    it('refuses "identityId" homes with credentials that carry no identity id', async () => {
      const { options } = directOptions({ homeKey: "identityId", credentials: async () => ({ ...FAKE_KEYS }) });
      await assert.rejects(client(options).location(), (err: unknown) => err instanceof StorageError && err.code === "NoIdentityId" && /fromCognitoIdentityPool/.test(err.message));
    });

    it("reads the home once per client", async () => {
      const { options, calls } = directOptions();
      const c = client(options);
      await Promise.all([c.location(), c.location()]);
      await c.location();
      assert.equal(calls.getToken, 1);
    });
  });

  describe("tokens it cannot use", () => {
    const tokens: [string, string, string, RegExp][] = [
      ["no tenant claim", idToken({ sub: ALICE }), "NoTenant", /the ID token carries no custom:tenant claim; ask an administrator/],
      ["an empty tenant", idToken({ sub: ALICE, "custom:tenant": "" }), "NoTenant", /no custom:tenant claim/],
      ["an invalid tenant", idToken({ sub: ALICE, "custom:tenant": "../globex" }), "InvalidTenant", /custom:tenant claim is not a valid tenant id/],
      ["an invalid sub", idToken({ sub: "a/b", "custom:tenant": "acme" }), "InvalidSubject", /sub claim is not a valid user id/],
      ["an access token", idToken({ sub: ALICE, token_use: "access" }), "InvalidToken", /must return the user pool's ID token, got a token with token_use "access"/],
      ["not a JWT", "opaque-session-token", "InvalidToken", /but it is not a JWT/],
      ["a payload that is not JSON", "eyJhbGciOiJub25lIn0.bm90IGpzb24.c2ln", "InvalidToken", /payload is not base64url JSON/],
    ];
    for (const [label, token, code, message] of tokens) {
      it(`refuses ${label} with a StorageError ${code}, quoting no token`, async () => {
        const { options, calls } = directOptions({ getToken: () => token });
        const c = client(options);
        const check = (err: unknown) => {
          assert.ok(err instanceof StorageError, String(err));
          assert.equal(err.code, code);
          assert.match(err.message, message);
          assert.ok(!err.message.includes(token.split(".")[1] ?? token), "the token is not quoted");
          return true;
        };
        await assert.rejects(c.location(), check);
        await assert.rejects(c.upload(new Uint8Array(8), { path: "a.txt", contentType: "text/plain" }).done, (err: unknown) => check(err) && /^upload a\.txt: /.test((err as Error).message));
        await assert.rejects(c.list(), (err: unknown) => check(err) && /^list the home: /.test((err as Error).message));
        assert.equal(calls.credentials, 0);
      });
    }
  });

  describe("arguments it refuses before any request", () => {
    const bad: [string, string][] = [
      ["../other/x.jpg", '"." or ".." segments'],
      ["/abs.jpg", 'remove the leading "/"'],
      ["a//b.jpg", "empty segments"],
      ["a\\b.jpg", "only separator"],
      ["", "is required"],
      [".mobile-s3/binding.json", "reserved"],
    ];
    for (const [path, rule] of bad) {
      it(`refuses the path ${JSON.stringify(path)} in upload, getUrl and remove, reading no token and signing nothing`, async () => {
        const { options, calls } = directOptions();
        const c = client(options);
        const refused = (operation: string) => (err: unknown) => err instanceof StorageArgumentError && err.message.startsWith(`${operation}: [path]`) && err.message.includes(rule);
        assert.throws(() => c.upload(new Uint8Array(8), { path, contentType: "text/plain" }), refused("upload"));
        await assert.rejects(c.getUrl(path), refused("getUrl"));
        await assert.rejects(c.remove(path), refused("remove"));
        assert.deepEqual(calls, { getToken: 0, credentials: 0 });
      });
    }

    it("refuses bad listing prefixes, limits and cursors", async () => {
      const { options, calls } = directOptions();
      const c = client(options);
      await assert.rejects(c.list({ prefix: "../" }), /list: \[prefix\] must not contain/);
      await assert.rejects(c.list({ limit: 0 }), /list: \[limit\] must be an integer from 1 to 1000/);
      await assert.rejects(c.list({ limit: 1001 }), /\[limit\]/);
      await assert.rejects(c.list({ cursor: "" }), /\[cursor\]/);
      await assert.rejects(c.getUrl("a.txt", { expiresIn: 901 }), /getUrl: \[expiresIn\] must be a whole number of seconds from 1 to 900/);
      assert.throws(() => c.upload(new Uint8Array(0), { path: "a.txt", contentType: "text/plain" }), /at least one byte/);
      assert.throws(() => c.upload(new Uint8Array(1), { path: "a.txt", contentType: "" }), /\[contentType\]/);
      assert.throws(() => c.upload(new Uint8Array(1), { path: "a.txt", contentType: "text/plain", concurrency: 0 }), /\[concurrency\]/);
      assert.deepEqual(calls, { getToken: 0, credentials: 0 });
    });

    const options: [string, Partial<DirectClientOptions>, RegExp][] = [
      ["region", { region: "Europe" }, /\[region\] must be an AWS region/],
      ["identityPoolId", { identityPoolId: "11111111-2222-4333-8444-555555555555" }, /\[identityPoolId\] must be an identity pool id in eu-west-1/],
      ["identityPoolId of another region", { identityPoolId: "us-east-1:11111111-2222-4333-8444-555555555555" }, /\[identityPoolId\]/],
      ["userPoolId", { userPoolId: "us-east-1_TestPool1" }, /\[userPoolId\] must be a user pool id in eu-west-1/],
      ["getToken", { getToken: "token" as never }, /\[getToken\] must be a function/],
      ["storage", { storage: { tenants: {} } as never }, /\[storage\] must be the stack output appConfig\.storage/],
      ["homeKey", { homeKey: "sub" as never }, /\[homeKey\] must be "userSub" or "identityId"/],
      ["tenantClaim", { tenantClaim: "" }, /\[tenantClaim\]/],
      ["partSize", { partSize: 1024 * 1024 }, /\[partSize\] must be a whole number of bytes from 5242880/],
      ["concurrency", { concurrency: 33 }, /\[concurrency\] must be an integer from 1 to 32/],
      ["urlExpiresIn", { urlExpiresIn: 3600 }, /\[urlExpiresIn\] must be a whole number of seconds from 1 to 900/],
    ];
    for (const [name, override, message] of options) {
      it(`createDirectClient refuses a bad [${name}]`, () => {
        assert.throws(() => createDirectClient({ ...directOptions().options, ...override }), (err: unknown) => err instanceof StorageArgumentError && message.test(err.message));
      });
    }
  });

  describe("getUrl", () => {
    it("signs a short-lived GET on the device for the key in the home, never past the session's end", async () => {
      const sessionEnd = new Date(Date.now() + 120_000);
      const { options } = directOptions({
        s3: { endpoint: "http://127.0.0.1:9", forcePathStyle: true },
        credentials: async () => ({ ...FAKE_KEYS, expiration: sessionEnd }),
      });
      const c = client(options);
      const signed = await c.getUrl("photos/cat.jpg");
      const url = new URL(signed.url);
      assert.equal(url.pathname, `/pooled-bucket/tenants/acme/home/${ALICE}/photos/cat.jpg`);
      assert.equal(url.searchParams.get("X-Amz-Expires"), "300");
      assert.ok(url.searchParams.get("X-Amz-Security-Token"), "the session token is part of the URL");
      assert.equal(url.searchParams.get("x-amz-checksum-mode"), null, "no checksum mode the browser would have to send");
      assert.equal(signed.expiresAt, sessionEnd.toISOString());

      const longSession = createDirectClient({ ...options, credentials: async () => ({ ...FAKE_KEYS, expiration: new Date(Date.now() + 3600_000) }) });
      clients.push(longSession);
      const short = await longSession.getUrl("a.txt", { expiresIn: 60 });
      assert.equal(new URL(short.url).searchParams.get("X-Amz-Expires"), "60");
      assert.ok(Date.parse(short.expiresAt) <= Date.now() + 60_000);
    });
  });
});
