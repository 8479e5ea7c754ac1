import * as assert from "node:assert/strict";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../offline/stack-config";
import { simulate } from "../harness/iam";
import { ofType, onlyOfType, type ProgramRun, runProgram } from "../harness/program";

const MULTI_TENANT = path.join(PROJECT_ROOT, "examples/multi-tenant.yaml");
const cloudResources = (run: ProgramRun) => run.resources.filter((r) => r.custom).length;
const tenantsConfig = (entries: string[]) => ({ tenants: entries });

describe("infra/program (the whole program under mocks)", function () {
  this.timeout(120_000);

  describe("resources added per tenant, by tier", () => {
    const measured: Record<string, number> = {};
    let baseline: number;
    before(async () => {
      baseline = cloudResources(await runProgram({ stack: "demo", configFile: MULTI_TENANT, config: tenantsConfig([]) }));
    });

    // A bucket tenant's bucket in the full profile: the bucket and its 7 companions, its GuardDuty
    // plan, and the notification sending its events to EventBridge (the object index listens).
    const tiers: [string, (i: number) => string, number][] = [
      ["pooled", (i) => `p${i}`, 0],
      ["accessPoint", (i) => `a${i}:accessPoint`, 2],
      ["bucket", (i) => `b${i}:bucket`, 10],
    ];
    for (const [tier, entry, limit] of tiers) {
      it(`${tier}: at most ${limit} cloud resources per tenant`, async () => {
        const run = await runProgram({ stack: "demo", configFile: MULTI_TENANT, config: tenantsConfig([1, 2, 3].map(entry)) });
        const perTenant = (cloudResources(run) - baseline) / 3;
        measured[tier] = perTenant;
        assert.ok(perTenant <= limit, `${tier}: ${perTenant} per tenant`);
        assert.equal(Number.isInteger(perTenant), true);
      });
    }

    it("a dedicated KMS key adds exactly the key", async () => {
      const shared = cloudResources(await runProgram({ stack: "demo", configFile: MULTI_TENANT, config: tenantsConfig(["b1:bucket"]) }));
      const own = cloudResources(await runProgram({ stack: "demo", configFile: MULTI_TENANT, config: tenantsConfig(["b1:bucket+dedicatedKey"]) }));
      assert.equal(own - shared, 1);
    });

    after(() => {
      // The figures the issue asks for, printed with the test run.
      console.log(`      per-tenant cloud resources: ${JSON.stringify(measured)} (baseline ${baseline})`);
    });
  });

  it("plans 1,000 pooled tenants with exactly the resources and app-role policy of none", async () => {
    const none = await runProgram({ stack: "demo", configFile: MULTI_TENANT, config: tenantsConfig([]) });
    const many = await runProgram({
      stack: "demo",
      configFile: MULTI_TENANT,
      config: tenantsConfig(Array.from({ length: 1000 }, (_, i) => `tenant-${i}`)),
    });
    assert.equal(many.resources.length, none.resources.length);
    // Every role's policy (the app role's and the functions') stays the same size and text.
    const rolePolicies = (run: ProgramRun) => ofType(run, "aws:iam/rolePolicy:RolePolicy").map((r) => [r.name, r.inputs.policy]);
    assert.ok(rolePolicies(none).length >= 6);
    assert.deepEqual(rolePolicies(many), rolePolicies(none));
  });

  describe("the multi-tenant example (all three tiers)", () => {
    let run: ProgramRun;
    before(async () => (run = await runProgram({ stack: "demo", configFile: MULTI_TENANT })));

    it("hardens every bucket: public access blocked, ACLs off, SSE-KMS with bucket key (SSE-S3 for the access-log target), versioning, lifecycle, TLS-only policy", () => {
      const buckets = ofType(run, "aws:s3/bucket:Bucket");
      assert.ok(buckets.length >= 3);
      for (const bucket of buckets) {
        const companion = (type: string) => {
          const found = run.resources.filter((r) => r.type === type && r.propertyDependencies.bucket?.includes(bucket.urn));
          assert.equal(found.length, 1, `${bucket.name}: one ${type}`);
          return found[0].inputs;
        };
        const pab = companion("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        assert.deepEqual(
          [pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets],
          [true, true, true, true],
          bucket.name,
        );
        assert.deepEqual(companion("aws:s3/bucketOwnershipControls:BucketOwnershipControls").rule, { objectOwnership: "BucketOwnerEnforced" });
        const [sse] = companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules as Record<string, unknown>[];
        const logTarget = ofType(run, "aws:s3/bucketLogging:BucketLogging").some((l) => l.inputs.targetBucket === bucket.id);
        if (logTarget) {
          // Server access log delivery supports SSE-S3 only ("Enabling Amazon S3 server access logging").
          assert.deepEqual(sse.applyServerSideEncryptionByDefault, { sseAlgorithm: "AES256" }, bucket.name);
        } else {
          assert.equal((sse.applyServerSideEncryptionByDefault as { sseAlgorithm: string }).sseAlgorithm, "aws:kms");
          assert.equal(sse.bucketKeyEnabled, true);
        }
        assert.deepEqual(companion("aws:s3/bucketVersioning:BucketVersioning").versioningConfiguration, { status: "Enabled" });
        const rules = companion("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules as { abortIncompleteMultipartUpload?: unknown }[];
        assert.ok(rules.some((r) => r.abortIncompleteMultipartUpload), `${bucket.name}: aborts incomplete uploads`);
        const policy = JSON.parse(companion("aws:s3/bucketPolicy:BucketPolicy").policy as string);
        assert.ok(policy.Statement.some((s: { Sid: string }) => s.Sid === "DenyInsecureTransport"), `${bucket.name}: TLS only`);
      }
    });

    it("rotates every KMS key", () => {
      for (const key of ofType(run, "aws:kms/key:Key")) {
        assert.equal(key.inputs.enableKeyRotation, true, key.name);
      }
    });

    it("gives the access-point tenant an access point with its own policy and public access blocked", () => {
      const ap = onlyOfType(run, "aws:s3/accessPoint:AccessPoint");
      assert.equal(ap.inputs.name, "photos-demo-globex");
      assert.deepEqual(ap.inputs.publicAccessBlockConfiguration, {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      const policy = JSON.parse(ap.inputs.policy as string);
      assert.ok(policy.Statement.some((s: { Sid: string }) => s.Sid === "OnlyThisTenantsUsers"));
    });

    it("names each bucket tenant's bucket predictably, and gives only umbrella its own key", () => {
      const names = ofType(run, "aws:s3/bucket:Bucket").map((b) => b.id);
      assert.ok(names.some((n) => /^photos-demo-t-initech-[0-9a-f]{8}$/.test(n!)), names.join());
      assert.ok(names.some((n) => /^photos-demo-t-umbrella-[0-9a-f]{8}$/.test(n!)), names.join());
      assert.ok(ofType(run, "aws:kms/key:Key").some((k) => k.name === "photos-demo-t-umbrella-key"));
      assert.equal(ofType(run, "aws:kms/key:Key").some((k) => k.name === "photos-demo-t-initech-key"), false);
    });

    it("deploys policies that the simulator proves: own home allowed, another tenant refused", async () => {
      const rolePolicy = JSON.parse(ofType(run, "aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "photos-demo-storage-app-user")!.inputs.policy as string);
      const pooled = ofType(run, "aws:s3/bucket:Bucket").find((b) => b.name === "photos-demo-storage")!;
      const bucketPolicy = JSON.parse(
        run.resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && r.propertyDependencies.bucket?.includes(pooled.urn))!.inputs.policy as string,
      );
      const role = ofType(run, "aws:iam/role:Role").find((r) => r.name === "photos-demo-identity-app-user")!;
      const context = {
        "aws:PrincipalArn": role.outputs.arn as string,
        "aws:PrincipalTag/tenant": "acme",
        "aws:PrincipalTag/home": "sub-1",
        "aws:SecureTransport": "true",
        "aws:ResourceAccount": "123456789012",
      };
      const put = (key: string) =>
        simulate(
          { identityPolicies: [rolePolicy], resourcePolicy: bucketPolicy },
          { principal: "arn:aws:sts::123456789012:assumed-role/x/s", action: "s3:PutObject", resource: `${pooled.outputs.arn}/${key}`, context },
        );
      assert.equal((await put("tenants/acme/home/sub-1/a.jpg")).decision, "Allowed");
      assert.notEqual((await put("tenants/globex/home/sub-1/a.jpg")).decision, "Allowed");
      assert.notEqual((await put("tenants/acme/home/sub-2/a.jpg")).decision, "Allowed");
    });

    it("lets CloudFront read only as this distribution and only clean objects, from the pool and a dedicated bucket", async () => {
      const distribution = onlyOfType(run, "aws:cloudfront/distribution:Distribution");
      const otherDistribution = "arn:aws:cloudfront::123456789012:distribution/EOTHER0000000";
      for (const bucket of ofType(run, "aws:s3/bucket:Bucket").filter((b) => /storage$|t-initech$/.test(b.name))) {
        const policy = JSON.parse(
          run.resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && r.propertyDependencies.bucket?.includes(bucket.urn))!.inputs.policy as string,
        );
        const read = async (sourceArn: string, tag: string) =>
          (
            await simulate(
              { resourcePolicy: policy },
              {
                principal: "cloudfront.amazonaws.com",
                action: "s3:GetObject",
                resource: `${bucket.outputs.arn}/tenants/initech/home/sub-1/a.jpg`,
                context: { "aws:SourceArn": sourceArn, "s3:ExistingObjectTag/GuardDutyMalwareScanStatus": tag, "aws:SecureTransport": "true" },
              },
            )
          ).decision;
        assert.equal(await read(distribution.outputs.arn as string, "NO_THREATS_FOUND"), "Allowed", bucket.name);
        assert.notEqual(await read(otherDistribution, "NO_THREATS_FOUND"), "Allowed", `${bucket.name}: another distribution`);
        assert.notEqual(await read(distribution.outputs.arn as string, "UNSUPPORTED"), "Allowed", `${bucket.name}: unscannable`);
        assert.notEqual(await read(distribution.outputs.arn as string, "THREATS_FOUND"), "Allowed", `${bucket.name}: infected`);
      }
      const key = ofType(run, "aws:kms/key:Key").find((k) => k.name === "photos-demo-storage-key")!;
      const decrypt = async (sourceArn: string) =>
        (
          await simulate(
            { resourcePolicy: JSON.parse(key.inputs.policy as string) },
            { principal: "cloudfront.amazonaws.com", action: "kms:Decrypt", resource: key.outputs.arn as string, context: { "aws:SourceArn": sourceArn } },
          )
        ).decision;
      assert.equal(await decrypt(distribution.outputs.arn as string), "Allowed");
      assert.notEqual(await decrypt(otherDistribution), "Allowed");
    });

    it("makes the control plane's roles users of every bucket's key, through S3 only, except the indexer and admin, which read no object's bytes", async () => {
      const functionRoles = ofType(run, "aws:iam/role:Role").filter((r) => r.name.startsWith("photos-demo-api") && r.name !== "photos-demo-api-admin");
      assert.equal(functionRoles.length, 6);
      const bucketKeys = ofType(run, "aws:kms/key:Key").filter((k) => !/audit|alarms|index/.test(k.name));
      assert.ok(bucketKeys.length >= 2);
      for (const key of bucketKeys) {
        const policy = JSON.parse(key.inputs.policy as string);
        const indexer = functionRoles.find((r) => r.name === "photos-demo-api-indexer")!;
        const indexerDecrypts = await simulate(
          { resourcePolicy: policy },
          {
            principal: indexer.outputs.arn as string,
            action: "kms:Decrypt",
            resource: key.outputs.arn as string,
            context: { "kms:ViaService": "s3.eu-central-1.amazonaws.com", "kms:CallerAccount": "123456789012" },
          },
        );
        assert.equal(indexerDecrypts.decision, "ImplicitlyDenied", `the indexer on ${key.name}`);
        const admin = ofType(run, "aws:iam/role:Role").find((r) => r.name === "photos-demo-api-admin")!;
        const adminDecrypts = await simulate(
          { resourcePolicy: policy },
          {
            principal: admin.outputs.arn as string,
            action: "kms:Decrypt",
            resource: key.outputs.arn as string,
            context: { "kms:ViaService": "s3.eu-central-1.amazonaws.com", "kms:CallerAccount": "123456789012" },
          },
        );
        assert.equal(adminDecrypts.decision, "ImplicitlyDenied", `the admin function on ${key.name}`);
        for (const role of functionRoles.filter((r) => r !== indexer)) {
          const decrypt = async (viaService?: string) =>
            (
              await simulate(
                { resourcePolicy: policy },
                {
                  principal: role.outputs.arn as string,
                  action: "kms:Decrypt",
                  resource: key.outputs.arn as string,
                  context: viaService ? { "kms:ViaService": viaService, "kms:CallerAccount": "123456789012" } : {},
                },
              )
            ).decision;
          assert.equal(await decrypt("s3.eu-central-1.amazonaws.com"), "Allowed", `${role.name} on ${key.name}`);
          assert.notEqual(await decrypt(), "Allowed", `${role.name} calling KMS directly`);
        }
      }
    });

    it("quarantines what GuardDuty finds in every bucket that holds user objects, and alarms on this API", () => {
      const rule = ofType(run, "aws:cloudwatch/eventRule:EventRule").find((r) => r.name === "photos-demo-scan")!;
      const pattern = JSON.parse(rule.inputs.eventPattern as string);
      assert.deepEqual(pattern.source, ["aws.guardduty"]);
      assert.deepEqual(pattern.detail.scanResultDetails, { scanResultStatus: ["THREATS_FOUND"] });
      const names = pattern.detail.s3ObjectDetails.bucketName as string[];
      const dataBuckets = ofType(run, "aws:s3/bucket:Bucket").filter((b) => !b.name.includes("audit"));
      assert.deepEqual([...names].sort(), dataBuckets.map((b) => b.id).sort());
      const api = onlyOfType(run, "aws:apigatewayv2/api:Api");
      const apiAlarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.includes("api"));
      assert.ok(apiAlarms.length >= 2);
      for (const alarm of apiAlarms) {
        assert.ok(JSON.stringify(alarm.inputs).includes(api.id!), `${alarm.name} watches this API`);
      }
      assert.equal((run.outputs.appConfig as { apiUrl: string }).apiUrl, api.outputs.apiEndpoint);
    });

    it("serves each bucket tenant from its own origin behind the same distribution", () => {
      const origins = onlyOfType(run, "aws:cloudfront/distribution:Distribution").inputs.origins as { originId: string }[];
      assert.deepEqual(origins.map((o) => o.originId).sort(), ["s3", "tenant-initech", "tenant-umbrella"]);
    });

    it("exports an app config with everything an app needs and nothing secret", () => {
      const appConfig = run.outputs.appConfig as Record<string, unknown>;
      for (const key of ["region", "userPoolId", "userPoolClientId", "identityPoolId", "authDomain", "homeKey", "tenantClaim", "apiUrl", "cdnDomain", "storage"]) {
        assert.ok(appConfig[key] !== undefined, key);
      }
      const storage = appConfig.storage as { pooledBucket: string; tenants: Record<string, { tier: string; accessPointAlias?: string }> };
      assert.match(storage.pooledBucket, /^photos-demo-storage-/);
      assert.equal(storage.tenants.globex.tier, "accessPoint");
      assert.match(storage.tenants.globex.accessPointAlias!, /-s3alias$/);
      assert.equal(storage.tenants.initech.tier, "bucket");
      assert.equal(storage.tenants.acme, undefined, "pooled tenants use pooledBucket");
      assert.equal(JSON.stringify(run.wireOutputs).includes("1b47061264138c4ac30d75fd1eb44270"), false, "no secret in outputs");
    });
  });

  describe("the security invariants, across the whole full-profile plan", () => {
    let run: ProgramRun;
    before(async () => (run = await runProgram({ stack: "demo", configFile: MULTI_TENANT })));

    /** Every IAM-grammar document any resource carries: role, bucket, access point, key and topic policies. */
    function policyDocuments(): { owner: string; doc: { Statement: Record<string, unknown>[] } }[] {
      const docs: { owner: string; doc: { Statement: Record<string, unknown>[] } }[] = [];
      for (const r of run.resources) {
        for (const key of ["policy", "assumeRolePolicy"]) {
          const value = r.inputs[key];
          if (typeof value === "string" && value.includes('"Statement"')) {
            docs.push({ owner: `${r.type} ${r.name}.${key}`, doc: JSON.parse(value) });
          }
        }
      }
      return docs;
    }

    it("1: no IAM user or access key anywhere; devices get only STS credentials or presigned URLs", () => {
      const forbidden = run.resources.filter((r) => /^aws:iam\/(user|accessKey|userPolicy|userLoginProfile):/.test(r.type));
      assert.deepEqual(forbidden.map((r) => r.type), []);
    });

    it("2: no ACL resource and no ACL on any bucket or object", () => {
      assert.deepEqual(run.resources.filter((r) => /bucketAcl|bucketObject/.test(r.type)).map((r) => r.type), []);
      for (const bucket of ofType(run, "aws:s3/bucket:Bucket")) {
        assert.equal(bucket.inputs.acl, undefined, bucket.name);
      }
    });

    it("4: no policy grants a wildcard action or s3:*; no Allow to everyone without a condition", () => {
      const docs = policyDocuments();
      assert.ok(docs.length >= 15, `found ${docs.length} policy documents`);
      for (const { owner, doc } of docs) {
        for (const st of doc.Statement.filter((x) => x.Effect === "Allow")) {
          const actions = ([] as string[]).concat(st.Action as string | string[]);
          assert.ok(!actions.some((a) => a === "*" || a === "s3:*"), `${owner} ${st.Sid}: ${actions}`);
          const everyone = st.Principal === "*" || JSON.stringify(st.Principal) === '{"AWS":"*"}';
          assert.ok(!everyone || st.Condition, `${owner} ${st.Sid}: everyone without a condition`);
        }
      }
    });

    it("5: STS sessions last at most an hour; presigned URLs at most 15 minutes", () => {
      for (const role of ofType(run, "aws:iam/role:Role")) {
        assert.ok(((role.inputs.maxSessionDuration as number | undefined) ?? 3600) <= 3600, role.name);
      }
      const ttls = ofType(run, "aws:lambda/function:Function")
        .map((f) => (f.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables?.PRESIGN_TTL_SECONDS)
        .filter((v): v is string => v !== undefined);
      assert.ok(ttls.length >= 1);
      for (const ttl of ttls) {
        assert.ok(Number(ttl) > 0 && Number(ttl) <= 900, ttl);
      }
    });
  });

  describe("identity", () => {
    let run: ProgramRun;
    before(async () => (run = await runProgram({ stack: "dev" })));

    it("has no guest identities and trusts only this identity pool's signed-in users", async () => {
      const pool = onlyOfType(run, "aws:cognito/identityPool:IdentityPool");
      assert.equal(pool.inputs.allowUnauthenticatedIdentities, false);
      assert.equal(pool.inputs.allowClassicFlow, false);
      const trust = JSON.parse(onlyOfType(run, "aws:iam/role:Role").inputs.assumeRolePolicy as string);
      const assume = (aud: string) =>
        simulate(
          { resourcePolicy: trust },
          {
            principal: "cognito-identity.amazonaws.com",
            action: "sts:AssumeRoleWithWebIdentity",
            resource: "arn:aws:iam::123456789012:role/x",
            context: { "cognito-identity.amazonaws.com:aud": aud, "cognito-identity.amazonaws.com:amr": ["authenticated"] },
          },
        );
      assert.equal((await assume(pool.id!)).decision, "Allowed");
      assert.equal((await assume("us-east-1:00000000-0000-4000-8000-000000000000")).decision, "ImplicitlyDenied");
      const attachment = onlyOfType(run, "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment").inputs;
      assert.deepEqual(Object.keys(attachment.roles as object), ["authenticated"]);
      assert.equal(attachment.roleMappings, undefined, "ABAC: no rules-based role mapping");
    });

    it("gives the app a public PKCE code-flow client with short tokens that cannot write the tenant claim", () => {
      const client = onlyOfType(run, "aws:cognito/userPoolClient:UserPoolClient").inputs;
      assert.equal(client.generateSecret, false);
      assert.deepEqual(client.allowedOauthFlows, ["code"]);
      assert.equal(client.accessTokenValidity, 15);
      assert.equal(client.idTokenValidity, 15);
      assert.ok((client.readAttributes as string[]).includes("custom:tenant"));
      assert.equal((client.writeAttributes as string[]).includes("custom:tenant"), false);
      assert.equal(client.enableTokenRevocation, true);
    });

    it("requires strong passwords and lets only administrators create users", () => {
      const pool = onlyOfType(run, "aws:cognito/userPool:UserPool").inputs;
      const policy = pool.passwordPolicy as Record<string, unknown>;
      assert.ok((policy.minimumLength as number) >= 12);
      assert.deepEqual([policy.requireLowercase, policy.requireUppercase, policy.requireNumbers, policy.requireSymbols], [true, true, true, true]);
      assert.deepEqual(pool.adminCreateUserConfig, { allowAdminCreateUserOnly: true });
    });

    it("maps sub to the home tag and the tenant claim to the tenant tag (userSub mode); only the tenant in identityId mode", async () => {
      assert.deepEqual(onlyOfType(run, "aws:cognito/identityPoolProviderPrincipalTag:IdentityPoolProviderPrincipalTag").inputs.principalTags, {
        tenant: "custom:tenant",
        home: "sub",
      });
      const byIdentityId = await runProgram({ stack: "dev", config: { homeKey: "identityId" } });
      assert.deepEqual(
        onlyOfType(byIdentityId, "aws:cognito/identityPoolProviderPrincipalTag:IdentityPoolProviderPrincipalTag").inputs.principalTags,
        { tenant: "custom:tenant" },
      );
      const policy = onlyOfType(byIdentityId, "aws:iam/rolePolicy:RolePolicy").inputs.policy as string;
      assert.ok(policy.includes("${cognito-identity.amazonaws.com:sub}"));
    });
  });

  describe("quotas, checked before anything is created", () => {
    const refused: [string, Record<string, unknown>, RegExp][] = [
      ["an access point name over 50 characters", { app: "a".repeat(20), environment: "e".repeat(12), tenants: ["t".repeat(20) + ":accessPoint"] }, /\[mobile-s3:tenants\] access point .* exceeds 50/],
      ["a dedicated bucket name over 63 characters", { app: "a".repeat(20), environment: "e".repeat(12), tenants: ["t".repeat(24) + ":bucket"] }, /\[mobile-s3:tenants\] bucket .* exceeds 63/],
      ["more bucket tenants than CloudFront origins", { profile: "full", tenants: Array.from({ length: 25 }, (_, i) => `b${i}:bucket`) }, /\[mobile-s3:tenants\] 25 bucket-tier tenants need 26 CloudFront origins/],
      ["a pooled-bucket policy over 20 KB", { tenants: Array.from({ length: 400 }, (_, i) => `tenant-${i}:accessPoint`) }, /\[mobile-s3:tenants\] the pooled bucket's policy would be \d+ bytes, over S3's 20480/],
    ];
    for (const [label, config, message] of refused) {
      it(`refuses ${label}, naming the key`, async () => {
        await assert.rejects(runProgram({ stack: "dev", config }), message);
      });
    }

    it("allows bucket tenants beyond CloudFront's limits in the minimal profile (no distribution)", async () => {
      const run = await runProgram({ stack: "dev", config: { profile: "minimal", tenants: Array.from({ length: 30 }, (_, i) => `b${i}:bucket`) } });
      assert.equal(ofType(run, "aws:s3/bucket:Bucket").length >= 31, true);
    });
  });
});
