import * as assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { createCdnSessionHandler } from "../../../functions/cdn-session/app";
import { cdnPolicy } from "../../../functions/cdn-session/core";
import { cloudFrontCookieSigner } from "../../../functions/cdn-session/signer";
import { assertSigningKeys, legacyChildNames, MAX_PUBLIC_KEYS_PER_KEY_GROUP, signingKeyChildNames } from "../../../infra/cdn/signing-keys";
import type * as programModule from "../../../infra/program";
import { TYPE } from "../../../offline/resource-types";
import { recordingLogger } from "../../functions/fixtures";
import { httpEvent } from "../../harness/api";
import { ofType, onlyOfType, type ProgramRun, type RegisteredResource, runUnderMocks } from "../../harness/program";
import { cloudFrontVerdict, cookieCredentials, type TrustedKeyGroup } from "./cloudfront-verifier";

const SUB = "a11ce000-0000-4000-8000-000000000001";
const NOW_SECONDS = 1_764_745_200;

/**
 * The offline mocks answer `tls.PrivateKey` with placeholder PEMs, which nothing can sign with. Here
 * each key resource gets a real RSA key instead, the same one for the same resource name in every
 * run, as a stack's state would keep it between two `pulumi up`s.
 */
const realKeys = new Map<string, { privateKeyPem: string; publicKeyPem: string }>();
function realKey(name: string) {
  let key = realKeys.get(name);
  if (key === undefined) {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    key = {
      privateKeyPem: pair.privateKey.export({ type: "pkcs1", format: "pem" }) as string,
      publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }) as string,
    };
    realKeys.set(name, key);
  }
  return key;
}

/** The `prod` stack (full profile) under mocks, with `cdnSigningKeys` set and real RSA keys. */
function runWithKeys(signingKeys: string[] | undefined): Promise<ProgramRun> {
  return runUnderMocks(
    () => {
      const monitor = pulumi.runtime.getMonitor() as unknown as { mocks: pulumi.runtime.Mocks };
      const mocks = monitor.mocks;
      monitor.mocks = {
        ...mocks,
        newResource: async (args) => {
          const result = await mocks.newResource(args);
          return args.type === TYPE.signingKey ? { ...result, state: { ...result.state, ...realKey(args.name) } } : result;
        },
        call: (args) => mocks.call(args),
      };
      // Loaded after the mocks are in place, as runProgram does.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { program } = require("../../../infra/program") as typeof programModule;
      return program();
    },
    { stack: "prod", config: signingKeys === undefined ? {} : { cdnSigningKeys: signingKeys } },
  );
}

/** The key group the program plans, with each public key's PEM taken from its `encodedKey` input. */
function plannedKeyGroup(run: ProgramRun): TrustedKeyGroup {
  const items = onlyOfType(run, TYPE.keyGroup).inputs.items as string[];
  const publicKeys = Object.fromEntries(ofType(run, TYPE.publicKey).map((k) => [k.id!, k.inputs.encodedKey as string]));
  return { items, publicKeys };
}

const byName = (run: ProgramRun, type: string, name: string): RegisteredResource => {
  const found = ofType(run, type).filter((r) => r.name.endsWith(name));
  assert.equal(found.length, 1, `exactly one ${type} named …${name}`);
  return found[0];
};

/** What the key named `key` plans: its id in CloudFront and its private key. */
function plannedKey(run: ProgramRun, key: string) {
  const names = signingKeyChildNames("", key);
  return {
    id: byName(run, TYPE.publicKey, names.publicKey).id!,
    privateKeyPem: byName(run, TYPE.signingKey, names.privateKey).outputs.privateKeyPem as string,
  };
}

const cdnSessionEnv = (run: ProgramRun) =>
  (ofType(run, TYPE.fn).find((f) => f.name.endsWith("-cdn-session"))!.inputs.environment as { variables: Record<string, string> }).variables;
const secretPem = (run: ProgramRun) => onlyOfType(run, TYPE.secretVersion).inputs.secretString as string;
const domainOf = (run: ProgramRun) => cdnSessionEnv(run).CDN_DOMAIN_NAME;
const HOME = `/tenants/acme/home/${SUB}/`;
const objectUrl = (run: ProgramRun) => `https://${domainOf(run)}${HOME}photos/cat.jpg`;

/** Cookies for the home, signed by the function's own signer with the key named `key`. */
async function cookiesSignedWith(run: ProgramRun, key: string): Promise<Record<string, string>> {
  const { id, privateKeyPem } = plannedKey(run, key);
  const signer = cloudFrontCookieSigner(id, () => Promise.resolve(privateKeyPem));
  return { ...(await signer.sign(cdnPolicy(domainOf(run), HOME, NOW_SECONDS + 3600))) };
}

