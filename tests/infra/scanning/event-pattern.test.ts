import * as assert from "node:assert/strict";
import { objectCreatedPattern } from "../../../infra/scanning/event-pattern";

describe("infra/scanning/event-pattern", () => {
  it("matches S3 Object Created events under the prefix in the named buckets only", () => {
    assert.deepEqual(objectCreatedPattern(["mobile-s3-dev-storage-abc1234", "mobile-s3-dev-acme-7654321", "mobile-s3-dev-storage-abc1234"], "tenants/"), {
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: {
        bucket: { name: ["mobile-s3-dev-acme-7654321", "mobile-s3-dev-storage-abc1234"] },
        object: { key: [{ prefix: "tenants/" }] },
      },
    });
  });

  const refused: [string, string[], string, RegExp][] = [
    ["no bucket (EventBridge rejects an empty list)", [], "tenants/", /\[bucketNames\] must name at least one bucket/],
    ["a bucket ARN instead of a name", ["arn:aws:s3:::b"], "tenants/", /\[bucketNames\] must hold S3 bucket names, got "arn:aws:s3:::b"/],
    ["an empty prefix (would scan quarantine copies again)", ["bucket-a"], "", /\[keyPrefix\] must be a literal, non-empty key prefix/],
    ["a wildcard prefix", ["bucket-a"], "tenants/*", /\[keyPrefix\]/],
  ];
  for (const [label, buckets, prefix, message] of refused) {
    it(`refuses ${label}`, () => {
      assert.throws(() => objectCreatedPattern(buckets, prefix), message);
    });
  }
});
