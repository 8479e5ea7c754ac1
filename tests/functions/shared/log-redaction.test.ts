import * as assert from "node:assert/strict";
import { createLogger, redact } from "../../../functions/shared/log";
import { TestIssuer } from "../../harness/api";

describe("functions/shared/log (redaction)", () => {
  const issuer = new TestIssuer();
  const jwt = issuer.token({ sub: "u1", tenant: "acme" });
  const presigned =
    "https://bucket.s3.amazonaws.com/tenants/acme/home/u1/a.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261124%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261124T000000Z&X-Amz-Expires=300&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE&X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const cloudFront = "https://d111.cloudfront.net/tenants/acme/home/u1/a.jpg?Policy=eyJTdGF0ZW1lbnQiOlt7IlJlc291cmNl&Signature=abcDEF~123&Key-Pair-Id=K2JCJMDEHXQW5F";
  const cookie = "CloudFront-Policy=eyJTdGF0ZW1lbnQi; CloudFront-Signature=Qm9ndXM~; CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F";
  const secrets = [jwt, "0123456789abcdef0123456789abcdef", "AKIAEXAMPLE", "FwoGZXIvYXdzEXAMPLE", "abcDEF~123", "Qm9ndXM~", "K2JCJMDEHXQW5F"];

  it("masks tokens, SigV4 and CloudFront signatures, credentials and cookies", () => {
    for (const text of [jwt, `Bearer ${jwt}`, presigned, cloudFront, cookie]) {
      const out = redact(text);
      for (const secret of secrets) {
        assert.equal(out.includes(secret), false, `${secret} survived in ${out}`);
      }
    }
    assert.match(redact(presigned), /^https:\/\/bucket\.s3\.amazonaws\.com\/tenants\/acme\/home\/u1\/a\.jpg\?/, "the rest stays readable");
  });

  it("never lets them reach a log line, in the message or in any field, at any level", () => {
    const lines: string[] = [];
    const sink = { debug: (l: object) => lines.push(JSON.stringify(l)), info: (l: object) => lines.push(JSON.stringify(l)), warn: (l: object) => lines.push(JSON.stringify(l)), error: (l: object) => lines.push(JSON.stringify(l)) };
    const log = createLogger("test", "DEBUG", sink);
    log.debug(`issued ${presigned}`, { url: presigned });
    log.info("cookie set", { cookie, authorization: `Bearer ${jwt}` });
    log.warn(cloudFront, { token: jwt });
    log.error("failed", { detail: `${jwt} ${cookie}` });
    assert.equal(lines.length, 4);
    for (const line of lines) {
      for (const secret of secrets) {
        assert.equal(line.includes(secret), false, `${secret} in ${line}`);
      }
    }
  });
});
