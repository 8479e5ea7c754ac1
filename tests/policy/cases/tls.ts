import { type AnalyzerInput } from "../../harness/policy-pack";
import { companion, policyJson, resource, unrelated } from "./build";
import { type PolicyCases } from "./types";

// Builders: S3 buckets and their TLS statements, then CloudFront resources; the tables follow.

const BUCKET = "aws:s3/bucket:Bucket";
const BUCKET_V2 = "aws:s3/bucketV2:BucketV2";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
/** What a preview sends for a value the provider has not computed yet. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Drops `undefined` settings, which a case uses to leave one out; the wire form has no undefined. */
const settings = (value: Record<string, unknown>): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

function bucket(name: string, type = BUCKET): AnalyzerInput {
  return resource(type, name, { bucket: `${name}-bucket`, arn: `arn:aws:s3:::${name}-bucket` });
}

const arnOf = (b: AnalyzerInput) => (b.properties as { arn: string }).arn;

type Statement = Record<string, unknown>;

function denyPlainHttp(b: AnalyzerInput, change: Partial<Statement> = {}): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [arnOf(b), `${arnOf(b)}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
    ...change,
  };
}

function denyOldTls(b: AnalyzerInput, version = "1.2"): Statement {
  return {
    Sid: "DenyOutdatedTls",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [arnOf(b), `${arnOf(b)}/*`],
    Condition: { NumericLessThan: { "s3:TlsVersion": version } },
  };
}

function bucketPolicy(b: AnalyzerInput, statements: Statement[]): AnalyzerInput {
  return companion(BUCKET_POLICY, `${b.name}-policy`, b, { policy: policyJson(statements) });
}

const ACCELERATE = "aws:s3/bucketAccelerateConfiguration:BucketAccelerateConfiguration";
const ACCELERATE_V2 = "aws:s3/bucketAccelerateConfigurationV2:BucketAccelerateConfigurationV2";

/** S3 Transfer Acceleration for the bucket (`status` "Enabled" or "Suspended"). */
const accelerate = (b: AnalyzerInput, status = "Enabled", type = ACCELERATE) => companion(type, `${b.name}-accelerate`, b, { status });

/** The FSBP S3.5 shape: a policy whose only statement denies requests with aws:SecureTransport false. */
const httpsOnly = (b: AnalyzerInput) => bucketPolicy(b, [denyPlainHttp(b)]);

/** The companions every hardened bucket has besides its policy, so a case shows they do not stand in for it. */
function otherCompanions(b: AnalyzerInput): AnalyzerInput[] {
  return [
    companion("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${b.name}-pab`, b, {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    companion("aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${b.name}-ownership`, b, {
      rule: { objectOwnership: "BucketOwnerEnforced" },
    }),
    companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${b.name}-sse`, b, {
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
    }),
  ];
}

/** A bucket as the program builds it: every companion, and a policy denying plain HTTP and TLS < 1.2. */
function tlsOnlyBucket(name: string): AnalyzerInput[] {
  const b = bucket(name);
  return [b, ...otherCompanions(b), bucketPolicy(b, [denyPlainHttp(b), denyOldTls(b)])];
}


const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const MULTITENANT = "aws:cloudfront/multitenantDistribution:MultitenantDistribution";
const OAC = "aws:cloudfront/originAccessControl:OriginAccessControl";
const VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin";
const CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f5e3a4c-1b2d-4e6f-8a9b-0c1d2e3f4a5b";
const DISTRIBUTION_ARN = "arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL";

const READS = { allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] };
const s3Origin = (id = "s3", extra: Record<string, unknown> = {}) => ({
  originId: id,
  domainName: "photos-bucket.s3.eu-west-1.amazonaws.com",
  originAccessControlId: "E3OACPHOTOS",
  ...extra,
});
const customOriginConfig = (change: Record<string, unknown> = {}) => ({
  httpPort: 80,
  httpsPort: 443,
  originProtocolPolicy: "https-only",
  originSslProtocols: ["TLSv1.2"],
  ...change,
});
const apiOrigin = (change: Record<string, unknown> = {}, id = "api") => ({
  originId: id,
  domainName: "api.example.com",
  customOriginConfig: customOriginConfig(change),
});
const behaviour = (pathPattern: string, viewerProtocolPolicy = "redirect-to-https", targetOriginId = "s3") => ({
  pathPattern,
  targetOriginId,
  viewerProtocolPolicy,
  ...READS,
});

