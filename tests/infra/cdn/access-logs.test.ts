import * as assert from "node:assert/strict";
import { ACCESS_LOG_FIELDS, assertLogRetentionDays, CREDENTIAL_BEARING_FIELDS } from "../../../infra/cdn/access-logs";

describe("infra/cdn/access-logs", () => {
  it("delivers no field that can carry a cookie, a signed-URL signature or a referring URL", () => {
    const fields: readonly string[] = ACCESS_LOG_FIELDS;
    assert.deepEqual(
      CREDENTIAL_BEARING_FIELDS.filter((f) => fields.includes(f)),
      [],
    );
  });

  it("names each field once", () => {
    assert.equal(new Set(ACCESS_LOG_FIELDS).size, ACCESS_LOG_FIELDS.length);
  });

  for (const days of [1, 30, 365, 3653]) {
    it(`accepts a retention of ${days} days`, () => assertLogRetentionDays(days));
  }
  for (const days of [0, 2, 31, 3654, 1.5, -1]) {
    it(`rejects a retention of ${days} days`, () => {
      assert.throws(() => assertLogRetentionDays(days), /^Error: \[logRetentionDays\] must be one of 1, 3, 5, .*, 3653, got /);
    });
  }
});
