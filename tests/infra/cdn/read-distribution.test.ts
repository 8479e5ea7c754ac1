import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { CREDENTIAL_BEARING_FIELDS } from "../../../infra/cdn/access-logs";
import { ReadDistribution, type ReadDistributionArgs } from "../../../infra/cdn/read-distribution";
import { onlyOfType, type ProgramRun, runUnderMocks } from "../../harness/program";
import { TYPE } from "../../../offline/resource-types";
import { type ComponentRunOptions, runComponent } from "../component-run";

const T = { ...TYPE, component: "mobile-s3:cdn:ReadDistribution" };

const NAME = "photos-dev-cdn";
const ORIGIN = "mobile-s3-dev-storage-abc1234.s3.eu-west-1.amazonaws.com";
const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const TAGS = { app: "mobile-s3", env: "dev", owner: "platform-team", "managed-by": "pulumi" };

/** Args of a native-app-only distribution on its cloudfront.net name; each case changes one thing. */
const BASE: ReadDistributionArgs = { originDomainName: ORIGIN, corsOrigins: [], logRetentionDays: 30, tags: TAGS };

function build(args: Partial<ReadDistributionArgs> = {}, opts: ComponentRunOptions = {}): Promise<ProgramRun> {
  return runComponent(
    () => {
      const d = new ReadDistribution(NAME, { ...BASE, ...args });
      return { domainName: d.domainName, publicKeyId: d.publicKeyId, privateKeyPem: d.privateKeyPem };
    },
    opts,
  );
}

type Inputs = Record<string, unknown>;
const behavior = (run: ProgramRun) => onlyOfType(run, T.distribution).inputs.defaultCacheBehavior as Inputs;
const certificate = (run: ProgramRun) => onlyOfType(run, T.distribution).inputs.viewerCertificate as Inputs;
const headerPolicy = (run: ProgramRun) => onlyOfType(run, T.headers).inputs;

