import * as assert from "node:assert/strict";
import { type AnalyzerInput, type Diagnostic, type PolicyPackConfig, policyPackForSuite } from "../harness/policy-pack";
import { companion, policyJson, resource } from "./cases/build";

/**
 * Whole stacks written the way other teams write them, through every policy of the pack as the
 * engine runs it: each resource through `analyze`, the stack through `analyzeStack`.
 */
describe("policy pack over whole stacks (FSBP-style buckets, log targets)", function () {
  this.timeout(120_000);
  const pack = policyPackForSuite();

  const ACCOUNT = "123456789012";
  const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

  const bucket = (name: string) => resource("aws:s3/bucket:Bucket", name, { bucket: `${name}-bucket`, arn: `arn:aws:s3:::${name}-bucket`, forceDestroy: false });
  const arnOf = (b: AnalyzerInput) => (b.properties as { arn: string }).arn;
  const nameOf = (b: AnalyzerInput) => (b.properties as { bucket: string }).bucket;

  const denyPlainHttp = (b: AnalyzerInput) => ({
    Sid: "AllowSSLRequestsOnly",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [arnOf(b), `${arnOf(b)}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  });

  /** The bucket-policy grant "Enabling Amazon S3 server access logging" documents for log delivery into `target` from `source`. */
  const logDeliveryGrant = (target: AnalyzerInput, source: AnalyzerInput) => ({
    Sid: "S3ServerAccessLogsPolicy",
    Effect: "Allow",
    Principal: { Service: "logging.s3.amazonaws.com" },
    Action: ["s3:PutObject"],
    Resource: `${arnOf(target)}/${nameOf(source)}/*`,
    Condition: { ArnLike: { "aws:SourceArn": arnOf(source) }, StringEquals: { "aws:SourceAccount": ACCOUNT } },
  });

  /**
   * A bucket as an FSBP-compliant stack builds it: public access block, BucketOwnerEnforced,
   * default encryption, versioning, and a bucket policy whose only statement denies
   * aws:SecureTransport false (control S3.5), no s3:TlsVersion deny.
   */
  function fsbpBucket(b: AnalyzerInput, encryption: Record<string, unknown>, statements: object[] = [denyPlainHttp(b)]): AnalyzerInput[] {
    return [
      b,
      companion("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${b.name}-pab`, b, {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
      companion("aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${b.name}-ownership`, b, { rule: { objectOwnership: "BucketOwnerEnforced" } }),
      companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${b.name}-sse`, b, { rules: [encryption] }),
      companion("aws:s3/bucketVersioning:BucketVersioning", `${b.name}-versioning`, b, { versioningConfiguration: { status: "Enabled" } }),
      companion("aws:s3/bucketPolicy:BucketPolicy", `${b.name}-policy`, b, { policy: policyJson(statements) }),
    ];
  }
  const SSE_KMS = { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }, bucketKeyEnabled: true };
  const SSE_S3 = { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } };

  function serverAccessLogging(source: AnalyzerInput, target: AnalyzerInput): AnalyzerInput {
    return {
      ...companion("aws:s3/bucketLogging:BucketLogging", `${source.name}-logging`, source, { targetBucket: nameOf(target), targetPrefix: `${nameOf(source)}/` }),
      dependencies: [source.urn, target.urn],
      propertyDependencies: { bucket: [source.urn], targetBucket: [target.urn] },
    };
  }

  /** Every finding of the pack over the stack: per resource, then the stack as a whole. */
  async function findings(resources: AnalyzerInput[], config: PolicyPackConfig = {}): Promise<Diagnostic[]> {
    await pack().configure(config);
    const perResource = (await Promise.all(resources.map((r) => pack().analyze(r)))).flat();
    return [...perResource, ...(await pack().analyzeStack(resources))];
  }
  const mandatory = (ds: Diagnostic[]) => ds.filter((d) => d.enforcementLevel === "mandatory").map((d) => `${d.policyName} ${d.urn}`);
  const byPolicy = (ds: Diagnostic[], name: string) => ds.filter((d) => d.policyName === name);

  const photos = bucket("photos");
  const fsbp = fsbpBucket(photos, SSE_KMS);

  it("passes an FSBP-style bucket (only the aws:SecureTransport deny) through every mandatory policy", async () => {
    assert.deepEqual(mandatory(await findings(fsbp)), []);
  });

  it("flags the same bucket once minimumTlsVersion 1.2 asks every bucket for the s3:TlsVersion deny", async () => {
    const tls = byPolicy(await findings(fsbp, { "aws-s3-bucket-missing-tls-policy": { minimumTlsVersion: "1.2" } }), "aws-s3-bucket-missing-tls-policy");
    assert.equal(tls.length, 1);
    assert.equal(tls[0].urn, photos.urn);
    assert.match(tls[0].message, /accepts TLS older than 1\.2: add a bucket policy statement .*"s3:TlsVersion" "1\.2"/);
  });

  it("flags it by default once S3 Transfer Acceleration is enabled on it, and not with acceleratedMinimumTlsVersion none", async () => {
    const accelerated = [...fsbp, companion("aws:s3/bucketAccelerateConfiguration:BucketAccelerateConfiguration", "photos-accelerate", photos, { status: "Enabled" })];
    const found = await findings(accelerated);
    assert.deepEqual(mandatory(found), [`aws-s3-bucket-missing-tls-policy ${photos.urn}`]);
    assert.match(byPolicy(found, "aws-s3-bucket-missing-tls-policy")[0].message, /has S3 Transfer Acceleration enabled/);
    assert.deepEqual(mandatory(await findings(accelerated, { "aws-s3-bucket-missing-tls-policy": { acceleratedMinimumTlsVersion: "none" } })), []);
  });

  describe("a server access log target (SSE-S3, logging.s3.amazonaws.com grant)", () => {
    const logs = bucket("logs");
    const logTarget = fsbpBucket(logs, SSE_S3, [denyPlainHttp(logs), logDeliveryGrant(logs, photos)]);
    const stack = [...fsbp, ...logTarget, serverAccessLogging(photos, logs)];

    it("passes every mandatory policy: the documented delivery grant names a service, narrowed by aws:SourceArn and aws:SourceAccount", async () => {
      const found = await findings(stack);
      assert.deepEqual(mandatory(found), []);
      for (const name of ["aws-s3-bucketpolicy-disallow-wildcard-principal", "aws-s3-bucketpolicy-disallow-wildcard-actions", "aws-s3-bucketpolicy-enforce-cloudfront-source-arn"]) {
        assert.deepEqual(byPolicy(found, name), [], name);
      }
    });

    it("may encrypt with SSE-S3, the only default encryption log delivery supports on its target, and is not asked to log itself", async () => {
      const found = await findings(stack);
      assert.deepEqual(byPolicy(found, "aws-s3-bucket-enable-sse-kms"), []);
      assert.deepEqual(byPolicy(found, "aws-s3-bucket-missing-access-logging"), []);
    });

    it("is held to SSE-KMS again when no bucket logs into it", async () => {
      const found = await findings([...fsbp, ...logTarget]);
      const sse = byPolicy(found, "aws-s3-bucket-enable-sse-kms");
      assert.deepEqual(sse.map((d) => d.urn), [logs.urn]);
      assert.match(sse[0].message, /encrypts by default with "AES256": set sseAlgorithm to "aws:kms"/);
    });
  });
});
