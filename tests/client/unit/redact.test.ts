import { redact, redactValue } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { assertNoSecret, CLOUDFRONT_KEY_PAIR_ID, CLOUDFRONT_POLICY, CLOUDFRONT_SIGNATURE, JWT, PRESIGNED_PART_URL, SESSION_TOKEN, SIGV4_CREDENTIAL, SIGV4_SIGNATURE } from "./fixtures/secrets";

const CLOUDFRONT_URL = `https://d111.cloudfront.net/tenants/acme/home/u1/a.jpg?Policy=${CLOUDFRONT_POLICY}&Signature=${CLOUDFRONT_SIGNATURE}&Key-Pair-Id=${CLOUDFRONT_KEY_PAIR_ID}`;
const CLOUDFRONT_COOKIES = `CloudFront-Policy=${CLOUDFRONT_POLICY}; CloudFront-Signature=${CLOUDFRONT_SIGNATURE}; CloudFront-Key-Pair-Id=${CLOUDFRONT_KEY_PAIR_ID}`;
const CDN_SESSION_ANSWER = JSON.stringify({
  domain: "d111.cloudfront.net",
  cookies: { "CloudFront-Policy": CLOUDFRONT_POLICY, "CloudFront-Signature": CLOUDFRONT_SIGNATURE, "CloudFront-Key-Pair-Id": CLOUDFRONT_KEY_PAIR_ID },
  expiresAt: "2026-11-24T01:00:00.000Z",
});

