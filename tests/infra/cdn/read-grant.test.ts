import { CLAMAV_VOCABULARY, GUARDDUTY_VOCABULARY } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { cloudFrontReadStatement } from "../../../infra/cdn/read-grant";
import { bucketPolicy } from "../../../infra/storage/bucket-policy";
import { type Decision, decideAll, type IamRequest, simulate } from "../../harness/iam";

const BUCKET = "arn:aws:s3:::mobile-s3-dev-storage-abc1234";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1111aaaa-2222-4333-8444-555566667777";
const DISTRIBUTION = "arn:aws:cloudfront::123456789012:distribution/E1ABCDEF234567";
const OTHER_DISTRIBUTION = "arn:aws:cloudfront::210987654321:distribution/E7OTHER0000001";
const CLOUDFRONT = "cloudfront.amazonaws.com";
const OBJECT = `${BUCKET}/tenants/acme/home/u-1/photo.jpg`;
const SCAN = GUARDDUTY_VOCABULARY;
const TAG_KEY = `s3:ExistingObjectTag/${SCAN.tagKey}`;

/** What CloudFront's Origin Access Control presents when a viewer reads an object scanned clean. */
const cleanRead: Record<string, string> = {
  "aws:SourceArn": DISTRIBUTION,
  [TAG_KEY]: SCAN.clean,
  "aws:SecureTransport": "true",
};

function request(action: string, context: Record<string, string>, resource = OBJECT): IamRequest {
  return { principal: CLOUDFRONT, action, resource, context };
}

function without(context: Record<string, string>, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(context).filter(([k]) => k !== key));
}

/** Runs a labelled table and compares all decisions at once, so a failure names every wrong row. */
async function assertTable(policies: { resourcePolicy: unknown }, table: [string, IamRequest, Decision][]): Promise<void> {
  const decisions = await decideAll(policies, table.map(([, r]) => r));
  assert.deepEqual(
    table.map(([label], i) => `${label}: ${decisions[i]}`),
    table.map(([label, , expected]) => `${label}: ${expected}`),
  );
}

