import * as assert from "node:assert/strict";
import { authenticatedRoleTrustPolicy } from "../../../infra/identity/trust-policy";
import { simulate } from "../../harness/iam";

const POOL = "us-east-1:11111111-2222-4333-8444-555555555555";
const ROLE = "arn:aws:iam::123456789012:role/mobile-s3-dev-app-user";

describe("infra/identity/trust-policy (IAM simulator)", () => {
  const trust = authenticatedRoleTrustPolicy(POOL);
  const assume = (action: string, aud: string, amr: string[]) => {
    const identity = { "cognito-identity.amazonaws.com:aud": aud, "cognito-identity.amazonaws.com:amr": amr };
    return simulate(
      { resourcePolicy: trust },
      {
        principal: "cognito-identity.amazonaws.com",
        action,
        resource: ROLE,
        // TagSession is evaluated within AssumeRoleWithWebIdentity, with the same web-identity keys.
        ...(action === "sts:TagSession" ? { droppedBySimulator: identity } : { context: identity }),
      },
    );
  };

  it("lets authenticated identities of this pool assume the role and tag the session", async () => {
    assert.equal((await assume("sts:AssumeRoleWithWebIdentity", POOL, ["authenticated", "cognito-idp.us-east-1.amazonaws.com/pool"])).decision, "Allowed");
    assert.equal((await assume("sts:TagSession", POOL, ["authenticated"])).decision, "Allowed");
    assert.equal((await assume("sts:TagSession", "us-east-1:99999999-2222-4333-8444-555555555555", ["authenticated"])).decision, "ImplicitlyDenied");
    assert.equal((await assume("sts:TagSession", POOL, ["unauthenticated"])).decision, "ImplicitlyDenied");
  });

  it("refuses another identity pool", async () => {
    const other = "us-east-1:99999999-2222-4333-8444-555555555555";
    assert.equal((await assume("sts:AssumeRoleWithWebIdentity", other, ["authenticated"])).decision, "ImplicitlyDenied");
  });

  it("refuses unauthenticated (guest) identities", async () => {
    assert.equal((await assume("sts:AssumeRoleWithWebIdentity", POOL, ["unauthenticated"])).decision, "ImplicitlyDenied");
  });

  it("refuses a malformed pool id", () => {
    assert.throws(() => authenticatedRoleTrustPolicy("pool-1"), /\[identityPoolId\] must look like <region>:<uuid>/);
  });
});
