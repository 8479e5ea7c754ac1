import * as assert from "node:assert/strict";
import { assertPriceClass, assertS3RegionalDomainName } from "../../../infra/cdn/distribution-settings";

describe("infra/cdn/distribution-settings", () => {
  describe("origin domain name", () => {
    const accepted = [
      "mobile-s3-dev-storage-abc1234.s3.us-east-1.amazonaws.com",
      "photos.s3.eu-west-1.amazonaws.com",
      "photos.s3.us-gov-west-1.amazonaws.com",
      "photos.s3.cn-north-1.amazonaws.com.cn",
    ];
    for (const domain of accepted) {
      it(`accepts ${domain}`, () => assert.equal(assertS3RegionalDomainName(domain), domain));
    }

    const rejected: [string, string][] = [
      ["the global endpoint", "photos.s3.amazonaws.com"],
      ["a website endpoint (dash form)", "photos.s3-website-eu-west-1.amazonaws.com"],
      ["a website endpoint (dot form)", "photos.s3-website.eu-west-1.amazonaws.com"],
      ["a bucket name alone", "photos"],
      ["a URL", "https://photos.s3.eu-west-1.amazonaws.com"],
      ["a bucket ARN", "arn:aws:s3:::photos"],
    ];
    for (const [label, domain] of rejected) {
      it(`rejects ${label}`, () => {
        assert.throws(() => assertS3RegionalDomainName(domain), /^Error: \[originDomainName\] must be the bucket's regional domain name/);
      });
    }
  });

  describe("price class", () => {
    for (const priceClass of ["PriceClass_100", "PriceClass_200", "PriceClass_All"]) {
      it(`accepts ${priceClass}`, () => assert.equal(assertPriceClass(priceClass), priceClass));
    }
    for (const priceClass of ["PriceClass_50", "priceclass_100", "All", ""]) {
      it(`rejects "${priceClass}"`, () => assert.throws(() => assertPriceClass(priceClass), /^Error: \[priceClass\] must be one of/));
    }
  });
});
