import * as assert from "node:assert/strict";
import { assertTrailName, trailArn } from "../../../infra/observability/trail-name";

describe("infra/observability/trail-name", () => {
  for (const good of ["abc", "mobile-s3-dev-audit", "Audit_Trail.v2", "a".repeat(128)]) {
    it(`accepts "${good.length > 40 ? `${good.slice(0, 8)}… (${good.length})` : good}"`, () => {
      assert.equal(assertTrailName(good), good);
    });
  }

  const bad: [string, string][] = [
    ["ab", "shorter than 3"],
    ["a".repeat(129), "longer than 128"],
    ["-audit", "starting with a separator"],
    ["audit.", "ending with a separator"],
    ["my-_trail", "two separators in a row"],
    ["my--trail", "two dashes in a row"],
    ["192.168.0.1", "an IP address"],
    ["audit trail", "a space"],
    ["audit/trail", "a slash, which would change the ARN"],
  ];
  for (const [name, why] of bad) {
    it(`refuses ${why}, naming the config to change`, () => {
      assert.throws(() => assertTrailName(name), /breaks CloudTrail's naming rules.*\[app\] or \[environment\]/);
    });
  }

  it("builds the ARN CloudTrail gives the trail, in the stack's partition and region", () => {
    assert.equal(
      trailArn({ partition: "aws-cn", region: "cn-north-1", accountId: "123456789012", trailName: "photos-prod-audit" }),
      "arn:aws-cn:cloudtrail:cn-north-1:123456789012:trail/photos-prod-audit",
    );
    assert.throws(() => trailArn({ partition: "aws", region: "us-east-1", accountId: "123456789012", trailName: "a*" }), /naming rules/);
  });
});
