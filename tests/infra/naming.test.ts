import * as assert from "node:assert/strict";
import { assertBucketLogicalName, AUTONAME_SUFFIX_LENGTH, NAME_CHARSETS, physicalName, stackResourceName } from "../../infra/naming";

describe("infra/naming", () => {
  it("builds <app>-<env>-<purpose>", () => {
    assert.equal(stackResourceName("photos", "prod", "storage"), "photos-prod-storage");
  });

  it("accepts a name that stays within 63 characters once the provider appends its suffix", () => {
    assert.equal(assertBucketLogicalName("a".repeat(55)), "a".repeat(55));
  });

  for (const bad of ["a".repeat(56), "Photos-prod", "photos.prod", "-photos", "photos_prod"]) {
    it(`refuses "${bad}", naming the keys to change`, () => {
      assert.throws(() => assertBucketLogicalName(bad), /S3's naming rules.*shorten \[app\] or \[environment\]/);
    });
  }
});

describe("infra/naming physicalName (the one length-aware name builder)", () => {
  it("joins the parts, appends the suffix and returns the name", () => {
    assert.equal(physicalName({ parts: ["photos", "prod", "t", "acme"], suffix: "-0123abcd", maxLength: 63 }), "photos-prod-t-acme-0123abcd");
  });

  it("counts the characters still to come (an auto-name suffix) against the maximum", () => {
    assert.equal(physicalName({ parts: ["a".repeat(55)], maxLength: 63, reserve: AUTONAME_SUFFIX_LENGTH }), "a".repeat(55));
    assert.throws(() => physicalName({ parts: ["a".repeat(56)], maxLength: 63, reserve: AUTONAME_SUFFIX_LENGTH }), /breaks its naming rules/);
  });

  it("checks the charset, the minimum length and refused patterns, with the caller's message", () => {
    assert.throws(() => physicalName({ parts: ["Photos"], maxLength: 63, charset: NAME_CHARSETS.s3 }), /naming rules/);
    assert.throws(() => physicalName({ parts: ["ab"], minLength: 3, maxLength: 128 }), /naming rules/);
    assert.throws(
      () => physicalName({ parts: ["photos", "x"], suffix: "-s3alias", maxLength: 50, refuse: /-s3alias$/, message: (name, length) => `${name} (${length})` }),
      /^Error: photos-x-s3alias \(16\)$/,
    );
  });
});
