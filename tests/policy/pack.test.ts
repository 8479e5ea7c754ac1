import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { policies } from "../../policy/policies";
import { readPolicyConfig } from "../../offline/policy-check";
import { type AnalyzerInput, analyzerInputs, POLICY_PACK_DIR, PolicyPackProcess } from "../harness/policy-pack";
import { type ProgramRun, runProgram } from "../harness/program";

const BUCKET_ARN = "arn:aws:s3:::photos-bucket";

function resource(type: string, name: string, properties: Record<string, unknown>, extra: Partial<AnalyzerInput> = {}): AnalyzerInput {
  return { urn: `urn:pulumi:dev::mobile-s3::${type}::${name}`, type, name, properties, ...extra };
}

function policyJson(statements: object[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

const policyNames = (diagnostics: { policyName: string }[]) => diagnostics.map((d) => d.policyName).sort();

describe("policy pack over gRPC (harness: the pack as the engine drives it)", function () {
  this.timeout(120_000);
  let pack: PolicyPackProcess;
  let run: ProgramRun;

  before(async () => {
    [pack, run] = await Promise.all([PolicyPackProcess.start(), runProgram({ stack: "dev" })]);
  });
  after(async () => {
    await pack?.stop();
  });
  beforeEach(async () => {
    await pack.configure();
  });

  it("serves on loopback and lists every policy of policies.ts, with the package's name and version", async () => {
    const info = await pack.getAnalyzerInfo();
    const pkg = JSON.parse(readFileSync(path.join(POLICY_PACK_DIR, "package.json"), "utf8")) as { version: string };
    assert.equal(info.name, "mobile-s3");
    assert.equal(info.version, pkg.version);
    assert.equal(info.supportsConfig, true);
    assert.deepEqual(
      info.policies.map((p) => p.name),
      policies.map((p) => p.name),
    );
    for (const p of info.policies) {
      assert.match(p.name, /^aws-[a-z0-9]+-[a-z0-9]+-(disallow|enforce|missing|enable)-[a-z0-9-]+$/, p.name);
      assert.match(p.description, /^Checks that .+\.$/, p.name);
      // Private buckets (2), Least privilege (4) and TLS only (3) block; hardening advises unless an organisation says otherwise.
      assert.ok(["mandatory", "advisory"].includes(p.enforcementLevel), p.name);
    }
  });

  it("configures every policy with its schema defaults, as the CLI does", async () => {
    const applied = await pack.configure();
    assert.deepEqual(applied["aws-s3-bucket-missing-tls-policy"], { enforcementLevel: "mandatory", minimumTlsVersion: "none", acceleratedMinimumTlsVersion: "1.2" });
    assert.deepEqual(applied["aws-s3-bucket-missing-access-logging"], { enforcementLevel: "advisory" });
    await assert.rejects(pack.configure({ "aws-s3-bucket-missing-tls-policy": { minimumTlsVersion: "1.0" } }), /must be one of/);
    await assert.rejects(pack.configure({ "no-such-policy": {} }), /has no policy "no-such-policy"/);
  });

  describe("configuration, as a policy config file sets it", () => {
    const publicAcl = () => resource("aws:s3/bucketAcl:BucketAcl", "acl", { bucket: "b", acl: "public-read" });
    const levels = async () => (await pack.analyze(publicAcl())).map((d) => `${d.policyName}:${d.enforcementLevel}`);

    it("applies each policy's schema defaults and its own level when nothing is set", async () => {
      const applied = await pack.configure({});
      assert.equal(applied["aws-s3-bucket-missing-tls-policy"].minimumTlsVersion, "none");
      assert.deepEqual(await levels(), ["aws-s3-bucket-disallow-public-acl:mandatory"]);
    });

    it("downgrades every policy with all: advisory", async () => {
      await pack.configure({ all: "advisory" });
      assert.deepEqual(await levels(), ["aws-s3-bucket-disallow-public-acl:advisory"]);
    });

    it("lets a per-policy setting win over all", async () => {
      await pack.configure({ all: "advisory", "aws-s3-bucket-disallow-public-acl": "mandatory" });
      assert.deepEqual(await levels(), ["aws-s3-bucket-disallow-public-acl:mandatory"]);
      await pack.configure({ all: "mandatory", "aws-s3-bucket-disallow-public-acl": { enforcementLevel: "disabled" } });
      assert.deepEqual(await levels(), []);
    });

    it("accepts the example config file the README points to", async () => {
      const applied = await pack.configure(readPolicyConfig(path.join(POLICY_PACK_DIR, "config.example.json")));
      assert.equal(applied["aws-kms-key-enable-rotation"].enforcementLevel, "advisory");
      // Every bucket of the program is logged or is a log target, so the example raises it with the rest.
      assert.equal(applied["aws-s3-bucket-missing-access-logging"].enforcementLevel, "mandatory");
      assert.equal(applied["aws-s3-bucket-missing-tls-policy"].minimumTlsVersion, "none");
      assert.equal(applied["aws-s3-bucket-disallow-public-acl"].enforcementLevel, "mandatory");
    });

    it("refuses settings the schema does not allow, as the CLI does", async () => {
      await assert.rejects(pack.configure({ "aws-s3-bucket-missing-tls-policy": { minimumTlsVersion: "1.0" } }), /must be one of/);
      await assert.rejects(pack.configure({ "aws-s3-bucket-missing-tls-policy": { noSuchSetting: true } }), /has no config property/);
    });
  });

  /**
   * The stack-level findings of a program run, apart from aws-s3-bucket-missing-access-logging on
   * the bucket its audit trail writes into: the trail records the data buckets' object events, and
   * its own log bucket waits for server access logging of its own. Those are returned apart, so a
   * test can show they are advisory and on that bucket only (and none once it logs).
   */
  async function stackFindings(program: ProgramRun) {
    const inputs = analyzerInputs(program, "outputs");
    const trailLogBuckets = new Set(
      program.resources.filter((r) => r.type === "aws:cloudtrail/trail:Trail").flatMap((t) => t.propertyDependencies.s3BucketName ?? []),
    );
    const all = await pack.analyzeStack(inputs);
    const isLogBucketAdvice = (d: { policyName: string; urn: string }) => d.policyName === "aws-s3-bucket-missing-access-logging" && trailLogBuckets.has(d.urn);
    return { others: all.filter((d) => !isLogBucketAdvice(d)), logBucketAdvice: all.filter(isLogBucketAdvice), trailLogBuckets };
  }

  it("finds nothing wrong with the program's own stack, resource by resource and as a whole", async () => {
    for (const r of analyzerInputs(run, "inputs")) {
      assert.deepEqual(await pack.analyze(r), [], r.urn);
    }
    const { others, logBucketAdvice, trailLogBuckets } = await stackFindings(run);
    assert.deepEqual(others, []);
    assert.equal(trailLogBuckets.size, 1, "the audit trail's log bucket");
    assert.ok(logBucketAdvice.every((d) => d.enforcementLevel === "advisory" && /add an aws\.s3\.BucketLogging/.test(d.message)));
  });

  it("finds nothing wrong with the full multi-tenant program either (all tiers, CDN, API, trail)", async () => {
    const full = await runProgram({ stack: "demo", configFile: path.join(POLICY_PACK_DIR, "..", "examples", "multi-tenant.yaml") });
    assert.ok(full.resources.length > 100);
    for (const r of analyzerInputs(full, "inputs")) {
      assert.deepEqual(await pack.analyze(r), [], r.urn);
    }
    const { others, logBucketAdvice } = await stackFindings(full);
    assert.deepEqual(others, [], "every data bucket, shared and dedicated, is in the trail's data events");
    assert.ok(logBucketAdvice.every((d) => d.enforcementLevel === "advisory"));
  });

  it("finds nothing mandatory in the ClamAV stack (image, ECR, definitions bucket and updater)", async () => {
    const clamav = await runProgram({ stack: "prod", config: { scanner: "clamav" } });
    for (const r of analyzerInputs(clamav, "inputs")) {
      assert.deepEqual(await pack.analyze(r), [], r.urn);
    }
    const { others } = await stackFindings(clamav);
    // The definitions bucket holds ClamAV's public signatures, not user data: outside the trail's
    // data events, it gets the logging advice and nothing else.
    assert.deepEqual(
      others.map((d) => [d.policyName, d.enforcementLevel, d.urn.includes("clamav-defs")]),
      others.map(() => ["aws-s3-bucket-missing-access-logging", "advisory", true]),
    );
  });

  it("links companions to buckets through property dependencies when names are still unknown (preview)", async () => {
    const preview = await runProgram({ stack: "dev", preview: true });
    const inputs = analyzerInputs(preview, "inputs");
    for (const r of inputs) {
      assert.deepEqual(await pack.analyze(r), [], `${r.urn} in preview`);
    }
    assert.deepEqual(await pack.analyzeStack(inputs), [], "a clean preview reports nothing, not even advisories");
    const withoutBlock = inputs.filter((r) => !r.type.endsWith(":BucketPublicAccessBlock"));
    const diagnostics = await pack.analyzeStack(withoutBlock);
    const buckets = inputs.filter((r) => r.type === "aws:s3/bucket:Bucket");
    assert.deepEqual(
      diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn]).sort(),
      buckets.map((b) => ["aws-s3-bucket-missing-public-access-block", "mandatory", b.urn]).sort(),
    );
  });

  it("flags the program's bucket once its public access block and policy are taken away", async () => {
    const stripped = analyzerInputs(run, "outputs").filter(
      (r) => !r.type.endsWith(":BucketPublicAccessBlock") && !r.type.endsWith(":BucketPolicy"),
    );
    const diagnostics = await pack.analyzeStack(stripped);
    const buckets = stripped.filter((r) => r.type === "aws:s3/bucket:Bucket");
    assert.ok(buckets.length >= 2, "the storage and the audit-log buckets");
    const blocking = diagnostics.filter((d) => d.enforcementLevel === "mandatory");
    for (const bucket of buckets) {
      assert.deepEqual(
        policyNames(blocking.filter((d) => d.urn === bucket.urn)),
        ["aws-s3-bucket-missing-public-access-block", "aws-s3-bucket-missing-tls-policy"],
        bucket.name,
      );
    }
    assert.equal(blocking.length, buckets.length * 2);
    assert.ok(diagnostics.every((d) => d.enforcementLevel === "mandatory" || d.policyName === "aws-s3-bucket-missing-access-logging"));
  });

  const bad: [string, AnalyzerInput, string][] = [
    ["a public-read bucket ACL", resource("aws:s3/bucketAcl:BucketAcl", "acl", { bucket: "b", acl: "public-read" }), "aws-s3-bucket-disallow-public-acl"],
    [
      "a grant to AllUsers",
      resource("aws:s3/bucketAclV2:BucketAclV2", "acl", {
        bucket: "b",
        accessControlPolicy: { grants: [{ grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" }, permission: "READ" }] },
      }),
      "aws-s3-bucket-disallow-public-acl",
    ],
    ["a public-read object", resource("aws:s3/bucketObjectv2:BucketObjectv2", "o", { bucket: "b", key: "k", acl: "public-read" }), "aws-s3-bucket-disallow-public-acl"],
    [
      "a public access block with one flag off",
      resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {
        bucket: "b",
        blockPublicAcls: true,
        blockPublicPolicy: false,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
      "aws-s3-bucketpublicaccessblock-enforce-all-flags",
    ],
    [
      "Principal * without a condition",
      resource("aws:s3/bucketPolicy:BucketPolicy", "p", {
        bucket: "b",
        policy: policyJson([{ Sid: "Open", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` }]),
      }),
      "aws-s3-bucketpolicy-disallow-wildcard-principal",
    ],
    [
      "Principal {AWS: *} under a condition that restricts nothing",
      resource("aws:s3/bucketPolicy:BucketPolicy", "p", {
        bucket: "b",
        policy: policyJson([
          { Sid: "Open", Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*`, Condition: { Bool: { "aws:SecureTransport": "true" } } },
        ]),
      }),
      "aws-s3-bucketpolicy-disallow-wildcard-principal",
    ],
    ["a policy that is not JSON", resource("aws:s3/bucketPolicy:BucketPolicy", "p", { bucket: "b", policy: "{nope" }), "aws-s3-bucketpolicy-disallow-wildcard-principal"],
  ];
  for (const [label, input, policyName] of bad) {
    it(`flags ${label}`, async () => {
      assert.deepEqual(policyNames(await pack.analyze(input)), [policyName]);
    });
  }

  const fine: [string, AnalyzerInput][] = [
    ["a private bucket ACL", resource("aws:s3/bucketAcl:BucketAcl", "acl", { bucket: "b", acl: "private" })],
    [
      "Principal * restricted to one CloudFront distribution",
      resource("aws:s3/bucketPolicy:BucketPolicy", "p", {
        bucket: "b",
        policy: policyJson([
          {
            Sid: "Oac",
            Effect: "Allow",
            Principal: "*",
            Action: "s3:GetObject",
            Resource: `${BUCKET_ARN}/*`,
            Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1" } },
          },
        ]),
      }),
    ],
    ["an unrelated resource", resource("aws:sqs/queue:Queue", "q", { acl: "public-read", policy: "{nope" })],
  ];
  for (const [label, input] of fine) {
    it(`accepts ${label}`, async () => {
      assert.deepEqual(await pack.analyze(input), []);
    });
  }

  it("asks only for the aws:SecureTransport deny by default, and for the s3:TlsVersion deny too with minimumTlsVersion 1.2", async () => {
    const bucket = resource("aws:s3/bucket:Bucket", "b", { bucket: "photos-bucket", arn: BUCKET_ARN });
    const httpOnly = resource("aws:s3/bucketPolicy:BucketPolicy", "p", {
      bucket: "photos-bucket",
      policy: policyJson([
        { Sid: "Tls", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
      ]),
    });
    const pab = resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {
      bucket: "photos-bucket",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const tlsFindings = async () =>
      (await pack.analyzeStack([bucket, httpOnly, pab])).filter((d) => d.policyName === "aws-s3-bucket-missing-tls-policy");
    assert.deepEqual(await tlsFindings(), [], "plain HTTP denied is what FSBP S3.5 asks; S3 endpoints refuse TLS < 1.2 themselves");
    await pack.configure({ "aws-s3-bucket-missing-tls-policy": { minimumTlsVersion: "1.2" } });
    assert.equal((await tlsFindings()).length, 1, "plain HTTP denied, but no TLS-version floor");
  });

  it("remediates a public access block when the policy's enforcement level is remediate", async () => {
    const weak = resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {
      bucket: "b",
      blockPublicAcls: false,
      blockPublicPolicy: true,
      ignorePublicAcls: false,
      restrictPublicBuckets: true,
    });
    assert.deepEqual(await pack.remediate(weak), [], "mandatory policies report, they do not rewrite");
    await pack.configure({ "aws-s3-bucketpublicaccessblock-enforce-all-flags": { enforcementLevel: "remediate" } });
    const [fix] = await pack.remediate(weak);
    assert.equal(fix.policyName, "aws-s3-bucketpublicaccessblock-enforce-all-flags");
    assert.deepEqual(fix.properties, {
      bucket: "b",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
  });

  it("is stopped by its PID", async () => {
    const second = await PolicyPackProcess.start();
    const pid = second.pid;
    await second.stop();
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });
});
