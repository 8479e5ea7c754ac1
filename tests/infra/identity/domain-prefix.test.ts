import * as assert from "node:assert/strict";
import { assertAuthDomainPrefix, defaultAuthDomainPrefix } from "../../../infra/identity/domain-prefix";

/**
 * A Cognito domain prefix is unique per region across every AWS account ("Using the Amazon Cognito
 * domain for the hosted UI"): the default must differ between two accounts deploying the same
 * project and stack, and stay the same for one account across deploys.
 */
describe("infra/identity/domain-prefix", () => {
  const base = { app: "mobile-s3", environment: "prod", accountId: "111111111111", region: "eu-west-1" };

  it("differs between accounts and regions, and is stable for one account and region", () => {
    const mine = defaultAuthDomainPrefix(base);
    assert.match(mine, /^mobile-s3-prod-[0-9a-f]{8}$/);
    assert.equal(defaultAuthDomainPrefix(base), mine);
    assert.notEqual(defaultAuthDomainPrefix({ ...base, accountId: "222222222222" }), mine);
    assert.notEqual(defaultAuthDomainPrefix({ ...base, region: "us-east-1" }), mine);
  });

  it("fits Cognito's 63 characters with the longest app and environment names the config allows", () => {
    const longest = defaultAuthDomainPrefix({ ...base, app: "a".repeat(20), environment: "e".repeat(12) });
    assert.ok(longest.length <= 63, `${longest.length}`);
  });

  const refused: [string, string][] = [
    ["a reserved word", "photos-cognito"],
    ["AWS in it", "myaws-login"],
    ["capitals", "Photos"],
    ["a leading hyphen", "-photos"],
    ["64 characters", "a".repeat(64)],
  ];
  for (const [label, prefix] of refused) {
    it(`refuses ${label}`, () => {
      assert.throws(() => assertAuthDomainPrefix(prefix), /\[authDomainPrefix\] must be 1-63 lowercase letters/);
    });
  }
});
