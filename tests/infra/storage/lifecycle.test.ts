import * as assert from "node:assert/strict";
import { lifecycleRules } from "../../../infra/storage/lifecycle";

const base = { abortIncompleteUploadDays: 3, noncurrentVersionExpirationDays: 30, infrequentAccessAfterDays: 0, objectExpirationDays: 0 };

describe("infra/storage/lifecycle", () => {
  it("always aborts incomplete multipart uploads and expires old versions, for every object", () => {
    const rules = lifecycleRules(base);
    assert.deepEqual(
      rules.map((r) => r.id),
      ["abort-incomplete-multipart-uploads", "expire-noncurrent-versions"],
    );
    assert.deepEqual(rules[0].abortIncompleteMultipartUpload, { daysAfterInitiation: 3 });
    assert.deepEqual(rules[1].noncurrentVersionExpiration, { noncurrentDays: 30 });
    assert.deepEqual(rules[1].expiration, { expiredObjectDeleteMarker: true });
    for (const rule of rules) {
      assert.deepEqual(rule.filter, { prefix: "" });
      assert.equal(rule.status, "Enabled");
    }
  });

  it("adds tiering and expiry of current objects only when asked", () => {
    const rules = lifecycleRules({ ...base, infrequentAccessAfterDays: 30, objectExpirationDays: 400 });
    const current = rules.find((r) => r.id === "current-objects");
    assert.deepEqual(current?.transitions, [{ days: 30, storageClass: "STANDARD_IA" }]);
    assert.deepEqual(current?.expiration, { days: 400 });
    const onlyExpiry = lifecycleRules({ ...base, objectExpirationDays: 10 }).find((r) => r.id === "current-objects");
    assert.equal(onlyExpiry?.transitions, undefined);
    assert.deepEqual(onlyExpiry?.expiration, { days: 10 });
  });
});