describe("client/redact", () => {
  describe("redact: masks", () => {
    const masked: [string, string, string[]][] = [
      ["a bare JWT", JWT, JWT.split(".")],
      ["a JWT in a sentence", `the token ${JWT} was refused`, JWT.split(".")],
      ["a bearer header line", `Authorization: Bearer ${JWT}`, JWT.split(".")],
      ["an opaque bearer token, any case", "authorization: bearer opaque-Token_123", ["opaque-Token_123"]],
      ["a JWT in a JSON body", JSON.stringify({ idToken: JWT }), JWT.split(".")],
      ["a presigned SigV4 URL", PRESIGNED_PART_URL, [SIGV4_SIGNATURE, SIGV4_CREDENTIAL, SESSION_TOKEN]],
      ["a presigned URL with lower-case parameter names", PRESIGNED_PART_URL.replace(/X-Amz-/g, "x-amz-"), [SIGV4_SIGNATURE, SIGV4_CREDENTIAL, SESSION_TOKEN]],
      ["a presigned URL with upper-case parameter names", PRESIGNED_PART_URL.replace(/X-Amz-(Signature|Credential|Security-Token)/g, (m) => m.toUpperCase()), [SIGV4_SIGNATURE, SIGV4_CREDENTIAL, SESSION_TOKEN]],
      ["a presigned URL quoted in a fetch error", `TypeError: fetch failed: PUT '${PRESIGNED_PART_URL}'`, [SIGV4_SIGNATURE, SIGV4_CREDENTIAL, SESSION_TOKEN]],
      ["a session token as a header line", `x-amz-security-token: ${SESSION_TOKEN}`, [SESSION_TOKEN]],
      ["a session token as a JSON field", JSON.stringify({ "X-Amz-Security-Token": SESSION_TOKEN }), [SESSION_TOKEN]],
      ["a SigV4 Authorization header's signature", `Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${SIGV4_SIGNATURE}`, [SIGV4_SIGNATURE]],
      ["a CloudFront signed URL with a custom policy", CLOUDFRONT_URL, [CLOUDFRONT_POLICY, CLOUDFRONT_SIGNATURE, CLOUDFRONT_KEY_PAIR_ID]],
      ["a CloudFront signed URL with a canned policy", `https://d111.cloudfront.net/a.jpg?Expires=1764003600&Signature=${CLOUDFRONT_SIGNATURE}&Key-Pair-Id=${CLOUDFRONT_KEY_PAIR_ID}`, [CLOUDFRONT_SIGNATURE, CLOUDFRONT_KEY_PAIR_ID]],
      ["CloudFront signed cookies", CLOUDFRONT_COOKIES, [CLOUDFRONT_POLICY, CLOUDFRONT_SIGNATURE, CLOUDFRONT_KEY_PAIR_ID]],
      ["a CDN session answer as JSON text", CDN_SESSION_ANSWER, [CLOUDFRONT_POLICY, CLOUDFRONT_SIGNATURE, CLOUDFRONT_KEY_PAIR_ID]],
      ["a Cookie header line", `Cookie: ${CLOUDFRONT_COOKIES}; session=s3cr3t-session`, [CLOUDFRONT_POLICY, "s3cr3t-session"]],
      ["a Set-Cookie header line", "Set-Cookie: session=s3cr3t-session; Path=/; Secure; HttpOnly", ["s3cr3t-session"]],
      ["a cookie header line among others", "host: api.example.com\r\ncookie: session=s3cr3t-session\r\naccept: */*", ["s3cr3t-session"]],
      ["a JSON cookie field", JSON.stringify({ cookie: "session=s3cr3t-session", status: 200 }), ["s3cr3t-session"]],
      ["a JSON Set-Cookie field", JSON.stringify({ headers: { "Set-Cookie": "session=s3cr3t-session" } }), ["s3cr3t-session"]],
    ];
    for (const [name, text, secrets] of masked) {
      it(name, () => {
        const out = redact(text);
        assertNoSecret(out, secrets);
        assert.match(out, /\[redacted/);
      });
    }
  });

  describe("redact: keeps readable", () => {
    const readable: [string, string][] = [
      ["a path in the home", "tenants/acme/home/5f2d1c3e/photos/2024/cat (1).jpg"],
      ["a Unicode path", "写真/2024年/夏休み.jpg"],
      ["an operation with a part number", "PUT part 3 of photos/cat.jpg: S3 answered 503 SlowDown (Please reduce your request rate.)"],
      ["S3 error codes", "SignatureDoesNotMatch AccessDenied RequestTimeout NoSuchUpload EntityTooSmall"],
      ["API error codes", "QuotaExceeded NotScanned InvalidPath UnsupportedMediaType"],
      ["a retry budget", "list the home: ECONNRESET; gave up after 6 attempts"],
      ["words that name secrets", "token refused; refreshing it once (cookie, signature and policy are fine)"],
      ["a URL without a query", "https://api.example.com/prod/v1/uploads/2~wJx9/parts"],
    ];
    for (const [name, text] of readable) {
      it(name, () => assert.equal(redact(text), text));
    }

    it("a presigned URL's host, path and harmless parameters", () => {
      const out = redact(PRESIGNED_PART_URL);
      assert.ok(out.startsWith("https://media-bucket.s3.us-east-1.amazonaws.com/tenants/acme/home/u1/photos/cat.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&"), out);
      for (const kept of ["X-Amz-Date=20261124T000000Z", "X-Amz-Expires=900", "partNumber=3", "uploadId=2~wJx9", "x-id=UploadPart"]) {
        assert.ok(out.includes(kept), `${kept} is gone from ${out}`);
      }
    });

    it("a CloudFront URL's host and path", () => {
      assert.ok(redact(CLOUDFRONT_URL).startsWith("https://d111.cloudfront.net/tenants/acme/home/u1/a.jpg?Policy=[redacted]&"));
    });

    it("the lines around a cookie line", () => {
      assert.equal(redact("host: api.example.com\ncookie: a=b\naccept: */*"), "host: api.example.com\ncookie: [redacted]\naccept: */*");
    });
  });

  describe("redactValue", () => {
    it("redacts every string of nested objects and arrays, and keeps other values", () => {
      const value = { operation: "PUT part 3", attempt: 2, ok: false, none: null, gone: undefined, list: [`Bearer ${JWT}`, [PRESIGNED_PART_URL], { deep: JWT }] };
      const out = redactValue(value) as typeof value;
      assert.deepEqual(
        { ...out, list: undefined },
        { operation: "PUT part 3", attempt: 2, ok: false, none: null, gone: undefined, list: undefined },
      );
      assert.equal(out.list[0], "Bearer [redacted]");
      assert.deepEqual(out.list[2], { deep: "[redacted-jwt]" });
      assertNoSecret(JSON.stringify(out));
    });

    it("does not change what it is given", () => {
      const value = { detail: `Bearer ${JWT}` };
      redactValue(value);
      assert.equal(value.detail, `Bearer ${JWT}`);
    });

    const fields = [
      "authorization",
      "Authorization",
      "cookie",
      "Cookie",
      "cookies",
      "set-cookie",
      "token",
      "idToken",
      "accessToken",
      "refreshToken",
      "url",
      "URL",
      "secretAccessKey",
      "sessionToken",
      "x-amz-security-token",
      "CloudFront-Policy",
      "CloudFront-Signature",
      "CloudFront-Key-Pair-Id",
    ];
    for (const field of fields) {
      it(`masks the field ${field} whatever its value looks like`, () => {
        for (const secret of ["harmless-looking", { nested: "object" }, 42]) {
          assert.deepEqual(redactValue({ [field]: secret, path: "a.jpg" }), { [field]: "[redacted]", path: "a.jpg" });
        }
      });
    }

    it("reduces an Error to its name and redacted message, without its cause or stack", () => {
      const err = new TypeError(`fetch failed: ${PRESIGNED_PART_URL}`, { cause: { token: JWT } });
      const out = redactValue({ error: err }) as { error: Record<string, unknown> };
      assert.deepEqual(Object.keys(out.error).sort(), ["message", "name"]);
      assert.equal(out.error.name, "TypeError");
      assert.match(String(out.error.message), /^fetch failed: https:\/\/media-bucket\.s3\.us-east-1\.amazonaws\.com\/tenants\/acme\/home\/u1\/photos\/cat\.jpg\?/);
      assertNoSecret(JSON.stringify(out));
    });

    const instances: [string, unknown, string][] = [
      ["a Headers", new Headers({ authorization: `Bearer ${JWT}` }), "[Headers]"],
      ["a Request", new Request(PRESIGNED_PART_URL, { headers: { cookie: CLOUDFRONT_COOKIES } }), "[Request]"],
      ["a URL", new URL(PRESIGNED_PART_URL), "[URL]"],
      ["a Map", new Map([["token", JWT]]), "[Map]"],
      ["a class of the app's", new (class Session { token = JWT })(), "[Session]"],
    ];
    for (const [name, value, shown] of instances) {
      it(`reduces ${name} to its class name`, () => assert.deepEqual(redactValue({ value }), { value: shown }));
    }

    it("keeps an object without a prototype as data", () => {
      const bare = Object.assign(Object.create(null) as Record<string, unknown>, { detail: JWT });
      assert.deepEqual(redactValue(bare), { detail: "[redacted-jwt]" });
    });

    it("stops at depth 7, so a cycle or a deep structure ends", () => {
      let deep: unknown = JWT;
      for (let i = 0; i < 10; i++) {
        deep = { d: deep };
      }
      assert.equal(JSON.stringify(redactValue(deep)), '{"d":{"d":{"d":{"d":{"d":{"d":{"d":"[nested]"}}}}}}}');
      const cycle: Record<string, unknown> = { name: "loop" };
      cycle.self = cycle;
      assert.doesNotThrow(() => JSON.stringify(redactValue(cycle)));
    });
  });
});