function isSecret(wire: unknown): boolean {
  return (
    typeof wire === "object" &&
    wire !== null &&
    (wire as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
  );
}

describe("infra/cdn/read-distribution (program under mocks)", () => {
  let nativeOnly: ProgramRun;
  let web: ProgramRun;
  let preview: ProgramRun;
  before(async () => {
    nativeOnly = await build();
    web = await build(
      {
        corsOrigins: ["https://app.example.com", "capacitor://localhost"],
        customDomain: { domainName: "media.example.com", acmCertificateArn: CERTIFICATE },
        priceClass: "PriceClass_All",
      },
      { region: "eu-west-1" },
    );
    preview = await build({}, { preview: true });
  });

  it("creates one of each child, every one parented to the component", () => {
    const component = onlyOfType(nativeOnly, T.component);
    const children = nativeOnly.resources.filter((r) => r !== component);
    assert.deepEqual(children.map((r) => r.type).sort(), [T.distribution, T.oac, T.signingKey, T.publicKey, T.keyGroup, T.headers, T.logGroup, T.logSource, T.logDestination, T.logDelivery].sort());
    for (const child of children) {
      assert.equal(child.parent, component.urn, `${child.type} ${child.name} is a child of the component`);
      assert.ok(child.name === NAME || child.name.startsWith(`${NAME}-`), `${child.name} is named after the component`);
    }
  });

  it("reads the bucket only through Origin Access Control, signing every request with SigV4", () => {
    const oac = onlyOfType(nativeOnly, T.oac);
    assert.equal(oac.inputs.originAccessControlOriginType, "s3");
    assert.equal(oac.inputs.signingBehavior, "always");
    assert.equal(oac.inputs.signingProtocol, "sigv4");
    const [origin, ...others] = onlyOfType(nativeOnly, T.distribution).inputs.origins as Inputs[];
    assert.equal(others.length, 0, "a single origin");
    assert.equal(origin.domainName, ORIGIN);
    assert.equal(origin.originAccessControlId, oac.id);
    assert.equal(origin.s3OriginConfig, undefined, "no legacy origin access identity");
    assert.equal(origin.customOriginConfig, undefined, "not a public website endpoint");
    assert.equal(behavior(nativeOnly).targetOriginId, origin.originId);
  });

  it("redirects HTTP to HTTPS and serves only GET, HEAD and OPTIONS, cached with the managed CachingOptimized policy", () => {
    const b = behavior(nativeOnly);
    assert.equal(b.viewerProtocolPolicy, "redirect-to-https");
    assert.deepEqual(b.allowedMethods, ["GET", "HEAD", "OPTIONS"]);
    assert.deepEqual(b.cachedMethods, ["GET", "HEAD", "OPTIONS"]);
    assert.equal(b.cachePolicyId, "658327ea-f89d-4fab-a63d-7e88639e58f6");
    assert.equal(b.originRequestPolicyId, undefined, "nothing from the viewer's request is forwarded to S3");
    assert.equal(b.forwardedValues, undefined);
    assert.equal(b.compress, true);
    const distribution = onlyOfType(nativeOnly, T.distribution).inputs;
    assert.equal(distribution.enabled, true);
    assert.equal(distribution.httpVersion, "http2and3");
    assert.deepEqual(distribution.restrictions, { geoRestriction: { restrictionType: "none" } });
  });

  it("serves only signed viewers: the trusted key group holds the public half of the component's own RSA 2048 key", () => {
    const key = onlyOfType(nativeOnly, T.signingKey);
    const publicKey = onlyOfType(nativeOnly, T.publicKey);
    const keyGroup = onlyOfType(nativeOnly, T.keyGroup);
    assert.deepEqual(key.inputs, { algorithm: "RSA", rsaBits: 2048 });
    assert.equal(publicKey.inputs.encodedKey, key.outputs.publicKeyPem);
    assert.deepEqual(publicKey.propertyDependencies.encodedKey, [key.urn]);
    assert.deepEqual(keyGroup.inputs.items, [publicKey.id]);
    assert.deepEqual(keyGroup.propertyDependencies.items, [publicKey.urn]);
    assert.deepEqual(behavior(nativeOnly).trustedKeyGroups, [keyGroup.id]);
    assert.ok(onlyOfType(nativeOnly, T.distribution).propertyDependencies.defaultCacheBehavior.includes(keyGroup.urn));
    assert.equal(behavior(nativeOnly).trustedSigners, undefined, "no legacy root-account key pairs");
  });

  it("with a custom domain: its us-east-1 certificate, SNI only, TLS 1.2 (2021 ciphers) and the domain as alias", () => {
    assert.deepEqual(certificate(web), { acmCertificateArn: CERTIFICATE, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" });
    assert.deepEqual(onlyOfType(web, T.distribution).inputs.aliases, ["media.example.com"]);
  });

  it("without a custom domain: the cloudfront.net certificate, no aliases", () => {
    assert.deepEqual(certificate(nativeOnly), { cloudfrontDefaultCertificate: true });
    assert.deepEqual(onlyOfType(nativeOnly, T.distribution).inputs.aliases, []);
  });

  it("adds HSTS (two years, subdomains, preload), nosniff, DENY framing and a strict referrer policy, overriding the origin", () => {
    const policy = headerPolicy(nativeOnly);
    assert.deepEqual(policy.securityHeadersConfig, {
      strictTransportSecurity: { accessControlMaxAgeSec: 63_072_000, includeSubdomains: true, preload: true, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: "DENY", override: true },
      referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
    });
    assert.equal(behavior(nativeOnly).responseHeadersPolicyId, onlyOfType(nativeOnly, T.headers).id);
  });

  it("sends CORS headers only when web origins are listed: exactly those origins, with credentials, exposing ETag", () => {
    assert.equal(headerPolicy(nativeOnly).corsConfig, undefined);
    const cors = headerPolicy(web).corsConfig as Inputs;
    assert.deepEqual(cors.accessControlAllowOrigins, { items: ["https://app.example.com", "capacitor://localhost"] });
    assert.deepEqual(cors.accessControlAllowMethods, { items: ["GET", "HEAD", "OPTIONS"] });
    assert.equal(cors.accessControlAllowCredentials, true);
    assert.ok((cors.accessControlExposeHeaders as { items: string[] }).items.includes("ETag"));
    assert.equal(cors.originOverride, true);
  });

  it("serves each bucket-tier tenant's objects from that tenant's bucket, read the same signed way", async () => {
    assert.deepEqual(onlyOfType(nativeOnly, T.distribution).inputs.orderedCacheBehaviors, []);
    const siloed = await build({
      tenantOrigins: [{ tenant: "initech", originDomainName: "photos-dev-t-initech-0123abcd.s3.eu-west-1.amazonaws.com" }],
    });
    const inputs = onlyOfType(siloed, T.distribution).inputs;
    const oac = onlyOfType(siloed, T.oac).id;
    const origins = inputs.origins as Inputs[];
    assert.deepEqual(
      origins.map((o) => [o.originId, o.domainName, o.originAccessControlId]),
      [
        ["s3", ORIGIN, oac],
        ["tenant-initech", "photos-dev-t-initech-0123abcd.s3.eu-west-1.amazonaws.com", oac],
      ],
    );
    const [tenantBehavior] = inputs.orderedCacheBehaviors as Inputs[];
    const { targetOriginId: defaultOrigin, ...defaultRest } = inputs.defaultCacheBehavior as Inputs;
    const { pathPattern, targetOriginId, ...tenantRest } = tenantBehavior;
    assert.equal(defaultOrigin, "s3");
    assert.equal(pathPattern, "/tenants/initech/*");
    assert.equal(targetOriginId, "tenant-initech");
    assert.deepEqual(tenantRest, defaultRest, "same protocol policy, methods, key group, cache and headers policies");
  });

  it("uses PriceClass_100 unless told otherwise", () => {
    assert.equal(onlyOfType(nativeOnly, T.distribution).inputs.priceClass, "PriceClass_100");
    assert.equal(onlyOfType(web, T.distribution).inputs.priceClass, "PriceClass_All");
  });

  it("delivers access logs (standard logging v2) from the distribution to a log group with the given retention, all in us-east-1", () => {
    for (const run of [nativeOnly, web]) {
      const distribution = onlyOfType(run, T.distribution);
      const logGroup = onlyOfType(run, T.logGroup);
      const source = onlyOfType(run, T.logSource);
      const destination = onlyOfType(run, T.logDestination);
      const delivery = onlyOfType(run, T.logDelivery);
      assert.equal(distribution.inputs.loggingConfig, undefined, "no legacy logging: it needs bucket ACLs");
      assert.equal(logGroup.inputs.retentionInDays, 30);
      assert.match(logGroup.inputs.namePrefix as string, /^\/aws\/vendedlogs\//);
      assert.equal(source.inputs.logType, "ACCESS_LOGS");
      assert.equal(source.inputs.resourceArn, distribution.outputs.arn);
      assert.deepEqual(destination.inputs.deliveryDestinationConfiguration, { destinationResourceArn: logGroup.outputs.arn });
      assert.equal(delivery.inputs.deliveryDestinationArn, destination.outputs.arn);
      for (const r of [logGroup, source, destination, delivery]) {
        assert.equal(r.inputs.region, "us-east-1", `${r.type} is in us-east-1 even when the stack is in ${run === web ? "eu-west-1" : "us-east-1"}`);
      }
    }
  });

  it("wires the delivery to its source by name (checked in preview: the mocks compute no auto-name)", () => {
    const source = onlyOfType(preview, T.logSource);
    const delivery = onlyOfType(preview, T.logDelivery);
    assert.deepEqual(delivery.propertyDependencies.deliverySourceName, [source.urn]);
    assert.deepEqual(source.propertyDependencies.resourceArn, [onlyOfType(preview, T.distribution).urn]);
    assert.deepEqual(delivery.propertyDependencies.deliveryDestinationArn, [onlyOfType(preview, T.logDestination).urn]);
  });

  it("never logs the signed cookies or signed-URL query strings (No secrets in logs)", () => {
    const fields = onlyOfType(nativeOnly, T.logDelivery).inputs.recordFields as string[];
    assert.ok(fields.length > 0, "fields are chosen explicitly; the default set includes cookies");
    for (const field of CREDENTIAL_BEARING_FIELDS) {
      assert.ok(!fields.includes(field), `${field} is not delivered`);
    }
    for (const field of ["c-ip", "cs-method", "cs-uri-stem", "sc-status", "x-edge-result-type", "x-edge-request-id"]) {
      assert.ok(fields.includes(field), `${field} is delivered`);
    }
  });

  it("exports the distribution, key group and key pair id, and the signing key only as a secret", () => {
    const component = onlyOfType(nativeOnly, T.component);
    const distribution = onlyOfType(nativeOnly, T.distribution);
    assert.equal(component.outputs.distributionArn, distribution.outputs.arn);
    assert.equal(component.outputs.distributionId, distribution.id);
    assert.equal(component.outputs.domainName, distribution.outputs.domainName);
    assert.equal(component.outputs.keyGroupId, onlyOfType(nativeOnly, T.keyGroup).id);
    assert.equal(component.outputs.publicKeyId, onlyOfType(nativeOnly, T.publicKey).id);
    assert.equal(component.outputs.privateKeyPem, onlyOfType(nativeOnly, T.signingKey).outputs.privateKeyPem);
    const wire = component.wire.outputs as Record<string, unknown>;
    assert.ok(isSecret(wire.privateKeyPem), "the component's privateKeyPem output is secret");
    assert.ok(!isSecret(wire.publicKeyId), "the key pair id is not a secret");
    assert.ok(isSecret((nativeOnly.wireOutputs as Record<string, unknown>).privateKeyPem), "and stays secret as a stack output");
  });

  it("tags every taggable child", () => {
    for (const type of [T.distribution, T.logGroup, T.logSource, T.logDestination, T.logDelivery]) {
      assert.deepEqual(onlyOfType(nativeOnly, type).inputs.tags, TAGS, type);
    }
  });

  describe("refuses settings it cannot deploy, naming the argument", () => {
    const cases: [string, Partial<ReadDistributionArgs>, RegExp][] = [
      ["an unknown price class", { priceClass: "PriceClass_50" }, /\[priceClass\] must be one of/],
      ["a retention CloudWatch does not accept", { logRetentionDays: 10 }, /\[logRetentionDays\] must be one of/],
      ["logs kept forever", { logRetentionDays: 0 }, /\[logRetentionDays\] must be one of/],
      ["a wildcard CORS origin", { corsOrigins: ["*"] }, /\[corsOrigins\] must list exact origins/],
      [
        "a certificate outside us-east-1",
        { customDomain: { domainName: "media.example.com", acmCertificateArn: CERTIFICATE.replace("us-east-1", "eu-west-1") } },
        /\[customDomain\.acmCertificateArn\] must be an ACM certificate ARN in us-east-1/,
      ],
      [
        "the bucket's website endpoint as origin",
        { originDomainName: "mobile-s3-dev-storage-abc1234.s3-website-eu-west-1.amazonaws.com" },
        /\[originDomainName\] must be the bucket's regional domain name/,
      ],
    ];
    for (const [label, args, message] of cases) {
      it(`rejects ${label}`, async () => {
        await assert.rejects(build(args), message);
      });
    }

    it("rejects a component name too long for its log delivery names", async () => {
      await assert.rejects(
        runUnderMocks(() => new ReadDistribution("a".repeat(45), BASE), { stack: "dev" }),
        /ReadDistribution name "a{45}" must be .* at most 44 characters/,
      );
      const longest = await runUnderMocks(() => new ReadDistribution("a".repeat(44), BASE), { stack: "dev" });
      assert.equal(onlyOfType(longest, T.logDestination).name, `${"a".repeat(44)}-log-dst`);
    });

    it("registers nothing, not even the component, when an argument is bad", async () => {
      const run = await runUnderMocks(() => {
        assert.throws(() => new ReadDistribution(NAME, { ...BASE, priceClass: "cheap" }), /\[priceClass\]/);
        return {};
      }, { stack: "dev" });
      assert.deepEqual(run.resources.map((r) => r.type), []);
    });
  });
});
