import { CLAMAV_VOCABULARY, ConfigurationError, EXTENSIONS, PROXY_ROUTES } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { loadProxyConfig } from "../../../functions/proxy/config";
import { CONTENT_CHECKS, sniff } from "../../../functions/proxy/sniff";
import { PNG_1PX } from "../scan/clamav-fixture";

const ROUTING = {
  pooledBucket: "mobile-s3-dev-storage-abc1234",
  accessPointArnPrefix: "arn:aws:s3:us-east-1:123456789012:accesspoint/mobile-s3-dev-",
  accessPointTenants: ["globex"],
  dedicatedBuckets: { initech: "mobile-s3-dev-initech-abc1234" },
};
const ENV = { TENANT_ROUTING: JSON.stringify(ROUTING), PROXY_MAX_BYTES: "1048576", ALLOWED_CONTENT_TYPES: '["image/png"]', SCANNER: "clamav", INDEX_TABLE: "mobile-s3-dev-index" };

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));
/** An ISO base media file's first box: size, `ftyp`, major brand, minor version, one compatible brand. */
const ftyp = (brand: string, compatible = "isom") => bytes([0, 0, 0, 0x18], "ftyp", brand, [0, 0, 0, 0], compatible, [0, 0, 0, 0]);

describe("functions/proxy/core", () => {
  it("declares exactly the route docs/API.md gives it", () => {
    assert.deepEqual([...PROXY_ROUTES], ["POST /v1/proxy/objects"]);
  });

  it("reads its settings, with the tenant claim defaulting to custom:tenant and no quota", () => {
    assert.deepEqual(loadProxyConfig(ENV), {
      tenantRouting: ROUTING,
      proxyMaxBytes: 1048576,
      allowedContentTypes: ["image/png"],
      tenantClaim: "custom:tenant",
      scan: CLAMAV_VOCABULARY,
      table: "mobile-s3-dev-index",
    });
    assert.equal(loadProxyConfig({ ...ENV, USER_QUOTA_BYTES: "1000" }).userQuotaBytes, 1000);
    assert.throws(() => loadProxyConfig({ ...ENV, USER_QUOTA_BYTES: "0" }), /USER_QUOTA_BYTES must be an integer from 1/);
  });

  for (const variable of Object.keys(ENV)) {
    it(`refuses to start without ${variable}, naming it`, () => {
      const env: Record<string, string> = { ...ENV };
      delete env[variable];
      assert.throws(() => loadProxyConfig(env), (err: unknown) => err instanceof ConfigurationError && err.variable === variable);
    });
  }

  it("refuses a proxied body cap over 4 MiB (it arrives base64-encoded in a 6 MB request)", () => {
    assert.equal(loadProxyConfig({ ...ENV, PROXY_MAX_BYTES: String(4 * 1024 ** 2) }).proxyMaxBytes, 4194304);
    assert.throws(() => loadProxyConfig({ ...ENV, PROXY_MAX_BYTES: String(4 * 1024 ** 2 + 1) }), /PROXY_MAX_BYTES must be an integer from 1 to 4194304/);
  });

  it("refuses a content type listed twice, and routing of the wrong shape", () => {
    assert.throws(() => loadProxyConfig({ ...ENV, ALLOWED_CONTENT_TYPES: '["image/png","image/png"]' }), /ALLOWED_CONTENT_TYPES lists an entry twice/);
    assert.throws(() => loadProxyConfig({ ...ENV, TENANT_ROUTING: '{"default":"pooled"}' }), /TENANT_ROUTING must hold pooledBucket/);
  });
});

describe("functions/proxy/sniff", () => {
  it("knows an extension for every type it can verify (the proxy applies the uploads' extension rules)", () => {
    for (const type of Object.keys(CONTENT_CHECKS)) {
      assert.ok(EXTENSIONS[type]?.length, type);
    }
  });

  const cases: [string, Uint8Array, "match" | "mismatch" | "unverifiable"][] = [
    ["image/png", PNG_1PX, "match"],
    ["image/png", bytes([0x89], "PNG"), "mismatch"],
    ["image/png", bytes([0xff, 0xd8, 0xff, 0xe0]), "mismatch"],
    ["image/jpeg", bytes([0xff, 0xd8, 0xff, 0xe0, 0, 0x10], "JFIF"), "match"],
    ["image/jpeg", bytes([0xff, 0xd8]), "mismatch"],
    ["image/jpeg", PNG_1PX, "mismatch"],
    ["image/gif", bytes("GIF89a", [1, 0, 1, 0]), "match"],
    ["image/gif", bytes("GIF90a"), "mismatch"],
    ["image/webp", bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 "), "match"],
    ["image/webp", bytes("RIFF", [0x24, 0, 0, 0], "WAVEfmt "), "mismatch"],
    ["application/pdf", bytes("%PDF-1.7\n"), "match"],
    ["application/pdf", bytes("<html>%PDF-"), "mismatch"],
    ["video/mp4", ftyp("isom"), "match"],
    ["video/mp4", ftyp("mp42"), "match"],
    ["video/mp4", ftyp("heic", "mif1"), "mismatch"],
    ["video/mp4", bytes([0, 0, 0, 0x18], "moov"), "mismatch"],
    ["video/quicktime", ftyp("qt  "), "match"],
    ["video/quicktime", ftyp("isom"), "mismatch"],
    ["image/heic", ftyp("heic", "mif1"), "match"],
    ["image/heic", ftyp("mif1", "heic"), "match"],
    ["image/heic", ftyp("isom"), "mismatch"],
    ["image/heic", ftyp("avif", "mif1"), "mismatch"],
    ["image/avif", ftyp("avif", "mif1"), "match"],
    ["image/heif", ftyp("mif1", "heic"), "match"],
    ["text/plain", bytes("hello, world\r\n\tindented\n"), "match"],
    ["text/plain", Buffer.from("héllo — ✓", "utf8"), "match"],
    ["text/plain", bytes([0x68, 0x00, 0x69]), "mismatch"],
    ["text/plain", bytes([0xc3, 0x28]), "mismatch"],
    ["text/plain", PNG_1PX, "mismatch"],
    ["application/json", bytes('{"a":[1,2]}'), "match"],
    ["application/json", bytes("{not json"), "mismatch"],
    ["audio/mpeg", bytes("ID3"), "unverifiable"],
    ["application/zip", bytes("PK", [3, 4]), "unverifiable"],
    ["image/svg+xml", bytes("<svg/>"), "unverifiable"],
  ];
  for (const [type, content, expected] of cases) {
    it(`${type}: ${Buffer.from(content).subarray(0, 12).toString("hex")}… is a ${expected}`, () => {
      assert.equal(sniff(type, content), expected);
    });
  }
});
