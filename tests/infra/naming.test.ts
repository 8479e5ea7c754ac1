import * as assert from "node:assert/strict";
import { assertBucketLogicalName, stackResourceName } from "../../infra/naming";

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
