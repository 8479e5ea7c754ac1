import * as assert from "node:assert/strict";
import { bucketKeyPolicy, KEY_ADMIN_ACTIONS } from "../../../infra/kms/key-policy";
import { type Decision, decideAll, type IamRequest, simulate } from "../../harness/iam";

const ACCOUNT = "123456789012";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1111aaaa-2222-4333-8444-555566667777`;
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-user`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/reporting`;
const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/admin`;
const DEPLOYER_ROLE = `arn:aws:iam::${ACCOUNT}:role/deployer`;
const DISTRIBUTION = `arn:aws:cloudfront::${ACCOUNT}:distribution/E123ABC456`;
const viaS3 = { "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": ACCOUNT };

const keyPolicy = bucketKeyPolicy({
  partition: "aws",
  accountId: ACCOUNT,
  region: "us-east-1",
  keyUserArns: [APP_ROLE],
  cloudFrontDistributionArns: [DISTRIBUTION],
});
const kmsEverything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] };

/**
 * Every action the Service Authorization Reference ("Actions, resources, and condition keys for AWS
 * Key Management Service") authorises on a KMS key, i.e. every action a key policy can allow.
 */
const KEY_ACTIONS = [
  "CancelKeyDeletion", "CreateAlias", "CreateGrant", "Decrypt", "DeleteAlias", "DeleteImportedKeyMaterial",
  "DeriveSharedSecret", "DescribeKey", "DisableKey", "DisableKeyRotation", "EnableKey", "EnableKeyRotation",
  "Encrypt", "GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
  "GenerateDataKeyWithoutPlaintext", "GenerateMac", "GetKeyLastUsage", "GetKeyPolicy", "GetKeyRotationStatus",
  "GetParametersForImport", "GetPublicKey", "ImportKeyMaterial", "ListGrants", "ListKeyPolicies",
  "ListKeyRotations", "ListResourceTags", "PutKeyPolicy", "ReEncryptFrom", "ReEncryptTo", "ReplicateKey",
  "RetireGrant", "RevokeGrant", "RotateKeyOnDemand", "ScheduleKeyDeletion", "Sign", "SynchronizeMultiRegionKey",
  "TagResource", "UntagResource", "UpdateAlias", "UpdateKeyDescription", "UpdatePrimaryRegion", "Verify", "VerifyMac",
].map((a) => `kms:${a}`);

/** What an administrator may do on its own, written out here rather than read from the builder. */
const ADMINISTRATION = new Set(
  [
    "CancelKeyDeletion", "CreateAlias", "DeleteAlias", "DescribeKey", "DisableKey", "DisableKeyRotation", "EnableKey",
    "EnableKeyRotation", "GetKeyPolicy", "GetKeyRotationStatus", "ListGrants", "ListKeyPolicies", "ListKeyRotations",
    "ListResourceTags", "PutKeyPolicy", "RevokeGrant", "RotateKeyOnDemand", "ScheduleKeyDeletion", "TagResource",
    "UntagResource", "UpdateAlias", "UpdateKeyDescription",
  ].map((a) => `kms:${a}`),
);

