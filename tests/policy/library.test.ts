import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  awsKmsKeyEnableRotation,
  type MobileS3GuardSettings,
  mobileS3GuardConfig,
  policies as libraryPolicies,
  policiesByKey,
} from "../../policy/library";
import { policies } from "../../policy/policies";
import { type AnalyzerInput, POLICY_PACK_DIR, PolicyPackProcess } from "../harness/policy-pack";

const PACKS = path.join(__dirname, "packs");

function resource(type: string, name: string, properties: Record<string, unknown>): AnalyzerInput {
  return { urn: `urn:pulumi:test::acme::${type}::${name}`, type, name, properties };
}

/** One violation of each kind the organisations' packs judge differently. */
const publicAcl = resource("aws:s3/bucketAcl:BucketAcl", "acl", { bucket: "b", acl: "public-read" });
const weakBlock = resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {
  bucket: "b",
  blockPublicAcls: true,
  blockPublicPolicy: false,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
});
const unrotatedKey = resource("aws:kms/key:Key", "key", { enableKeyRotation: false });
const longPresign = resource("aws:lambda/function:Function", "fn", { environment: { variables: { PRESIGN_TTL_SECONDS: "600" } } });
const untaggedBucket = resource("aws:s3/bucket:Bucket", "bucket", { bucket: "b", tags: { owner: "acme" } });

/** Every setting of every configurable policy, so the compiler holds MobileS3GuardSettings to the schemas. */
const EVERY_SETTING: { [K in keyof MobileS3GuardSettings]-?: Required<MobileS3GuardSettings[K]> } = {
  awsS3BucketpolicyDisallowWildcardPrincipal: { narrowingConditionKeys: ["aws:SourceArn"] },
  awsS3AccesspointDisallowWildcardPrincipal: { narrowingConditionKeys: ["aws:SourceArn"] },
  awsIamPolicyDisallowS3WildcardResources: { actionsAllowedOnAnyResource: ["s3:ListAllMyBuckets"] },
  awsIamPolicyattachmentDisallowS3WildcardManagedPolicies: { disallowedManagedPolicies: ["AmazonS3FullAccess"] },
  awsS3BucketMissingTlsPolicy: { minimumTlsVersion: "1.2", acceleratedMinimumTlsVersion: "1.3" },
  awsCloudfrontDistributionEnforceMinimumTls: { minimumProtocolVersion: "TLSv1.2_2021", allowDefaultCertificate: false },
  awsS3BucketEnableSseKms: { requireCustomerManagedKey: false },
  awsKmsKeyEnableRotation: { maxRotationPeriodDays: 180 },
  awsS3BucketEnforceAbortIncompleteUploads: { maxDaysAfterInitiation: 3 },
  awsCognitoUserpoolclientDisallowTenantWrite: { tenantAttributes: ["custom:org"] },
  awsLambdaFunctionDisallowEnvCredentials: { allowedVariables: ["CSRF_TOKEN"] },
  awsLambdaFunctionEnforcePresignTtlCap: { variableNames: ["URL_TTL"], maxSeconds: 300 },
};