/** A distribution as the program builds it, on a custom domain with TLS 1.2+; `change` replaces top-level settings. */
function distribution(name: string, change: Record<string, unknown> = {}, extra: Partial<AnalyzerInput> = {}): AnalyzerInput {
  return resource(
    DISTRIBUTION,
    name,
    settings({
      enabled: true,
      aliases: ["media.example.com"],
      origins: [s3Origin()],
      defaultCacheBehavior: { targetOriginId: "s3", viewerProtocolPolicy: "redirect-to-https", ...READS },
      orderedCacheBehaviors: [],
      viewerCertificate: { acmCertificateArn: CERTIFICATE_ARN, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
      restrictions: { geoRestriction: { restrictionType: "none" } },
      ...change,
    }),
    extra,
  );
}

/** The same settings under a multi-tenant distribution's names (`cacheBehaviors`, `customOriginConfigs`, origin `id`). */
function multitenant(name: string, change: Record<string, unknown> = {}): AnalyzerInput {
  return resource(MULTITENANT, name, {
    enabled: true,
    comment: "tenants",
    origins: [{ id: "s3", domainName: "photos-bucket.s3.eu-west-1.amazonaws.com", originAccessControlId: "E3OACPHOTOS" }],
    defaultCacheBehavior: { targetOriginId: "s3", viewerProtocolPolicy: "redirect-to-https", ...READS },
    viewerCertificate: { acmCertificateArn: CERTIFICATE_ARN, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
    tenantConfig: {},
    ...change,
  });
}

const certificate = (minimumProtocolVersion?: string) => ({
  viewerCertificate: {
    acmCertificateArn: CERTIFICATE_ARN,
    sslSupportMethod: "sni-only",
    ...(minimumProtocolVersion ? { minimumProtocolVersion } : {}),
  },
});

const oac = (name = "cdn-oac", change: Record<string, unknown> = {}) =>
  resource(OAC, name, settings({ originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4", ...change }));

function vpcOrigin(name: string, change: Record<string, unknown> = {}): AnalyzerInput {
  return resource(VPC_ORIGIN, name, {
    vpcOriginEndpointConfig: {
      name,
      arn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/internal/0123456789abcdef",
      httpPort: 80,
      httpsPort: 443,
      originProtocolPolicy: "https-only",
      originSslProtocols: { items: ["TLSv1.2"], quantity: 1 },
      ...change,
    },
  });
}

/** A distribution whose `origins` depend on the given origin access control, as the engine links them. */
function readingThrough(control: AnalyzerInput, name = "cdn", change: Record<string, unknown> = {}): AnalyzerInput {
  return distribution(name, change, { dependencies: [control.urn], propertyDependencies: { origins: [control.urn] } });
}

// ---------------------------------------------------------------------------------------------
// Tables.

const photos = bucket("photos");
const legacy = bucket("legacy", BUCKET_V2);

const s3BucketTls: PolicyCases = {
  policy: "aws-s3-bucket-missing-tls-policy",
  kind: "stack",
  nonCompliant: [
    { label: "a bucket with no companion at all", resources: [photos] },
    { label: "a bucket with public access block, ownership controls and encryption but no policy", resources: [photos, ...otherCompanions(photos)] },
    { label: "a legacy BucketV2 with no policy", resources: [legacy] },
    {
      label: "a policy with the TLS-version floor but no aws:SecureTransport deny",
      resources: [photos, ...otherCompanions(photos), bucketPolicy(photos, [denyOldTls(photos)])],
    },
    {
      label: "an aws:SecureTransport deny on the objects but not the bucket",
      resources: [photos, bucketPolicy(photos, [denyPlainHttp(photos, { Resource: `${arnOf(photos)}/*` }), denyOldTls(photos)])],
    },
    {
      label: "an aws:SecureTransport deny for one role instead of everyone",
      resources: [
        photos,
        bucketPolicy(photos, [denyPlainHttp(photos, { Principal: { AWS: "arn:aws:iam::123456789012:role/app" } }), denyOldTls(photos)]),
      ],
    },
    {
      label: "an aws:SecureTransport deny of s3:GetObject only",
      resources: [photos, bucketPolicy(photos, [denyPlainHttp(photos, { Action: "s3:GetObject" }), denyOldTls(photos)])],
    },
    {
      label: "an aws:SecureTransport statement that allows instead of denies",
      resources: [photos, bucketPolicy(photos, [denyPlainHttp(photos, { Effect: "Allow" }), denyOldTls(photos)])],
    },
    {
      label: "plain HTTP denied but no TLS-version deny where minimumTlsVersion 1.2 asks it of every bucket",
      resources: [photos, httpsOnly(photos)],
      config: { "aws-s3-bucket-missing-tls-policy": { minimumTlsVersion: "1.2" } },
    },
    {
      label: "S3 Transfer Acceleration enabled and no TLS-version deny (asked by default: the accelerate endpoint terminates TLS at CloudFront edge locations)",
      resources: [photos, ...otherCompanions(photos), httpsOnly(photos), accelerate(photos)],
    },
    {
      label: "Transfer Acceleration enabled through the legacy BucketAccelerateConfigurationV2 and no TLS-version deny",
      resources: [photos, httpsOnly(photos), accelerate(photos, "Enabled", ACCELERATE_V2)],
    },
    {
      label: "Transfer Acceleration enabled by the deprecated inline accelerationStatus and no TLS-version deny",
      resources: [resource(BUCKET, "photos", { ...(photos.properties as object), accelerationStatus: "Enabled" }), httpsOnly(photos)],
    },
    {
      label: "Transfer Acceleration enabled and a TLS 1.2 floor where acceleratedMinimumTlsVersion is 1.3",
      resources: [...tlsOnlyBucket("photos"), accelerate(photos)],
      config: { "aws-s3-bucket-missing-tls-policy": { acceleratedMinimumTlsVersion: "1.3" } },
    },
    {
      label: "a TLS 1.2 floor where minimumTlsVersion is 1.3",
      resources: tlsOnlyBucket("photos"),
      config: { "aws-s3-bucket-missing-tls-policy": { minimumTlsVersion: "1.3" } },
    },
    { label: "a second bucket without a policy beside a correct one", resources: [...tlsOnlyBucket("photos"), bucket("uploads")] },
    {
      label: "a policy that protects another bucket",
      resources: [photos, bucket("uploads"), bucketPolicy(bucket("uploads"), [denyPlainHttp(photos), denyOldTls(photos)])],
    },
    { label: "a policy that is not JSON", resources: [photos, companion(BUCKET_POLICY, "photos-policy", photos, { policy: "{nope" })] },
  ],
  compliant: [
    { label: "a bucket with every companion and a policy denying plain HTTP and TLS < 1.2", resources: tlsOnlyBucket("photos") },
    { label: "two such buckets", resources: [...tlsOnlyBucket("photos"), ...tlsOnlyBucket("uploads")] },
    {
      label: "a legacy BucketV2 with the statements in its inline policy",
      resources: [resource(BUCKET_V2, "legacy", { ...legacy.properties as object, policy: policyJson([denyPlainHttp(legacy), denyOldTls(legacy)]) })],
    },
    {
      label: "statements written with Principal {AWS: \"*\"} and Action \"*\"",
      resources: [
        photos,
        bucketPolicy(photos, [
          denyPlainHttp(photos, { Principal: { AWS: "*" }, Action: "*" }),
          { ...denyOldTls(photos), Principal: { AWS: "*" }, Action: "*" },
        ]),
      ],
    },
    {
      label: "only plain HTTP denied, as FSBP control S3.5 asks (S3 endpoints refuse TLS < 1.2 since AWS raised every API endpoint to TLS 1.2)",
      resources: [photos, ...otherCompanions(photos), httpsOnly(photos)],
    },
    { label: "only plain HTTP denied, Transfer Acceleration suspended", resources: [photos, httpsOnly(photos), accelerate(photos, "Suspended")] },
    { label: "Transfer Acceleration enabled and a TLS 1.2 floor", resources: [...tlsOnlyBucket("photos"), accelerate(photos)] },
    {
      label: "Transfer Acceleration enabled, only plain HTTP denied, where acceleratedMinimumTlsVersion is \"none\"",
      resources: [photos, httpsOnly(photos), accelerate(photos)],
      config: { "aws-s3-bucket-missing-tls-policy": { acceleratedMinimumTlsVersion: "none" } },
    },
    {
      label: "another bucket's acceleration does not ask this one for a TLS-version deny",
      resources: [...tlsOnlyBucket("uploads"), accelerate(bucket("uploads")), photos, httpsOnly(photos)],
    },
    {
      label: "a preview where the acceleration status is still unknown",
      resources: [photos, httpsOnly(photos), accelerate(photos, UNKNOWN)],
    },
    {
      label: "a TLS 1.3 floor where minimumTlsVersion is 1.3",
      resources: [photos, bucketPolicy(photos, [denyPlainHttp(photos), denyOldTls(photos, "1.3")])],
      config: { "aws-s3-bucket-missing-tls-policy": { minimumTlsVersion: "1.3" } },
    },
    {
      label: "a preview: bucket name and policy still unknown, linked by property dependency",
      resources: [
        resource(BUCKET, "fresh", { bucket: UNKNOWN, arn: UNKNOWN }),
        companion(BUCKET_POLICY, "fresh-policy", resource(BUCKET, "fresh", { bucket: UNKNOWN }), { policy: UNKNOWN }),
      ],
    },
  ],
  notApplicable: [
    { label: "a stack without buckets", resources: [unrelated()] },
    { label: "a stack with only a CloudFront distribution", resources: [distribution("cdn")] },
  ],
};

const viewerHttps: PolicyCases = {
  policy: "aws-cloudfront-distribution-enforce-viewer-https",
  kind: "resource",
  nonCompliant: [
    {
      label: "a default cache behaviour with allow-all",
      resources: [distribution("cdn", { defaultCacheBehavior: { targetOriginId: "s3", viewerProtocolPolicy: "allow-all", ...READS } })],
    },
    { label: "an ordered cache behaviour with allow-all", resources: [distribution("cdn", { orderedCacheBehaviors: [behaviour("/public/*", "allow-all")] })] },
    {
      label: "the second of two ordered behaviours with allow-all",
      resources: [distribution("cdn", { orderedCacheBehaviors: [behaviour("/a/*", "https-only"), behaviour("/b/*", "allow-all")] })],
    },
    {
      label: "a multi-tenant distribution's cache behaviour with allow-all",
      resources: [multitenant("tenants-cdn", { cacheBehaviors: [behaviour("/public/*", "allow-all")] })],
    },
  ],
  compliant: [
    { label: "redirect-to-https by default and https-only on an ordered behaviour", resources: [distribution("cdn", { orderedCacheBehaviors: [behaviour("/api/*", "https-only")] })] },
    { label: "a multi-tenant distribution redirecting to HTTPS", resources: [multitenant("tenants-cdn", { cacheBehaviors: [behaviour("/x/*")] })] },
    {
      label: "a preview where an ordered behaviour's policy is still unknown",
      resources: [distribution("cdn", { orderedCacheBehaviors: [behaviour("/x/*", UNKNOWN)] })],
    },
  ],
  notApplicable: [
    { label: "a queue", resources: [unrelated()] },
    { label: "an origin access control", resources: [oac()] },
  ],
};

const minimumTls: PolicyCases = {
  policy: "aws-cloudfront-distribution-enforce-minimum-tls",
  kind: "resource",
  nonCompliant: [
    { label: "a custom certificate with TLSv1.2_2019", resources: [distribution("cdn", certificate("TLSv1.2_2019"))] },
    { label: "a custom certificate with TLSv1.1_2016", resources: [distribution("cdn", certificate("TLSv1.1_2016"))] },
    { label: "a custom certificate without minimumProtocolVersion (CloudFront's TLSv1)", resources: [distribution("cdn", certificate())] },
    { label: "a value that is no CloudFront security policy", resources: [distribution("cdn", certificate("TLS1.2"))] },
    {
      label: "TLSv1.2_2021 where the floor is TLSv1.2_2025",
      resources: [distribution("cdn")],
      config: { "aws-cloudfront-distribution-enforce-minimum-tls": { minimumProtocolVersion: "TLSv1.2_2025" } },
    },
    {
      label: "the default *.cloudfront.net certificate where allowDefaultCertificate is false",
      resources: [distribution("cdn", { aliases: [], viewerCertificate: { cloudfrontDefaultCertificate: true } })],
      config: { "aws-cloudfront-distribution-enforce-minimum-tls": { allowDefaultCertificate: false } },
    },
    { label: "a multi-tenant distribution with TLSv1", resources: [multitenant("tenants-cdn", certificate("TLSv1"))] },
  ],
  compliant: [
    { label: "TLSv1.2_2021 (the default floor)", resources: [distribution("cdn")] },
    { label: "TLSv1.3_2025, above the floor", resources: [distribution("cdn", certificate("TLSv1.3_2025"))] },
    {
      label: "TLSv1.2_2019 where the floor is configured to TLSv1.2_2019",
      resources: [distribution("cdn", certificate("TLSv1.2_2019"))],
      config: { "aws-cloudfront-distribution-enforce-minimum-tls": { minimumProtocolVersion: "TLSv1.2_2019" } },
    },
    { label: "a multi-tenant distribution with TLSv1.2_2021", resources: [multitenant("tenants-cdn")] },
  ],
  notApplicable: [
    { label: "a queue", resources: [unrelated()] },
    {
      label: "the default *.cloudfront.net certificate (AWS fixes TLSv1; allowed by default)",
      resources: [distribution("cdn", { aliases: [], viewerCertificate: { cloudfrontDefaultCertificate: true } })],
    },
    { label: "a distribution without a viewer certificate (CloudFront's default one)", resources: [distribution("cdn", { aliases: [], viewerCertificate: undefined })] },
  ],
};

const originHttps: PolicyCases = {
  policy: "aws-cloudfront-distribution-enforce-origin-https",
  kind: "resource",
  nonCompliant: [
    { label: "a custom origin reached with http-only", resources: [distribution("cdn", { origins: [s3Origin(), apiOrigin({ originProtocolPolicy: "http-only" })] })] },
    { label: "a custom origin reached with match-viewer", resources: [distribution("cdn", { origins: [apiOrigin({ originProtocolPolicy: "match-viewer" })] })] },
    {
      label: "a custom origin that also allows TLSv1 and TLSv1.1",
      resources: [distribution("cdn", { origins: [apiOrigin({ originSslProtocols: ["TLSv1", "TLSv1.1", "TLSv1.2"] })] })],
    },
    {
      label: "the second of two custom origins on TLSv1.1 only",
      resources: [distribution("cdn", { origins: [apiOrigin(), apiOrigin({ originSslProtocols: ["TLSv1.1"] }, "legacy-api")] })],
    },
    { label: "a VPC origin reached with http-only", resources: [vpcOrigin("internal", { originProtocolPolicy: "http-only" })] },
    {
      label: "a VPC origin that allows SSLv3",
      resources: [vpcOrigin("internal", { originSslProtocols: { items: ["SSLv3", "TLSv1.2"], quantity: 2 } })],
    },
    {
      label: "a multi-tenant distribution's custom origin reached with http-only",
      resources: [
        multitenant("tenants-cdn", {
          origins: [{ id: "api", domainName: "api.example.com", customOriginConfigs: [customOriginConfig({ originProtocolPolicy: "http-only" })] }],
        }),
      ],
    },
  ],
  compliant: [
    { label: "an S3 origin beside a custom origin on https-only and TLSv1.2", resources: [distribution("cdn", { origins: [s3Origin(), apiOrigin()] })] },
    { label: "a VPC origin on https-only and TLSv1.2", resources: [vpcOrigin("internal")] },
    {
      label: "a multi-tenant distribution's custom origin on https-only and TLSv1.2",
      resources: [multitenant("tenants-cdn", { origins: [{ id: "api", domainName: "api.example.com", customOriginConfigs: [customOriginConfig()] }] })],
    },
  ],
  notApplicable: [
    { label: "a queue", resources: [unrelated()] },
    { label: "a distribution with only an S3 origin", resources: [distribution("cdn")] },
  ],
};

const originAccessControl: PolicyCases = {
  policy: "aws-cloudfront-distribution-enforce-origin-access-control",
  kind: "stack",
  nonCompliant: [
    { label: "an S3 origin without an origin access control", resources: [distribution("cdn", { origins: [s3Origin("s3", { originAccessControlId: undefined })] })] },
    {
      label: "an S3 origin through a legacy origin access identity",
      resources: [
        distribution("cdn", {
          origins: [
            s3Origin("s3", {
              originAccessControlId: undefined,
              s3OriginConfig: { originAccessIdentity: "origin-access-identity/cloudfront/E1OAIPHOTOS" },
            }),
          ],
        }),
      ],
    },
    { label: "an origin access control with signingBehavior no-override", resources: [oac("cdn-oac", { signingBehavior: "no-override" }), readingThrough(oac())] },
    { label: "an origin access control with signingBehavior never", resources: [oac("cdn-oac", { signingBehavior: "never" }), readingThrough(oac())] },
    { label: "an origin access control without signingProtocol", resources: [oac("cdn-oac", { signingProtocol: undefined }), readingThrough(oac())] },
    {
      label: "a second distribution without an origin access control beside a correct one",
      resources: [oac(), readingThrough(oac()), distribution("other-cdn", { origins: [s3Origin("s3", { originAccessControlId: undefined })] })],
    },
    {
      label: "a multi-tenant distribution's S3 origin without an origin access control",
      resources: [multitenant("tenants-cdn", { origins: [{ id: "s3", domainName: "photos-bucket.s3.eu-west-1.amazonaws.com" }] })],
    },
  ],
  compliant: [
    { label: "an S3 origin through an origin access control that always signs with SigV4", resources: [oac(), readingThrough(oac())] },
    {
      label: "an S3 origin and a custom origin, with the program's origin access control",
      resources: [oac(), readingThrough(oac(), "cdn", { origins: [s3Origin(), apiOrigin()] })],
    },
    {
      label: "a preview where the origin access control's id is still unknown",
      resources: [oac(), readingThrough(oac(), "cdn", { origins: [s3Origin("s3", { originAccessControlId: UNKNOWN, domainName: UNKNOWN })] })],
    },
    {
      label: "an unused origin access control that never signs is not this policy's concern",
      resources: [oac(), readingThrough(oac()), oac("spare-oac", { signingBehavior: "never" })],
    },
  ],
  notApplicable: [
    { label: "a stack without distributions", resources: [unrelated(), ...tlsOnlyBucket("photos")] },
    { label: "a distribution with only a custom origin", resources: [distribution("cdn", { origins: [apiOrigin()] })] },
  ],
};

function cloudFrontGrant(change: Partial<Statement> = {}): Statement {
  return {
    Sid: "CloudFrontReads",
    Effect: "Allow",
    Principal: { Service: "cloudfront.amazonaws.com" },
    Action: "s3:GetObject",
    Resource: `${arnOf(photos)}/*`,
    Condition: { StringEquals: { "AWS:SourceArn": DISTRIBUTION_ARN } },
    ...change,
  };
}

const withGrant = (change: Partial<Statement> = {}) => bucketPolicy(photos, [denyPlainHttp(photos), cloudFrontGrant(change)]);

const cloudFrontSourceArn: PolicyCases = {
  policy: "aws-s3-bucketpolicy-enforce-cloudfront-source-arn",
  kind: "resource",
  nonCompliant: [
    { label: "a CloudFront grant without any condition", resources: [withGrant({ Condition: undefined })] },
    {
      label: "a CloudFront grant conditioned on aws:SourceAccount only",
      resources: [withGrant({ Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } })],
    },
    {
      label: "a CloudFront grant for every distribution of the account (ArnLike …/distribution/*)",
      resources: [withGrant({ Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/*" } } })],
    },
    {
      label: "a CloudFront grant whose AWS:SourceArn test passes requests without it (StringEqualsIfExists)",
      resources: [withGrant({ Condition: { StringEqualsIfExists: { "AWS:SourceArn": DISTRIBUTION_ARN } } })],
    },
    {
      label: "a grant to CloudFront among other services, without a condition",
      resources: [withGrant({ Principal: { Service: ["logging.s3.amazonaws.com", "cloudfront.amazonaws.com"] }, Condition: undefined })],
    },
    {
      label: "a legacy inline bucket policy granting CloudFront without a condition",
      resources: [resource(BUCKET_V2, "legacy", { ...legacy.properties as object, policy: policyJson([cloudFrontGrant({ Condition: undefined })]) })],
    },
  ],
  compliant: [
    { label: "a CloudFront grant with StringEquals AWS:SourceArn of one distribution", resources: [withGrant()] },
    {
      label: "ArnEquals on aws:SourceArn (lower case) listing two distributions",
      resources: [withGrant({ Condition: { ArnEquals: { "aws:SourceArn": [DISTRIBUTION_ARN, "arn:aws:cloudfront::123456789012:distribution/E1OTHER"] } } })],
    },
    {
      label: "a preview where the policy embeds a distribution ARN still unknown",
      resources: [companion(BUCKET_POLICY, "photos-policy", photos, { policy: UNKNOWN })],
    },
  ],
  notApplicable: [
    { label: "a queue", resources: [unrelated()] },
    { label: "a bucket policy that grants CloudFront nothing", resources: [bucketPolicy(photos, [denyPlainHttp(photos), denyOldTls(photos)])] },
    { label: "a CloudFront distribution", resources: [distribution("cdn")] },
  ],
};

export const tlsCases: PolicyCases[] = [s3BucketTls, viewerHttps, minimumTls, originHttps, originAccessControl, cloudFrontSourceArn];
