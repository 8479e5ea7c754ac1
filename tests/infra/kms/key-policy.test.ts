import * as assert from "node:assert/strict";
import { bucketKeyPolicy } from "../../../infra/kms/key-policy";
import { type Decision, decideAll, type IamRequest } from "../../harness/iam";

const ACCOUNT = "123456789012";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1111aaaa-2222-4333-8444-555566667777`;
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-user`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/reporting`;
const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/admin`;
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

  it("names no key users and no distribution when none are given", () => {
    const lonely = bucketKeyPolicy({ partition: "aws", accountId: ACCOUNT, region: "us-east-1", keyUserArns: [], cloudFrontDistributionArns: [] });
    assert.deepEqual(
      lonely.Statement.map((s) => s.Sid),
      ["AccountAdministersKey"],
    );
  });
});
