import * as assert from "node:assert/strict";
import { HardenedBucket } from "../../../infra/storage/hardened-bucket";
import { onlyOfType, type ProgramRun, runUnderMocks } from "../../harness/program";
import { TYPE } from "../../../offline/resource-types";

/** One HardenedBucket on its own, with the dev stack's lifecycle (1 and 7 days). */
function runBucket(extra: Record<string, unknown> = {}) {
  return runUnderMocks(() => {
    const b = new HardenedBucket("mobile-s3-dev-storage", {
      lifecycle: { abortIncompleteUploadDays: 1, noncurrentVersionExpirationDays: 7, infrequentAccessAfterDays: 0, objectExpirationDays: 0 },
      forceDestroy: true,
      tags: { app: "mobile-s3", env: "dev", owner: "platform-team", "managed-by": "pulumi" },
      ...extra,
    });
    return { bucketName: b.bucketName };
  }, { stack: "dev" });
}

const T = { ...TYPE, component: "mobile-s3:storage:HardenedBucket" };

describe("infra/storage/hardened-bucket (component under mocks)", () => {
  let run: ProgramRun;
  before(async () => (run = await runBucket()));

  it("parents every child to the component and ties each companion to the bucket through its `bucket` input", () => {
    const component = onlyOfType(run, T.component);
    const bucket = onlyOfType(run, T.bucket);
    for (const type of [T.bucket, T.publicAccessBlock, T.ownership, T.encryption, T.versioning, T.lifecycle, T.policy, T.key]) {
      assert.equal(onlyOfType(run, type).parent, component.urn, `${type} is a child of the component`);
    }
    for (const type of [T.publicAccessBlock, T.ownership, T.encryption, T.versioning, T.lifecycle, T.policy]) {
      assert.deepEqual(onlyOfType(run, type).propertyDependencies.bucket, [bucket.urn], `${type}.bucket depends on the bucket`);
    }
  });

  it("Private buckets: blocks all public access and disables ACLs", () => {
    const pab = onlyOfType(run, T.publicAccessBlock).inputs;
    for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
      assert.equal(pab[flag], true, flag);
    }
    assert.deepEqual(onlyOfType(run, T.ownership).inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
    const bucket = onlyOfType(run, T.bucket).inputs;
    assert.equal(bucket.acl, undefined);
    assert.equal(bucket.grants, undefined);
    assert.equal(run.resources.some((r) => r.type.startsWith("aws:s3/bucketAcl")), false, "no BucketAcl resource");
  });

  it("TLS only: the bucket policy is applied only after public access is blocked, ACLs are off and encryption is set", () => {
    const policy = onlyOfType(run, T.policy);
    for (const type of [T.publicAccessBlock, T.ownership, T.encryption]) {
      assert.ok(policy.dependencies.includes(onlyOfType(run, type).urn), `policy depends on ${type}`);
    }
    const document = JSON.parse(policy.inputs.policy as string);
    const bucketArn = onlyOfType(run, T.bucket).outputs.arn;
    assert.deepEqual(
      document.Statement.find((s: { Sid: string }) => s.Sid === "DenyInsecureTransport").Resource,
      [bucketArn, `${bucketArn}/*`],
    );
  });

  it("Customer-managed encryption: SSE-KMS with this stack's rotating customer managed key, bucket key on, SSE-C blocked", () => {
    const key = onlyOfType(run, T.key);
    assert.equal(key.inputs.enableKeyRotation, true);
    const [rule] = onlyOfType(run, T.encryption).inputs.rules as Record<string, unknown>[];
    assert.deepEqual(rule.applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.outputs.arn });
    assert.equal(rule.bucketKeyEnabled, true);
    assert.deepEqual(rule.blockedEncryptionTypes, ["SSE-C"]);
    const keyPolicy = JSON.parse(key.inputs.policy as string);
    const grantsUse = keyPolicy.Statement.some((s: { Action: string[] }) =>
      [s.Action].flat().some((a) => a === "kms:*" || a === "kms:Decrypt"),
    );
    assert.equal(grantsUse, false, "with no key users, nobody may decrypt");
  });

  it("Lifecycle hygiene: versioning on; lifecycle aborts incomplete uploads per stack config, after versioning exists", () => {
    assert.deepEqual(onlyOfType(run, T.versioning).inputs.versioningConfiguration, { status: "Enabled" });
    const lifecycle = onlyOfType(run, T.lifecycle);
    assert.ok(lifecycle.dependencies.includes(onlyOfType(run, T.versioning).urn));
    const rules = lifecycle.inputs.rules as { id: string; abortIncompleteMultipartUpload?: unknown; noncurrentVersionExpiration?: unknown }[];
    // runBucket passes 1 and 7 days.
    assert.deepEqual(rules.find((r) => r.id === "abort-incomplete-multipart-uploads")?.abortIncompleteMultipartUpload, {
      daysAfterInitiation: 1,
    });
    assert.deepEqual(rules.find((r) => r.id === "expire-noncurrent-versions")?.noncurrentVersionExpiration, { noncurrentDays: 7 });
  });

  it("tags every taggable resource with app, env and owner", () => {
    for (const type of [T.bucket, T.key]) {
      assert.deepEqual(onlyOfType(run, type).inputs.tags, {
        app: "mobile-s3",
        env: "dev",
        owner: "platform-team",
        "managed-by": "pulumi",
      });
    }
  });

  it("keeps buckets on destroy unless asked", async () => {
    const kept = await runBucket({ forceDestroy: undefined });
    assert.equal(onlyOfType(kept, T.bucket).inputs.forceDestroy, false);
    assert.equal(onlyOfType(run, T.bucket).inputs.forceDestroy, true);
  });

  it("adds CORS exposing ETag only for the origins given, and EventBridge notifications only when asked", async () => {
    assert.equal(run.resources.some((r) => r.type.includes("bucketCorsConfiguration") || r.type.includes("bucketNotification")), false);
    const web = await runBucket({ corsOrigins: ["https://app.example.com"], eventBridge: true });
    const [rule] = onlyOfType(web, "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration").inputs.corsRules as Record<string, unknown>[];
    assert.deepEqual(rule.allowedOrigins, ["https://app.example.com"]);
    assert.deepEqual(rule.exposeHeaders, ["ETag"]);
    assert.equal(onlyOfType(web, "aws:s3/bucketNotification:BucketNotification").inputs.eventbridge, true);
  });

  it("takes a physical name when one is given", async () => {
    const named = await runBucket({ bucketName: "photos-dev-t-acme-0123abcd" });
    assert.equal(onlyOfType(named, T.bucket).id, "photos-dev-t-acme-0123abcd");
  });

  it("shares a given KMS key instead of creating one", async () => {
    const shared = await runBucket({ kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555" });
    assert.equal(shared.resources.some((r) => r.type === T.key), false);
  });
});
