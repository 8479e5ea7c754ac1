import * as assert from "node:assert/strict";
import { assertCorsOrigins, corsConfig, HSTS_MAX_AGE_SECONDS, securityHeaders } from "../../../infra/cdn/response-headers";

describe("infra/cdn/response-headers", () => {
  it("asks browsers for HTTPS for two years, long enough for the HSTS preload list", () => {
    const hsts = securityHeaders().strictTransportSecurity as { accessControlMaxAgeSec: number; preload: boolean };
    assert.equal(HSTS_MAX_AGE_SECONDS, 63_072_000);
    assert.equal(hsts.accessControlMaxAgeSec, HSTS_MAX_AGE_SECONDS);
    assert.ok(hsts.accessControlMaxAgeSec >= 31_536_000, "the preload list requires at least one year");
    assert.equal(hsts.preload, true);
  });

  it("has no CORS configuration for native apps only", () => {
    assert.equal(corsConfig([]), undefined);
  });

  it("allows credentials only for the listed origins, and copies the list", () => {
    const origins = ["https://app.example.com"];
    const cors = corsConfig(origins)!;
    origins.push("https://late.example.com");
    assert.deepEqual(cors.accessControlAllowOrigins, { items: ["https://app.example.com"] });
    assert.equal(cors.accessControlAllowCredentials, true);
    assert.deepEqual(cors.accessControlExposeHeaders, { items: ["ETag", "Content-Range", "Accept-Ranges"] });
  });

  describe("origins", () => {
    const accepted = [
      "https://app.example.com",
      "https://app.example.com:8443",
      "https://xn--bcher-kva.example",
      "capacitor://localhost",
      "ionic://localhost",
      "http://localhost:8100",
    ];
    for (const origin of accepted) {
      it(`accepts ${origin}`, () => assertCorsOrigins([origin]));
    }

    const rejected: [string, string][] = [
      ["any origin", "*"],
      ["a wildcard subdomain", "https://*.example.com"],
      ["plain HTTP to a real host", "http://app.example.com"],
      ["a path", "https://app.example.com/"],
      ["no scheme", "app.example.com"],
      ["upper case (browsers send origins lower-cased)", "https://App.example.com"],
      ["a bare host without a domain", "https://intranet"],
      ["the null origin", "null"],
    ];
    for (const [label, origin] of rejected) {
      it(`rejects ${label}`, () => {
        assert.throws(() => assertCorsOrigins([origin]), /^Error: \[corsOrigins\] must list exact origins/);
      });
    }

    it("rejects an origin listed twice", () => {
      assert.throws(() => assertCorsOrigins(["https://a.example.com", "https://a.example.com"]), /\[corsOrigins\] lists "https:\/\/a.example.com" twice/);
    });
  });
});