describe("policy/library (the pack as a library)", () => {
  it("names the runnable pack and the library in policy/package.json exports", () => {
    const pkg = JSON.parse(readFileSync(path.join(POLICY_PACK_DIR, "package.json"), "utf8")) as { main: string; exports: Record<string, string> };
    assert.equal(pkg.exports["."], `./${pkg.main}`);
    assert.equal(pkg.exports["./library"], "./library.ts");
  });

  it("exports every policy the runnable pack runs, each under its camelCase name, and the same list", () => {
    assert.equal(libraryPolicies, policies);
    assert.deepEqual(
      Object.values(policiesByKey).map((p) => p.name).sort(),
      policies.map((p) => p.name).sort(),
    );
    for (const [key, policy] of Object.entries(policiesByKey)) {
      assert.ok(policies.includes(policy), `${key} is the policy the pack runs`);
      assert.equal(key.toLowerCase(), policy.name.replace(/-/g, ""), key);
    }
    assert.equal(awsKmsKeyEnableRotation.name, "aws-kms-key-enable-rotation");
  });

  it("types the settings of exactly the policies that have a config schema", () => {
    const configurable = Object.entries(policiesByKey)
      .filter(([, p]) => p.configSchema !== undefined)
      .map(([key]) => key)
      .sort();
    assert.deepEqual(Object.keys(EVERY_SETTING).sort(), configurable);
    for (const [key, settings] of Object.entries(EVERY_SETTING)) {
      const schema = policiesByKey[key as keyof typeof policiesByKey].configSchema!.properties;
      assert.deepEqual(Object.keys(settings).sort(), Object.keys(schema).sort(), key);
    }
    assert.ok(mobileS3GuardConfig(EVERY_SETTING));
  });

  it("turns AWSGuard-style args into an initial config keyed by policy name", () => {
    assert.equal(mobileS3GuardConfig(), undefined);
    assert.equal(mobileS3GuardConfig({}), undefined);
    assert.deepEqual(mobileS3GuardConfig({ all: "mandatory", awsKmsKeyEnableRotation: "advisory" }), {
      all: "mandatory",
      "aws-kms-key-enable-rotation": "advisory",
    });
    // An entry with settings always carries a level: its own, else all's, else the policy's own.
    assert.deepEqual(
      mobileS3GuardConfig({
        awsKmsKeyEnableRotation: { maxRotationPeriodDays: 180 },
        awsS3BucketMissingTlsPolicy: { enforcementLevel: "advisory", minimumTlsVersion: "1.2" },
      }),
      {
        "aws-kms-key-enable-rotation": { enforcementLevel: "advisory", maxRotationPeriodDays: 180 },
        "aws-s3-bucket-missing-tls-policy": { enforcementLevel: "advisory", minimumTlsVersion: "1.2" },
      },
    );
    assert.deepEqual(mobileS3GuardConfig({ all: "disabled", awsKmsKeyEnableRotation: { maxRotationPeriodDays: 180 } }), {
      all: "disabled",
      "aws-kms-key-enable-rotation": { enforcementLevel: "disabled", maxRotationPeriodDays: 180 },
    });
  });

  it("refuses unknown policies, settings and levels instead of ignoring them", () => {
    assert.throws(() => mobileS3GuardConfig({ noSuchPolicy: "advisory" } as never), /no policy "noSuchPolicy"/);
    assert.throws(() => mobileS3GuardConfig({ awsKmsKeyEnableRotation: { rotateDays: 1 } } as never), /no setting "rotateDays".*maxRotationPeriodDays/);
    assert.throws(() => mobileS3GuardConfig({ all: "strict" } as never), /not an enforcement level/);
  });

  describe("an organisation's own packs, run through the analyzer harness", function () {
    this.timeout(180_000);
    let composed: PolicyPackProcess;
    let guard: PolicyPackProcess;

    before(async () => {
      [composed, guard] = await Promise.all([
        PolicyPackProcess.start(path.join(PACKS, "acme-composed")),
        PolicyPackProcess.start(path.join(PACKS, "acme-guard")),
      ]);
    });
    after(async () => {
      await Promise.all([composed?.stop(), guard?.stop()]);
    });

    const findings = async (pack: PolicyPackProcess, inputs: AnalyzerInput[]) =>
      (await Promise.all(inputs.map((r) => pack.analyze(r)))).flat().map((d) => `${d.policyName}:${d.enforcementLevel}`).sort();

    it("composed from exported policies: one mandatory, one advisory, one disabled, settings applied", async () => {
      const info = await composed.getAnalyzerInfo();
      assert.deepEqual(
        info.policies.map((p) => [p.name, p.enforcementLevel]),
        [
          ["aws-s3-bucket-disallow-public-acl", "mandatory"],
          ["aws-s3-bucketpublicaccessblock-enforce-all-flags", "mandatory"],
          ["aws-kms-key-enable-rotation", "advisory"],
          ["aws-lambda-function-enforce-presign-ttl-cap", "advisory"],
          ["acme-s3-bucket-require-owner-tag", "mandatory"],
        ],
        "the levels the policies declare, before the initial config",
      );
      await composed.configure();
      assert.deepEqual(await findings(composed, [publicAcl, weakBlock, unrotatedKey, longPresign, untaggedBucket]), [
        // The organisation's own settings-only entry is read as advisory, as the CLI reads it.
        "acme-s3-bucket-require-owner-tag:advisory",
        "aws-lambda-function-enforce-presign-ttl-cap:mandatory",
        "aws-s3-bucket-disallow-public-acl:mandatory",
        "aws-s3-bucketpublicaccessblock-enforce-all-flags:advisory",
      ]);
      const [presign] = await composed.analyze(longPresign);
      assert.match(presign.message, /over the 300-second cap/, "maxSeconds from the initial config");
    });

    it("composed: a policy config file still applies over the pack's initial config", async () => {
      await composed.configure({ "aws-s3-bucket-disallow-public-acl": "advisory", "aws-kms-key-enable-rotation": "mandatory" });
      assert.deepEqual(await findings(composed, [publicAcl, unrotatedKey]), ["aws-kms-key-enable-rotation:mandatory", "aws-s3-bucket-disallow-public-acl:advisory"]);
    });

    it("MobileS3Guard: all advisory, one policy mandatory, one disabled, a setting applied", async () => {
      const applied = await guard.configure();
      assert.equal(applied["aws-s3-bucket-enforce-abort-incomplete-uploads"].maxDaysAfterInitiation, 3);
      assert.equal(Object.keys(applied).length, policies.length);
      assert.deepEqual(await findings(guard, [publicAcl, weakBlock, unrotatedKey]), [
        "aws-s3-bucket-disallow-public-acl:mandatory",
        "aws-s3-bucketpublicaccessblock-enforce-all-flags:advisory",
      ]);
    });
  });
});