describe("infra/kms/key-policy (IAM simulator)", () => {
  const cases: [string, IamRequest, unknown[], Decision][] = [
    ["the app role decrypts through S3", { principal: APP_ROLE, action: "kms:Decrypt", resource: KEY, context: viaS3 }, [], "Allowed"],
    [
      "the app role generates data keys through S3",
      { principal: APP_ROLE, action: "kms:GenerateDataKey", resource: KEY, context: viaS3 },
      [],
      "Allowed",
    ],
    ["the app role calling KMS directly", { principal: APP_ROLE, action: "kms:Decrypt", resource: KEY, context: {} }, [], "ImplicitlyDenied"],
    [
      "another role, even with kms:* in its own policy",
      { principal: OTHER_ROLE, action: "kms:Decrypt", resource: KEY, context: viaS3 },
      [kmsEverything],
      "ImplicitlyDenied",
    ],
    [
      "an administrator decrypting",
      { principal: ADMIN_ROLE, action: "kms:Decrypt", resource: KEY, context: viaS3 },
      [kmsEverything],
      "ImplicitlyDenied",
    ],
    [
      "an administrator changing the key policy",
      { principal: ADMIN_ROLE, action: "kms:PutKeyPolicy", resource: KEY, context: {} },
      [kmsEverything],
      "Allowed",
    ],
    [
      "this distribution decrypting for OAC",
      { principal: "cloudfront.amazonaws.com", action: "kms:Decrypt", resource: KEY, context: { "aws:SourceArn": DISTRIBUTION } },
      [],
      "Allowed",
    ],
    [
      "another distribution decrypting",
      {
        principal: "cloudfront.amazonaws.com",
        action: "kms:Decrypt",
        resource: KEY,
        context: { "aws:SourceArn": `arn:aws:cloudfront::${ACCOUNT}:distribution/EOTHER` },
      },
      [],
      "ImplicitlyDenied",
    ],
  ];

  for (const [label, request, identityPolicies, expected] of cases) {
    it(`${expected === "Allowed" ? "allows" : "denies"} ${label}`, async () => {
      const [decision] = await decideAll({ identityPolicies, resourcePolicy: keyPolicy }, [request]);
      assert.equal(decision, expected);
    });
  }

  describe("an account administrator whose own policy allows kms:* on *", () => {
    const asAdmin = (action: string, context: Record<string, string> = {}) =>
      simulate({ identityPolicies: [kmsEverything], resourcePolicy: keyPolicy }, { principal: ADMIN_ROLE, action, resource: KEY, context });

    // "kms:GrantIsForAWSResource" (AWS KMS condition keys): true only when an AWS service integrated
    // with KMS calls CreateGrant on the principal's behalf; a grant can carry Decrypt for its grantee.
    const grants: [string, Record<string, string>, Decision][] = [
      ["creating a grant itself (no kms:GrantIsForAWSResource in the request)", {}, "ImplicitlyDenied"],
      ["creating a grant itself (kms:GrantIsForAWSResource false)", { "kms:GrantIsForAWSResource": "false" }, "ImplicitlyDenied"],
      ["having an integrated AWS service create a grant (kms:GrantIsForAWSResource true)", { "kms:GrantIsForAWSResource": "true" }, "Allowed"],
    ];
    for (const [label, context, expected] of grants) {
      it(`${expected === "Allowed" ? "allows" : "denies"} ${label}`, async () => {
        const outcome = await asAdmin("kms:CreateGrant", context);
        assert.deepEqual(outcome.ignoredContextKeys, [], "the simulator judged kms:GrantIsForAWSResource applicable");
        assert.equal(outcome.decision, expected);
      });
    }

    it("may list and revoke grants itself: that only reveals or removes access", async () => {
      for (const action of ["kms:ListGrants", "kms:RevokeGrant"]) {
        assert.equal((await asAdmin(action, { "kms:GrantIsForAWSResource": "false" })).decision, "Allowed", action);
      }
    });

    for (const context of [{}, viaS3]) {
      it(`cannot encrypt, decrypt, re-encrypt, generate data keys or sign ${context === viaS3 ? "through S3" : "calling KMS directly"}`, async () => {
        const crypto = KEY_ACTIONS.filter((a) => /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|GenerateMac|Sign|Verify|DeriveSharedSecret)/.test(a));
        for (const action of crypto) {
          assert.equal((await asAdmin(action, context)).decision, "ImplicitlyDenied", action);
        }
      });
    }

    // "Default key policy": kms:Create*, kms:Put*, kms:Update*… in the console's administrators
    // statement expand to grant operations and to actions for other kinds of key; none is left.
    it("may do exactly the key administration actions, and nothing else a key policy can allow", async () => {
      const allowed: string[] = [];
      for (const action of KEY_ACTIONS) {
        if ((await asAdmin(action)).decision === "Allowed") {
          allowed.push(action);
        }
      }
      assert.deepEqual(allowed, KEY_ACTIONS.filter((a) => ADMINISTRATION.has(a)));
    });
  });

  // "PutKeyPolicy" (AWS KMS API Reference): unless the lockout safety check is bypassed, the new policy
  // must let the principal making the request make a later PutKeyPolicy request.
  it("passes KMS's lockout safety check: a deploying role allowed only kms:PutKeyPolicy may put the policy again", async () => {
    const deployer = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:PutKeyPolicy", Resource: KEY }] };
    const outcome = await simulate({ identityPolicies: [deployer], resourcePolicy: keyPolicy }, { principal: DEPLOYER_ROLE, action: "kms:PutKeyPolicy", resource: KEY });
    assert.equal(outcome.decision, "Allowed");
  });

  it("names every administration action, with no wildcard that a later KMS action could fall under", () => {
    assert.deepEqual(KEY_ADMIN_ACTIONS.filter((a) => a.includes("*")), []);
  });

  it("names no key users and no distribution when none are given", () => {
    const lonely = bucketKeyPolicy({ partition: "aws", accountId: ACCOUNT, region: "us-east-1", keyUserArns: [], cloudFrontDistributionArns: [] });
    assert.deepEqual(
      lonely.Statement.map((s) => s.Sid),
      ["AccountAdministersKey", "AccountGrantsForAwsResources"],
    );
  });
});