describe("infra/cdn/read-grant (IAM simulator)", () => {
  const policies = {
    resourcePolicy: bucketPolicy({
      bucketArn: BUCKET,
      kmsKeyArn: KEY,
      grants: [cloudFrontReadStatement({ bucketArn: BUCKET, distributionArn: DISTRIBUTION, readGate: SCAN })],
    }),
  };

  it("lets this distribution read a clean object, deciding on every context key it was given", async () => {
    const outcome = await simulate(policies, request("s3:GetObject", cleanRead));
    assert.equal(outcome.decision, "Allowed");
    // Had the simulator dropped the tag or SourceArn key as not applicable, the rows below would
    // pass for the wrong reason.
    assert.deepEqual(outcome.ignoredContextKeys, []);
  });

  it("reads nothing for another distribution, an unscanned or infected object, a write, or plain HTTP", async () => {
    await assertTable(policies, [
      ["clean object, this distribution", request("s3:GetObject", cleanRead), "Allowed"],
      [
        "another account's distribution pointed at the bucket",
        request("s3:GetObject", { ...cleanRead, "aws:SourceArn": OTHER_DISTRIBUTION }),
        "ImplicitlyDenied",
      ],
      ["no SourceArn at all", request("s3:GetObject", without(cleanRead, "aws:SourceArn")), "ImplicitlyDenied"],
      ["object GuardDuty could not scan", request("s3:GetObject", { ...cleanRead, [TAG_KEY]: "UNSUPPORTED" }), "ImplicitlyDenied"],
      ["object found infected", request("s3:GetObject", { ...cleanRead, [TAG_KEY]: SCAN.infected }), "ImplicitlyDenied"],
      ["object not scanned yet (no verdict tag)", request("s3:GetObject", without(cleanRead, TAG_KEY)), "ImplicitlyDenied"],
      [
        "object carrying ClamAV's clean tag in a GuardDuty stack",
        request("s3:GetObject", { ...without(cleanRead, TAG_KEY), [`s3:ExistingObjectTag/${CLAMAV_VOCABULARY.tagKey}`]: CLAMAV_VOCABULARY.clean }),
        "ImplicitlyDenied",
      ],
      ["CloudFront writing an object", request("s3:PutObject", cleanRead), "ImplicitlyDenied"],
      ["CloudFront deleting an object", request("s3:DeleteObject", cleanRead), "ImplicitlyDenied"],
      ["CloudFront listing the bucket", request("s3:ListBucket", cleanRead, BUCKET), "ImplicitlyDenied"],
      [
        "clean object over plain HTTP",
        request("s3:GetObject", { ...cleanRead, "aws:SecureTransport": "false" }),
        "ExplicitlyDenied",
      ],
    ]);
  });

  it("with a key prefix, reads only under that prefix", async () => {
    const prefixed = {
      resourcePolicy: bucketPolicy({
        bucketArn: BUCKET,
        kmsKeyArn: KEY,
        grants: [cloudFrontReadStatement({ bucketArn: BUCKET, distributionArn: DISTRIBUTION, keyPrefix: "tenants/", readGate: SCAN })],
      }),
    };
    await assertTable(prefixed, [
      ["under the prefix", request("s3:GetObject", cleanRead, `${BUCKET}/tenants/acme/a.jpg`), "Allowed"],
      ["a sibling sharing the prefix's letters", request("s3:GetObject", cleanRead, `${BUCKET}/tenants-archive/a.jpg`), "ImplicitlyDenied"],
      ["outside the prefix", request("s3:GetObject", cleanRead, `${BUCKET}/quarantine/a.jpg`), "ImplicitlyDenied"],
    ]);
  });

  it("puts the distribution in the condition and the bucket's objects in Resource", () => {
    const statement = cloudFrontReadStatement({ bucketArn: BUCKET, distributionArn: DISTRIBUTION, readGate: SCAN });
    assert.equal(statement.Sid, "CloudFrontReadsCleanObjects");
    assert.deepEqual(statement.Principal, { Service: CLOUDFRONT });
    assert.equal(statement.Resource, `${BUCKET}/*`);
    assert.deepEqual(statement.Condition, { StringEquals: { "AWS:SourceArn": DISTRIBUTION, [TAG_KEY]: "NO_THREATS_FOUND" } });
  });

  describe("input validation", () => {
    const cases: [string, Parameters<typeof cloudFrontReadStatement>[0], RegExp][] = [
      [
        "a distribution ARN as the bucket (a common mistake)",
        { bucketArn: DISTRIBUTION, distributionArn: DISTRIBUTION, readGate: SCAN },
        /^Error: \[bucketArn\] must be an S3 bucket ARN/,
      ],
      ["an object ARN as the bucket", { bucketArn: `${BUCKET}/*`, distributionArn: DISTRIBUTION, readGate: SCAN }, /^Error: \[bucketArn\] must be/],
      ["a bucket ARN as the distribution", { bucketArn: BUCKET, distributionArn: BUCKET, readGate: SCAN }, /^Error: \[distributionArn\] must be a CloudFront distribution ARN/],
      [
        "a distribution ARN without an account",
        { bucketArn: BUCKET, distributionArn: "arn:aws:cloudfront:::distribution/E1ABCDEF234567", readGate: SCAN },
        /^Error: \[distributionArn\] must be/,
      ],
      [
        "a wildcard distribution",
        { bucketArn: BUCKET, distributionArn: "arn:aws:cloudfront::123456789012:distribution/*", readGate: SCAN },
        /^Error: \[distributionArn\] must be/,
      ],
      [
        "a distribution in another partition",
        { bucketArn: BUCKET, distributionArn: "arn:aws-cn:cloudfront::123456789012:distribution/E1ABCDEF234567", readGate: SCAN },
        /^Error: \[distributionArn\] must be in the bucket's partition "aws"/,
      ],
      ["a prefix without a trailing slash", { bucketArn: BUCKET, distributionArn: DISTRIBUTION, keyPrefix: "tenants", readGate: SCAN }, /^Error: \[keyPrefix\] must be/],
      ["a prefix with a leading slash", { bucketArn: BUCKET, distributionArn: DISTRIBUTION, keyPrefix: "/tenants/", readGate: SCAN }, /^Error: \[keyPrefix\] must be/],
      ["a prefix with a wildcard", { bucketArn: BUCKET, distributionArn: DISTRIBUTION, keyPrefix: "tenants/*/", readGate: SCAN }, /^Error: \[keyPrefix\] must be/],
      [
        "a prefix with a policy variable",
        { bucketArn: BUCKET, distributionArn: DISTRIBUTION, keyPrefix: "home/${aws:username}/", readGate: SCAN },
        /^Error: \[keyPrefix\] must be/,
      ],
    ];
    for (const [label, input, message] of cases) {
      it(`rejects ${label}`, () => {
        assert.throws(() => cloudFrontReadStatement(input), (err: Error) => message.test(String(err)));
      });
    }

    it("accepts a bucket and distribution in the China partition", () => {
      const statement = cloudFrontReadStatement({
        bucketArn: "arn:aws-cn:s3:::photos",
        distributionArn: "arn:aws-cn:cloudfront::123456789012:distribution/E1ABCDEF234567",
        readGate: SCAN,
      });
      assert.equal(statement.Resource, "arn:aws-cn:s3:::photos/*");
    });
  });
});
