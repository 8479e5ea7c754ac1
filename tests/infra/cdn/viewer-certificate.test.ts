import * as assert from "node:assert/strict";
import { aliases, type CustomDomain, viewerCertificate } from "../../../infra/cdn/viewer-certificate";

const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const DOMAIN: CustomDomain = { domainName: "media.example.com", acmCertificateArn: CERTIFICATE };

describe("infra/cdn/viewer-certificate", () => {
  it("holds viewers on a custom domain to TLS 1.2 with SNI", () => {
    assert.deepEqual(viewerCertificate(DOMAIN), {
      acmCertificateArn: CERTIFICATE,
      sslSupportMethod: "sni-only",
      minimumProtocolVersion: "TLSv1.2_2021",
    });
    assert.deepEqual(aliases(DOMAIN), ["media.example.com"]);
  });

  it("falls back to the cloudfront.net certificate, where AWS allows no minimum version to be set", () => {
    assert.deepEqual(viewerCertificate(), { cloudfrontDefaultCertificate: true });
    assert.deepEqual(aliases(), []);
  });

  it("accepts a wildcard alias", () => {
    assert.doesNotThrow(() => viewerCertificate({ ...DOMAIN, domainName: "*.media.example.com" }));
  });

  const rejected: [string, Partial<CustomDomain>, RegExp][] = [
    ["a certificate from another region", { acmCertificateArn: CERTIFICATE.replace("us-east-1", "eu-west-1") }, /^Error: \[customDomain\.acmCertificateArn\] must be/],
    ["an IAM server certificate", { acmCertificateArn: "arn:aws:iam::123456789012:server-certificate/media" }, /^Error: \[customDomain\.acmCertificateArn\] must be/],
    ["a certificate id instead of its ARN", { acmCertificateArn: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" }, /^Error: \[customDomain\.acmCertificateArn\] must be/],
    ["a URL as the domain", { domainName: "https://media.example.com" }, /^Error: \[customDomain\.domainName\] must be/],
    ["an upper-case domain", { domainName: "Media.example.com" }, /^Error: \[customDomain\.domainName\] must be/],
    ["a single-label domain", { domainName: "media" }, /^Error: \[customDomain\.domainName\] must be/],
    ["a wildcard in the middle", { domainName: "media.*.example.com" }, /^Error: \[customDomain\.domainName\] must be/],
  ];
  for (const [label, change, message] of rejected) {
    it(`rejects ${label}`, () => {
      assert.throws(() => viewerCertificate({ ...DOMAIN, ...change }), message);
    });
  }
});