/** Cookies as the deployed cdn-session function would answer them, from the environment and secret the program gives it. */
async function cookiesFromFunction(run: ProgramRun): Promise<Record<string, string>> {
  const env = cdnSessionEnv(run);
  const handler = createCdnSessionHandler(env, { log: recordingLogger(), revocations: { revokedAt: () => Promise.resolve(undefined), revoke: () => Promise.resolve() }, readSecret: () => Promise.resolve(secretPem(run)), now: () => NOW_SECONDS * 1000 });
  const event = httpEvent({ routeKey: "POST /v1/cdn-session" });
  event.requestContext = { ...event.requestContext, authorizer: { jwt: { claims: { sub: SUB, "custom:tenant": "acme", token_use: "id", iat: String(NOW_SECONDS), exp: String(NOW_SECONDS + 3600) } } } };
  const result = await handler(event);
  assert.equal(result.statusCode, 200, result.body);
  return (JSON.parse(result.body!) as { cookies: Record<string, string> }).cookies;
}

describe("infra/cdn/signing-keys", () => {
  describe("assertSigningKeys", () => {
    it("takes one key, or up to the limit given", () => {
      assertSigningKeys(["k1"], "signingKeys", 2);
      assertSigningKeys(["k1", "2026-05"], "signingKeys", 2);
      assertSigningKeys(["a", "b", "c", "d", "e"], "signingKeys", MAX_PUBLIC_KEYS_PER_KEY_GROUP);
    });
    const refused: [string, string[], number, RegExp][] = [
      ["no key", [], 2, /\[signingKeys\] must list 1 to 2 key names/],
      ["more keys than the limit", ["k1", "k2", "k3"], 2, /\[signingKeys\] must list 1 to 2 key names .*, got 3/],
      ["more keys than a key group holds", ["a", "b", "c", "d", "e", "f"], MAX_PUBLIC_KEYS_PER_KEY_GROUP, /1 to 5 key names/],
      ["a key twice", ["k1", "k1"], 2, /lists "k1" twice/],
      ["uppercase", ["K1"], 2, /lowercase letters, digits or hyphens, got "K1"/],
      ["a name over 32 characters", ["k".repeat(33)], 2, /at most 32|1 to 32/],
      ["a dot", ["k.1"], 2, /got "k\.1"/],
    ];
    for (const [name, keys, max, message] of refused) {
      it(`refuses ${name}`, () => assert.throws(() => assertSigningKeys(keys, "signingKeys", max), message));
    }

    it("names each key's children after the key alone, and keeps the names of the single key before for k1", () => {
      assert.deepEqual(signingKeyChildNames("app-prod-cdn", "k2"), { privateKey: "app-prod-cdn-signing-key-k2", publicKey: "app-prod-cdn-public-key-k2" });
      assert.deepEqual(legacyChildNames("app-prod-cdn", "k1"), { privateKey: "app-prod-cdn-signing-key", publicKey: "app-prod-cdn-public-key" });
      assert.equal(legacyChildNames("app-prod-cdn", "k2"), undefined);
    });
  });

  describe("rotation through the program (prod stack under mocks, real RSA keys)", function () {
    this.timeout(180_000);
    let one: ProgramRun;
    let both: ProgramRun;
    let newOnly: ProgramRun;
    before(async () => {
      one = await runWithKeys(undefined);
      both = await runWithKeys(["k1", "k2"]);
      newOnly = await runWithKeys(["k2"]);
    });

    it("by default builds one key, alone in the key group, and signs with it", () => {
      assert.equal(ofType(one, TYPE.signingKey).length, 1);
      assert.equal(ofType(one, TYPE.publicKey).length, 1);
      const k1 = plannedKey(one, "k1");
      assert.deepEqual(plannedKeyGroup(one).items, [k1.id]);
      assert.equal(cdnSessionEnv(one).CDN_KEY_PAIR_ID, k1.id);
      assert.equal(secretPem(one), k1.privateKeyPem);
    });

    it("with two keys puts both in the key group, oldest first, and hands the function only the newest", () => {
      const [k1, k2] = [plannedKey(both, "k1"), plannedKey(both, "k2")];
      assert.deepEqual(plannedKeyGroup(both).items, [k1.id, k2.id]);
      assert.equal(cdnSessionEnv(both).CDN_KEY_PAIR_ID, k2.id);
      assert.equal(secretPem(both), k2.privateKeyPem);
      assert.ok(!JSON.stringify(cdnSessionEnv(both)).includes("PRIVATE KEY"), "no key in the environment");
      assert.ok(!JSON.stringify(ofType(both, TYPE.secretVersion).map((v) => v.inputs)).includes(k1.privateKeyPem), "the old private key is in no secret");
    });

    it("adding a key leaves the first key's resources as they were: same URNs, same inputs, no replacement", () => {
      for (const type of [TYPE.signingKey, TYPE.publicKey]) {
        const name = type === TYPE.signingKey ? signingKeyChildNames("", "k1").privateKey : signingKeyChildNames("", "k1").publicKey;
        const before = byName(one, type, name);
        const after = byName(both, type, name);
        assert.equal(after.urn, before.urn);
        assert.deepEqual(after.inputs, before.inputs);
      }
      assert.equal(byName(newOnly, TYPE.signingKey, "signing-key-k2").urn, byName(both, TYPE.signingKey, "signing-key-k2").urn, "removing k1 leaves k2 in place");
    });

    it("while both keys are in the group, cookies signed with either verify; after k1 leaves, only k2's", async () => {
      const url = objectUrl(both);
      const signedWithK1 = cookieCredentials(await cookiesSignedWith(both, "k1"));
      const signedWithK2 = cookieCredentials(await cookiesSignedWith(both, "k2"));
      assert.deepEqual(cloudFrontVerdict(signedWithK1, plannedKeyGroup(one), url, NOW_SECONDS), { ok: true }, "k1 before the rotation");
      assert.deepEqual(cloudFrontVerdict(signedWithK1, plannedKeyGroup(both), url, NOW_SECONDS), { ok: true }, "k1 during the overlap");
      assert.deepEqual(cloudFrontVerdict(signedWithK2, plannedKeyGroup(both), url, NOW_SECONDS), { ok: true }, "k2 during the overlap");
      assert.deepEqual(cloudFrontVerdict(signedWithK2, plannedKeyGroup(newOnly), url, NOW_SECONDS), { ok: true }, "k2 after");
      const refused = cloudFrontVerdict(signedWithK1, plannedKeyGroup(newOnly), url, NOW_SECONDS);
      assert.equal(refused.ok, false, "k1 after it left the group");
      assert.match((refused as { reason: string }).reason, /not in the key group/);
    });

    it("the function as planned signs with the newest key, and its cookies verify against the planned key group", async () => {
      for (const [run, newest] of [[one, "k1"], [both, "k2"], [newOnly, "k2"]] as const) {
        const cookies = cookieCredentials(await cookiesFromFunction(run));
        assert.equal(cookies.keyPairId, plannedKey(run, newest).id);
        assert.deepEqual(cloudFrontVerdict(cookies, plannedKeyGroup(run), objectUrl(run), NOW_SECONDS), { ok: true });
      }
    });

    it("the verifier refuses what CloudFront refuses: a tampered policy, another home, an expired policy", async () => {
      const group = plannedKeyGroup(both);
      const good = cookieCredentials(await cookiesSignedWith(both, "k2"));
      const forged = Buffer.from(Buffer.from(good.policy.replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"), "base64").toString("utf8").replace(SUB, "b0b00000-0000-4000-8000-000000000002"))
        .toString("base64")
        .replace(/\+/g, "-")
        .replace(/=/g, "_")
        .replace(/\//g, "~");
      assert.match((cloudFrontVerdict({ ...good, policy: forged }, group, objectUrl(both), NOW_SECONDS) as { reason: string }).reason, /does not verify/);
      assert.match((cloudFrontVerdict(good, group, `https://${domainOf(both)}/tenants/acme/home/other/cat.jpg`, NOW_SECONDS) as { reason: string }).reason, /does not match/);
      assert.match((cloudFrontVerdict(good, group, objectUrl(both), NOW_SECONDS + 3600) as { reason: string }).reason, /expired/);
    });

    const refusedSettings: [string, string[], RegExp][] = [
      ["three keys", ["k1", "k2", "k3"], /\[mobile-s3:cdnSigningKeys\] must list 1 to 2 key names/],
      ["a key twice", ["k1", "k1"], /\[mobile-s3:cdnSigningKeys\] lists "k1" twice/],
      ["a name with uppercase", ["Key1"], /\[mobile-s3:cdnSigningKeys\] names must be/],
      ["no key", [], /\[mobile-s3:cdnSigningKeys\] must list at least 1 entry/],
    ];
    for (const [name, keys, message] of refusedSettings) {
      it(`refuses ${name}, naming the setting`, async () => {
        await assert.rejects(runWithKeys(keys), message);
      });
    }
  });
});
