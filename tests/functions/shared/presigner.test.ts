import * as assert from "node:assert/strict";
import { GetObjectCommand, PutObjectCommand, type S3Client, type S3ClientConfig, UploadPartCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { amzDate, objectPath, presignUrl, SigningCache, uriEscape } from "../../../functions/shared/presigner";
import { cachedCredentials, clientPresigner, type CredentialIdentity } from "../../../functions/shared/presigner-client";
import { s3Client } from "../../../functions/shared/s3-client";
import { s3Store } from "../../../functions/shared/s3-store";

/**
 * The fast presigner must sign exactly what getSignedUrl signs: same endpoint, path, query and
 * signature for the same client, inputs and clock. Nothing here is sent anywhere.
 */
describe("functions/shared/presigner", () => {
  const SIGNED_AT = Date.parse("2024-05-06T07:08:09.456Z");
  const KEYS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
  // STS tokens are long base64: `/`, `+` and `=` must all be escaped in the query.
  const SESSION = { ...KEYS, sessionToken: `IQoJb3JpZ2luX2VjE/+=${"x".repeat(900)}` };

  const CLIENTS: { name: string; config: S3ClientConfig; buckets: string[] }[] = [
    { name: "AWS, virtual-hosted style", config: { region: "eu-west-1" }, buckets: ["my-bucket", "my.dotted.bucket", "arn:aws:s3:eu-west-1:123456789012:accesspoint/t-acme"] },
    { name: "AWS, path style", config: { region: "eu-west-1", forcePathStyle: true }, buckets: ["my-bucket"] },
    { name: "AWS, FIPS and dual-stack", config: { region: "us-east-1", useFipsEndpoint: true, useDualstackEndpoint: true }, buckets: ["my-bucket"] },
    { name: "custom endpoint, path style (the engine)", config: { region: "us-east-1", endpoint: "http://127.0.0.1:8000", forcePathStyle: true }, buckets: ["my-bucket"] },
    { name: "custom endpoint with a base path, virtual-hosted style", config: { region: "us-east-1", endpoint: "https://s3.example.test:8443/base" }, buckets: ["my-bucket"] },
  ];
  const KEYS_TO_SIGN = [
    "tenants/acme/home/a11ce/photos/cat.jpg",
    "tenants/acme/home/a11ce/with space/and+plus=equals~tilde*star!bang'quote(paren).jpg",
    "tenants/acme/home/a11ce/ünïcödé/日本語/😀.png",
    "tenants/acme/home/a11ce/a//double/./dot/../segments",
    "tenants/acme/home/a11ce/percent%20and?query#hash&amp",
  ];
  const UPLOAD_ID = "2~iCw_lDY8VoNXVFKEjvs+/=upload id";

  for (const setup of CLIENTS) {
    for (const credentials of [KEYS, SESSION]) {
      const label = `${setup.name}, ${credentials === SESSION ? "with" : "without"} a session token`;
      describe(label, () => {
        let client: S3Client;
        before(() => {
          client = s3Client({ ...setup.config, credentials });
        });
        after(() => client.destroy());
        const at = { expiresIn: 300, signingDate: new Date(SIGNED_AT) };

        for (const bucket of setup.buckets) {
          it(`signs part URLs as getSignedUrl does (${bucket})`, async () => {
            const store = s3Store(client, { now: () => SIGNED_AT });
            for (const Key of KEYS_TO_SIGN) {
              for (const PartNumber of [1, 7, 10_000]) {
                const ours = await store.presignUploadPart({ bucket, key: Key, uploadId: UPLOAD_ID, partNumber: PartNumber, contentLength: 5_242_880, expiresIn: 300 });
                const theirs = await getSignedUrl(client, new UploadPartCommand({ Bucket: bucket, Key, UploadId: UPLOAD_ID, PartNumber, ContentLength: 5_242_880 }), {
                  ...at,
                  signableHeaders: new Set(["content-length"]),
                });
                assert.equal(ours.url, theirs, `${Key} part ${PartNumber}`);
                assert.deepEqual(ours.headers, { "content-length": "5242880" });
                assert.equal(ours.expiresAt, "2024-05-06T07:13:09.000Z", "X-Amz-Date plus X-Amz-Expires");
              }
            }
          });
        }

        it("signs GET URLs as getSignedUrl does", async () => {
          const store = s3Store(client, { now: () => SIGNED_AT });
          for (const Key of KEYS_TO_SIGN) {
            const ours = await store.presignGet({ bucket: "my-bucket", key: Key, expiresIn: 60 });
            assert.equal(ours.url, await getSignedUrl(client, new GetObjectCommand({ Bucket: "my-bucket", Key }), { ...at, expiresIn: 60 }), Key);
          }
        });

        it("signs PUT URLs with their headers as getSignedUrl does", async () => {
          const store = s3Store(client, { now: () => SIGNED_AT });
          const cases = [
            { contentType: "image/png", contentLength: 42 },
            { contentType: "image/png", contentLength: 0, checksumSha256: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" },
            { contentType: "text/plain", contentLength: 7, encryption: { kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd" } },
          ];
          for (const Key of KEYS_TO_SIGN) {
            for (const c of cases) {
              const ours = await store.presignPut({ bucket: "my-bucket", key: Key, ...c, expiresIn: 300 });
              const headers = Object.keys(ours.headers);
              const theirs = await getSignedUrl(
                client,
                new PutObjectCommand({
                  Bucket: "my-bucket",
                  Key,
                  ContentType: c.contentType,
                  ContentLength: c.contentLength,
                  ...(c.checksumSha256 ? { ChecksumSHA256: c.checksumSha256 } : {}),
                  ...(c.encryption ? { ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: c.encryption.kmsKeyId } : {}),
                }),
                { ...at, signableHeaders: new Set(headers), unhoistableHeaders: new Set(headers.filter((h) => h.startsWith("x-amz-"))) },
              );
              assert.equal(ours.url, theirs, `${Key} ${JSON.stringify(c)}`);
            }
          }
        });
      });
    }
  }

  it("leaves Multi-Region Access Points (SigV4a) to the SDK", async () => {
    const client = s3Client({ region: "eu-west-1", credentials: KEYS });
    try {
      const mrap = "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap";
      const signing = s3Store(client).presignUploadPart({ bucket: mrap, key: "k", uploadId: "u", partNumber: 1, contentLength: 1, expiresIn: 60 });
      // This install has no SigV4a signer: the SDK's own refusal proves the request reached it.
      await assert.rejects(signing, /SigV4a/);
    } finally {
      client.destroy();
    }
  });

  it("refuses path-style addressing of an access point, as the SDK does", async () => {
    const client = s3Client({ region: "eu-west-1", forcePathStyle: true, credentials: KEYS });
    try {
      const ap = "arn:aws:s3:eu-west-1:123456789012:accesspoint/t-acme";
      await assert.rejects(s3Store(client).presignGet({ bucket: ap, key: "k", expiresIn: 60 }), /Path-style addressing cannot be used with ARN buckets/);
    } finally {
      client.destroy();
    }
  });

  describe("credentials", () => {
    const identity = (accessKeyId: string, expiration?: number) => ({ ...SESSION, accessKeyId, ...(expiration ? { expiration: new Date(expiration) } : {}) });

    function countingProvider(answers: (() => Promise<CredentialIdentity>)[]) {
      let calls = 0;
      return { provider: () => answers[Math.min(calls++, answers.length - 1)](), calls: () => calls };
    }

    it("asks the provider once, then again only when the credentials are about to expire", async () => {
      const expires = SIGNED_AT + 3600_000;
      const { provider, calls } = countingProvider([async () => identity("ASIAFIRST", expires), async () => identity("ASIASECOND", expires + 3600_000)]);
      let now = SIGNED_AT;
      const credentials = cachedCredentials(provider, () => now);
      const batch = await Promise.all([1, 2, 3].map(() => credentials()));
      assert.deepEqual(batch.map((c) => c.accessKeyId), ["ASIAFIRST", "ASIAFIRST", "ASIAFIRST"]);
      now = expires - 6 * 60_000;
      assert.equal((await credentials()).accessKeyId, "ASIAFIRST");
      assert.equal(calls(), 1);
      now = expires - 4 * 60_000;
      assert.equal((await credentials()).accessKeyId, "ASIASECOND", "asked again within 5 minutes of expiry");
      assert.equal(calls(), 2);
    });

    it("keeps credentials that never expire", async () => {
      const { provider, calls } = countingProvider([async () => identity("AKIASTATIC")]);
      let now = SIGNED_AT;
      const credentials = cachedCredentials(provider, () => now);
      await credentials();
      now += 365 * 86_400_000;
      assert.equal((await credentials()).accessKeyId, "AKIASTATIC");
      assert.equal(calls(), 1);
    });

    it("asks again after the provider failed", async () => {
      const { provider, calls } = countingProvider([() => Promise.reject(new Error("IMDS timed out")), async () => identity("ASIARETRY")]);
      const credentials = cachedCredentials(provider, () => SIGNED_AT);
      await assert.rejects(credentials(), /IMDS timed out/);
      assert.equal((await credentials()).accessKeyId, "ASIARETRY");
      assert.equal(calls(), 2);
    });

    it("signs with what the S3 client's own provider answers", async () => {
      const client = s3Client({ region: "eu-west-1", credentials: async () => identity("ASIAFROMCLIENT", Date.now() + 3600_000) });
      try {
        const signed = await clientPresigner(client).presign({ method: "GET", bucket: "my-bucket", key: "k", query: {}, headers: {}, expiresIn: 60 });
        const query = new URL(signed!.url).searchParams;
        assert.match(query.get("X-Amz-Credential")!, /^ASIAFROMCLIENT\//);
        assert.equal(query.get("X-Amz-Security-Token"), SESSION.sessionToken);
      } finally {
        client.destroy();
      }
    });
  });

  describe("the pure pieces", () => {
    it("escapes as SigV4 does: RFC 3986 unreserved characters only, `/` kept between key segments", () => {
      assert.equal(uriEscape("a b+c=d~e*f!g'h(i)j/k"), "a%20b%2Bc%3Dd~e%2Af%21g%27h%28i%29j%2Fk");
      assert.equal(objectPath("a b//ü/./x"), "a%20b//%C3%BC/./x");
    });

    it("formats X-Amz-Date to the second", () => {
      assert.equal(amzDate(new Date(SIGNED_AT)), "20240506T070809Z");
    });

    it("derives each signing key once per secret, day, region and service", () => {
      const keys = new SigningCache();
      const first = keys.signingKey("secret", "20240506", "eu-west-1", "s3");
      assert.equal(keys.signingKey("secret", "20240506", "eu-west-1", "s3"), first, "the same Buffer: not derived again");
      for (const other of [
        keys.signingKey("other", "20240506", "eu-west-1", "s3"),
        keys.signingKey("secret", "20240507", "eu-west-1", "s3"),
        keys.signingKey("secret", "20240506", "us-east-1", "s3"),
        keys.signingKey("secret", "20240506", "eu-west-1", "s3-outposts"),
      ]) {
        assert.notDeepEqual(other, first);
      }
    });

    // AWS's worked example of deriving a signing key (SigV4 documentation, "Derive a signing key").
    it("derives the signing key of AWS's worked example", () => {
      const key = new SigningCache().signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
      assert.equal(key.toString("hex"), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    });

    it("refuses headers it would sign under another name", () => {
      const request = {
        method: "PUT" as const,
        protocol: "https:",
        host: "h",
        path: "/k",
        query: {},
        region: "us-east-1",
        service: "s3",
        expiresIn: 60,
      };
      assert.throws(() => presignUrl({ ...request, headers: { "Content-Type": "image/png" } }, KEYS, new Date(SIGNED_AT), new SigningCache()), /lowercase/);
      assert.throws(() => presignUrl({ ...request, headers: { host: "evil" } }, KEYS, new Date(SIGNED_AT), new SigningCache()), /host/);
    });

    it("refuses query parameters that are the signer's own", () => {
      const request = { method: "GET" as const, protocol: "https:", host: "h", path: "/k", headers: {}, region: "us-east-1", service: "s3", expiresIn: 60 };
      for (const name of ["X-Amz-Signature", "x-amz-expires", "X-Amz-Security-Token"]) {
        assert.throws(() => presignUrl({ ...request, query: { [name]: "x" } }, KEYS, new Date(SIGNED_AT), new SigningCache()), /the signer's to set/, name);
      }
    });

    it("refuses lifetimes S3 would not accept", () => {
      const request = { method: "GET" as const, protocol: "https:", host: "h", path: "/k", query: {}, headers: {}, region: "us-east-1", service: "s3" };
      for (const expiresIn of [0, 1.5, 604_801]) {
        assert.throws(() => presignUrl({ ...request, expiresIn }, KEYS, new Date(SIGNED_AT), new SigningCache()), /expiresIn must be a whole number of seconds from 1 to 604800/);
      }
      assert.match(presignUrl({ ...request, expiresIn: 604_800 }, KEYS, new Date(SIGNED_AT), new SigningCache()), /X-Amz-Expires=604800/);
    });
  });
});
