import * as assert from "node:assert/strict";
import { bucketKeyPolicy, DYNAMODB_KEY_READS, KEY_ADMIN_ACTIONS, tableKeyPolicy } from "../../../infra/kms/key-policy";
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

describe("infra/kms/key-policy tableKeyPolicy: the object index's key (IAM simulator)", () => {
  const INDEXER = `arn:aws:iam::${ACCOUNT}:role/mobile-s3-dev-api-indexer-abc1234`;
  const OBJECTS = `arn:aws:iam::${ACCOUNT}:role/mobile-s3-dev-api-objects-abc1234`;
  const SCAN = `arn:aws:iam::${ACCOUNT}:role/mobile-s3-dev-api-scan-abc1234`;
  const TABLE_KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/2222bbbb-3333-4444-8555-666677778888`;
  const viaDynamoDb = { "kms:ViaService": "dynamodb.us-east-1.amazonaws.com", "kms:CallerAccount": ACCOUNT };
  const policy = tableKeyPolicy({ partition: "aws", accountId: ACCOUNT, region: "us-east-1", keyUserArns: [OBJECTS, INDEXER] });
  const ask = (principal: string, action: string, context: Record<string, string> = {}, identityPolicies: unknown[] = []) =>
    simulate({ identityPolicies, resourcePolicy: policy }, { principal, action, resource: TABLE_KEY, context });

  const cases: [string, string, string, Record<string, string>, unknown[], Decision][] = [
    // DynamoDB decrypts the table key as the principal reading the table ("Monitoring DynamoDB interaction with AWS KMS").
    ["the indexer's role decrypting the table key through DynamoDB", INDEXER, "kms:Decrypt", viaDynamoDb, [], "Allowed"],
    ["the objects role decrypting through DynamoDB", OBJECTS, "kms:Decrypt", viaDynamoDb, [], "Allowed"],
    ["the indexer's role generating data keys through DynamoDB", INDEXER, "kms:GenerateDataKey", viaDynamoDb, [], "Allowed"],
    ["the indexer's role through S3", INDEXER, "kms:Decrypt", { ...viaDynamoDb, "kms:ViaService": "s3.us-east-1.amazonaws.com" }, [], "ImplicitlyDenied"],
    ["the indexer's role through DynamoDB in another region", INDEXER, "kms:Decrypt", { ...viaDynamoDb, "kms:ViaService": "dynamodb.eu-west-1.amazonaws.com" }, [], "ImplicitlyDenied"],
    ["the indexer's role calling KMS directly", INDEXER, "kms:Decrypt", {}, [], "ImplicitlyDenied"],
    ["the indexer's role creating a grant itself, even through DynamoDB", INDEXER, "kms:CreateGrant", viaDynamoDb, [], "ImplicitlyDenied"],
    ["a function that keeps off the index (scan), with kms:* in its own policy", SCAN, "kms:Decrypt", viaDynamoDb, [kmsEverything], "ImplicitlyDenied"],
    ["an administrator with kms:* reading the table through DynamoDB", ADMIN_ROLE, "kms:Decrypt", viaDynamoDb, [kmsEverything], "ImplicitlyDenied"],
    ["an administrator changing the key policy", ADMIN_ROLE, "kms:PutKeyPolicy", {}, [kmsEverything], "Allowed"],
    // Creating the table: DynamoDB describes the key and creates its grants for the creator ("Using grants to authorize DynamoDB").
    ["the deploying principal describing the key", DEPLOYER_ROLE, "kms:DescribeKey", {}, [kmsEverything], "Allowed"],
    ["the deploying principal's grant, created by DynamoDB", DEPLOYER_ROLE, "kms:CreateGrant", { "kms:GrantIsForAWSResource": "true" }, [kmsEverything], "Allowed"],
    ["the deploying principal creating a grant itself", DEPLOYER_ROLE, "kms:CreateGrant", {}, [kmsEverything], "ImplicitlyDenied"],
    ["DynamoDB describing the key", "dynamodb.amazonaws.com", "kms:DescribeKey", {}, [], "Allowed"],
    ["DynamoDB decrypting outside its grants", "dynamodb.amazonaws.com", "kms:Decrypt", {}, [], "ImplicitlyDenied"],
    ["S3 describing the key", "s3.amazonaws.com", "kms:DescribeKey", {}, [], "ImplicitlyDenied"],
  ];
  for (const [label, principal, action, context, identityPolicies, expected] of cases) {
    it(`${expected === "Allowed" ? "allows" : "denies"} ${label}`, async () => {
      assert.equal((await ask(principal, action, context, identityPolicies)).decision, expected);
    });
  }

  it("lets an administrator do exactly what it may do on a bucket's key, and nothing more", async () => {
    const allowed: string[] = [];
    for (const action of KEY_ACTIONS) {
      if ((await ask(ADMIN_ROLE, action, {}, [kmsEverything])).decision === "Allowed") {
        allowed.push(action);
      }
    }
    assert.deepEqual(allowed, KEY_ACTIONS.filter((a) => ADMINISTRATION.has(a)));
  });

  it("lets DynamoDB itself only read the key's metadata, every action named", async () => {
    const allowed: string[] = [];
    for (const action of KEY_ACTIONS) {
      if ((await ask("dynamodb.amazonaws.com", action)).decision === "Allowed") {
        allowed.push(action);
      }
    }
    assert.deepEqual(allowed, [...DYNAMODB_KEY_READS].sort());
    assert.ok(allowed.every((a) => /^kms:(Describe|Get|List)/.test(a)));
  });

  it("names no role when none is given, and passes KMS's lockout safety check", async () => {
    const lonely = tableKeyPolicy({ partition: "aws", accountId: ACCOUNT, region: "us-east-1", keyUserArns: [] });
    assert.deepEqual(lonely.Statement.map((st) => st.Sid), ["AccountAdministersKey", "AccountGrantsForAwsResources", "DynamoDbReadsKeyMetadata"]);
    const deployer = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:PutKeyPolicy", Resource: TABLE_KEY }] };
    const outcome = await simulate({ identityPolicies: [deployer], resourcePolicy: policy }, { principal: DEPLOYER_ROLE, action: "kms:PutKeyPolicy", resource: TABLE_KEY });
    assert.equal(outcome.decision, "Allowed");
  });
});
