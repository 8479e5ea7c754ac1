import * as assert from "node:assert/strict";
import { carryDroppedKeys, decideAll, resolveCognitoVariables, simulate } from "./iam";

const BUCKET = "arn:aws:s3:::photos";
const ROLE = "arn:aws:sts::123456789012:assumed-role/app-user/CognitoIdentityCredentials";

const homeByIdentityId = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/home/\${cognito-identity.amazonaws.com:sub}/*` }],
};
const denyHttp = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET, `${BUCKET}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
  ],
};

describe("tests/harness/iam (IAM simulator)", () => {
  it("decides an allow, an explicit deny and an implicit deny from the policies, not from their text", async () => {
    const own = "home/us-east-1:aaaa/cat.jpg";
    const context = { "cognito-identity.amazonaws.com:sub": "us-east-1:aaaa", "aws:SecureTransport": "true" };
    const decisions = await decideAll({ identityPolicies: [homeByIdentityId], resourcePolicy: denyHttp }, [
      { principal: ROLE, action: "s3:GetObject", resource: `${BUCKET}/${own}`, context },
      { principal: ROLE, action: "s3:GetObject", resource: `${BUCKET}/${own}`, context: { ...context, "aws:SecureTransport": "false" } },
      { principal: ROLE, action: "s3:GetObject", resource: `${BUCKET}/home/us-east-1:bbbb/cat.jpg`, context },
    ]);
    assert.deepEqual(decisions, ["Allowed", "ExplicitlyDenied", "ImplicitlyDenied"]);
  });

  it("decides with principal tags as AWS resolves ${aws:PrincipalTag/…}", async () => {
    const byTag = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: `${BUCKET}/tenants/\${aws:PrincipalTag/tenant}/*` }],
    };
    const put = (tenant: string, key: string) =>
      simulate({ identityPolicies: [byTag] }, { principal: ROLE, action: "s3:PutObject", resource: `${BUCKET}/${key}`, context: { "aws:PrincipalTag/tenant": tenant } });
    assert.equal((await put("acme", "tenants/acme/x")).decision, "Allowed");
    assert.equal((await put("acme", "tenants/globex/x")).decision, "ImplicitlyDenied");
  });

  it("resolves cognito-identity variables itself, because the simulator drops those keys for S3", async () => {
    const context = { "cognito-identity.amazonaws.com:sub": "us-east-1:aaaa" };
    const outcome = await simulate({ identityPolicies: [homeByIdentityId] }, { principal: ROLE, action: "s3:GetObject", resource: `${BUCKET}/home/us-east-1:aaaa/x`, context });
    assert.equal(outcome.decision, "Allowed");
    assert.deepEqual(outcome.ignoredContextKeys, ["cognito-identity.amazonaws.com:sub"], "the simulator itself ignored the key");
    const unresolved = resolveCognitoVariables(homeByIdentityId, {}) as typeof homeByIdentityId;
    assert.equal(unresolved.Statement[0].Resource, homeByIdentityId.Statement[0].Resource, "a missing value stays a variable");
  });

  it("evaluates a role trust policy for the identity pool's web-identity federation", async () => {
    const trust = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: "cognito-identity.amazonaws.com" },
          Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
          Condition: {
            StringEquals: { "cognito-identity.amazonaws.com:aud": "us-east-1:pool-1" },
            "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
          },
        },
      ],
    };
    const assume = (aud: string, amr: string) =>
      simulate(
        { resourcePolicy: trust },
        {
          principal: "cognito-identity.amazonaws.com",
          action: "sts:AssumeRoleWithWebIdentity",
          resource: "arn:aws:iam::123456789012:role/app-user",
          context: { "cognito-identity.amazonaws.com:aud": aud, "cognito-identity.amazonaws.com:amr": [amr] },
        },
      );
    assert.equal((await assume("us-east-1:pool-1", "authenticated")).decision, "Allowed");
    assert.equal((await assume("us-east-1:pool-2", "authenticated")).decision, "ImplicitlyDenied");
    assert.equal((await assume("us-east-1:pool-1", "unauthenticated")).decision, "ImplicitlyDenied");
  });

  describe("keys the simulator drops but AWS supplies", () => {
    const delegation = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: "s3:GetObject",
          Resource: `${BUCKET}/*`,
          Condition: { StringEquals: { "s3:DataAccessPointAccount": "123456789012" } },
        },
      ],
    };
    const viaAccessPoint = { "s3:DataAccessPointAccount": "123456789012" };

    it("shows the limitation: passed plainly, s3:DataAccessPointAccount is dropped at the bucket", async () => {
      const outcome = await simulate({ resourcePolicy: delegation }, { principal: ROLE, action: "s3:GetObject", resource: `${BUCKET}/x`, context: viaAccessPoint });
      assert.equal(outcome.decision, "ImplicitlyDenied");
      assert.deepEqual(outcome.ignoredContextKeys, ["s3:DataAccessPointAccount"]);
    });

    it("carries them under stand-in keys so the policy's own condition decides", async () => {
      const allowed = await simulate({ resourcePolicy: delegation }, { principal: ROLE, action: "s3:GetObject", resource: `${BUCKET}/x`, droppedBySimulator: viaAccessPoint });
      assert.equal(allowed.decision, "Allowed");
      const otherAccount = await simulate(
        { resourcePolicy: delegation },
        { principal: ROLE, action: "s3:GetObject", resource: `${BUCKET}/x`, droppedBySimulator: { "s3:DataAccessPointAccount": "999999999999" } },
      );
      assert.equal(otherAccount.decision, "ImplicitlyDenied");
    });

    it("refuses policies that already use a stand-in key", () => {
      const usesVpce = { Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { StringEquals: { "aws:SourceVpce": "vpce-1" } } }] };
      assert.throws(() => carryDroppedKeys([usesVpce], viaAccessPoint), /already uses aws:SourceVpce/);
    });
  });

  it("refuses a request it cannot simulate instead of guessing", async () => {
    await assert.rejects(simulate({ identityPolicies: [homeByIdentityId] }, { principal: ROLE, action: "s3:NoSuchAction", resource: `${BUCKET}/x` }), /IAM simulator refused/);
  });
});
