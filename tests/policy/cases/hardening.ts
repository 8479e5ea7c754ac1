import { type AnalyzerInput } from "../../harness/policy-pack";
import { companion, resource, unrelated } from "./build";
import { type PolicyCases } from "./types";

// Hardening (advisory by default): each table shows one policy its non-compliant cases (one broken thing each),
// compliant cases, and resources or stacks it does not concern.

/** What the engine sends for a value a preview cannot know yet. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const BUCKET = "aws:s3/bucket:Bucket";
const BUCKET_V2 = "aws:s3/bucketV2:BucketV2";
const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const SSE_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const LIFECYCLE_V2 = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2";
const CORS = "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration";
const CORS_V2 = "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2";
const RESPONSE_HEADERS = "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy";
const KMS_KEY = "aws:kms/key:Key";
const IDENTITY_POOL = "aws:cognito/identityPool:IdentityPool";
const IDENTITY_POOL_ROLES = "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment";
const USER_POOL = "aws:cognito/userPool:UserPool";
const USER_POOL_CLIENT = "aws:cognito/userPoolClient:UserPoolClient";
const FUNCTION = "aws:lambda/function:Function";

/** A bucket as `analyzeStack` sees it once created (v7 `Bucket`, or the legacy `BucketV2`). */
function bucket(name = "photos", type = BUCKET, inline: Record<string, unknown> = {}): AnalyzerInput {
  return resource(type, name, { bucket: `${name}-bucket`, arn: `arn:aws:s3:::${name}-bucket`, forceDestroy: false, ...inline });
}

/** A bucket in a preview: its name is computed, so companions link to it only through dependencies. */
function previewBucket(name = "photos"): AnalyzerInput {
  return resource(BUCKET, name, { forceDestroy: false });
}
function previewCompanion(type: string, name: string, of: AnalyzerInput, properties: Record<string, unknown>): AnalyzerInput {
  return { ...companion(type, name, of, properties), properties: { bucket: UNKNOWN, ...properties } };
}

/** A stack with no bucket at all, for the stack policies' not-applicable case. */
const stackWithoutBuckets = (): AnalyzerInput[] => [unrelated(), resource(KMS_KEY, "key", { enableKeyRotation: true })];

// --- 1. SSE-KMS with a bucket key -------------------------------------------------------------

function sse(of: AnalyzerInput, rule: { sseAlgorithm?: unknown; kmsMasterKeyId?: unknown; bucketKeyEnabled?: unknown }, type = SSE): AnalyzerInput {
  const { bucketKeyEnabled, ...apply } = rule;
  const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return companion(type, of.name, of, {
    rules: [defined({ applyServerSideEncryptionByDefault: defined(apply), bucketKeyEnabled })],
  });
}
const goodSse = { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN, bucketKeyEnabled: true };
const sseS3 = { sseAlgorithm: "AES256" };

const LOGGING = "aws:s3/bucketLogging:BucketLogging";
/** Server access logging of `source` into `target` (v7 BucketLogging), linked to both. */
function serverAccessLogging(source: AnalyzerInput, target: AnalyzerInput): AnalyzerInput {
  const nameOf = (b: AnalyzerInput) => (b.properties as { bucket: string }).bucket;
  return {
    ...companion(LOGGING, `${source.name}-logging`, source, { targetBucket: nameOf(target), targetPrefix: "logs/" }),
    dependencies: [source.urn, target.urn],
    propertyDependencies: { bucket: [source.urn], targetBucket: [target.urn] },
  };
}
/** A bucket with SSE-KMS whose server access logs go to `logs`, and `logs` encrypted as given. */
const loggedInto = (logsRule: Parameters<typeof sse>[1] | undefined): AnalyzerInput[] => [
  bucket(),
  sse(bucket(), goodSse),
  bucket("logs"),
  ...(logsRule ? [sse(bucket("logs"), logsRule)] : []),
  serverAccessLogging(bucket(), bucket("logs")),
];

const sseKmsCases: PolicyCases = {
  policy: "aws-s3-bucket-enable-sse-kms",
  kind: "stack",
  nonCompliant: [
    { label: "a bucket without any default encryption", resources: [bucket()] },
    { label: "SSE-S3 (AES256) instead of SSE-KMS", resources: [bucket(), sse(bucket(), { ...goodSse, sseAlgorithm: "AES256", kmsMasterKeyId: undefined })] },
    { label: "SSE-KMS without a bucket key", resources: [bucket(), sse(bucket(), { ...goodSse, bucketKeyEnabled: false })] },
    { label: "SSE-KMS under the AWS managed aws/s3 key", resources: [bucket(), sse(bucket(), { ...goodSse, kmsMasterKeyId: "alias/aws/s3" })] },
    { label: "SSE-KMS with no key named (the AWS managed key)", resources: [bucket(), sse(bucket(), { ...goodSse, kmsMasterKeyId: undefined })] },
    {
      label: "legacy BucketV2 + BucketServerSideEncryptionConfigurationV2 without a bucket key",
      resources: [bucket("old", BUCKET_V2), sse(bucket("old", BUCKET_V2), { ...goodSse, bucketKeyEnabled: false }, SSE_V2)],
    },
    {
      label: "legacy inline Bucket serverSideEncryptionConfiguration with AES256",
      resources: [bucket("old", BUCKET, { serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } } })],
    },
    {
      label: "legacy inline BucketV2 serverSideEncryptionConfigurations without a bucket key",
      resources: [
        bucket("old", BUCKET_V2, {
          serverSideEncryptionConfigurations: [
            { rules: [{ applyServerSideEncryptionByDefaults: [{ sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }], bucketKeyEnabled: false }] },
          ],
        }),
      ],
    },
    {
      label: "a second bucket left unencrypted beside an encrypted one",
      resources: [bucket(), sse(bucket(), goodSse), bucket("logs")],
    },
    { label: "a server access log target without any default encryption (it is pointed to SSE-S3)", resources: loggedInto(undefined) },
    {
      label: "SSE-S3 on a bucket whose server access logs go into itself (not another bucket's log target)",
      resources: [bucket(), sse(bucket(), sseS3), serverAccessLogging(bucket(), bucket())],
    },
    {
      label: "SSE-S3 on the bucket that sends its logs (only the target may use SSE-S3)",
      resources: [bucket(), sse(bucket(), sseS3), bucket("logs"), sse(bucket("logs"), sseS3), serverAccessLogging(bucket(), bucket("logs"))],
    },
  ],
  compliant: [
    { label: "SSE-KMS, customer managed key, bucket key on (as the program does)", resources: [bucket(), sse(bucket(), goodSse)] },
    { label: "legacy BucketV2 with its V2 encryption companion", resources: [bucket("old", BUCKET_V2), sse(bucket("old", BUCKET_V2), goodSse, SSE_V2)] },
    {
      label: "DSSE-KMS, which has no bucket keys",
      resources: [bucket(), sse(bucket(), { sseAlgorithm: "aws:kms:dsse", kmsMasterKeyId: KEY_ARN })],
    },
    {
      label: "legacy inline Bucket serverSideEncryptionConfiguration with SSE-KMS",
      resources: [
        bucket("old", BUCKET, {
          serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }, bucketKeyEnabled: true } },
        }),
      ],
    },
    {
      label: "in a preview, the key ARN and bucket name still unknown",
      resources: [previewBucket(), previewCompanion(SSE, "photos", previewBucket(), { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: UNKNOWN }, bucketKeyEnabled: true }] })],
    },
    {
      label: "SSE-S3 on a bucket that receives another bucket's server access logs (log delivery supports SSE-S3 on its target, not SSE-KMS)",
      resources: loggedInto(sseS3),
    },
    {
      label: "the AWS managed key when requireCustomerManagedKey is off",
      resources: [bucket(), sse(bucket(), { ...goodSse, kmsMasterKeyId: undefined })],
      config: { "aws-s3-bucket-enable-sse-kms": { requireCustomerManagedKey: false } },
    },
  ],
  notApplicable: [{ label: "a stack without buckets", resources: stackWithoutBuckets() }],
};

// --- 2. KMS key rotation ----------------------------------------------------------------------

const key = (properties: Record<string, unknown>, name = "bucket-key") =>
  resource(KMS_KEY, name, { description: "Encrypts objects", deletionWindowInDays: 30, ...properties });

const kmsRotationCases: PolicyCases = {
  policy: "aws-kms-key-enable-rotation",
  kind: "resource",
  nonCompliant: [
    { label: "enableKeyRotation false", resources: [key({ enableKeyRotation: false })] },
    { label: "enableKeyRotation left unset (KMS default: off)", resources: [key({})] },
    { label: "rotation every 730 days, over the 365-day default cap", resources: [key({ enableKeyRotation: true, rotationPeriodInDays: 730 })] },
    {
      label: "rotation every 180 days under a 90-day cap",
      resources: [key({ enableKeyRotation: true, rotationPeriodInDays: 180 })],
      config: { "aws-kms-key-enable-rotation": { maxRotationPeriodDays: 90 } },
    },
    { label: "an explicit symmetric encryption key without rotation", resources: [key({ keyUsage: "ENCRYPT_DECRYPT", keySpec: "SYMMETRIC_DEFAULT" })] },
  ],
  compliant: [
    { label: "rotation on (as the program does)", resources: [key({ enableKeyRotation: true })] },
    { label: "rotation on every 90 days", resources: [key({ enableKeyRotation: true, rotationPeriodInDays: 90 })] },
    { label: "in a preview, the key policy still unknown", resources: [key({ enableKeyRotation: true, policy: UNKNOWN })] },
  ],
  notApplicable: [
    { label: "an unrelated resource type", resources: [unrelated()] },
    { label: "an asymmetric signing key", resources: [key({ keyUsage: "SIGN_VERIFY", keySpec: "RSA_2048" }, "signing-key")] },
    { label: "an HMAC key", resources: [key({ keyUsage: "GENERATE_VERIFY_MAC", keySpec: "HMAC_256" }, "mac-key")] },
    { label: "a key in a custom key store", resources: [key({ customKeyStoreId: "cks-1234567890abcdef0" }, "hsm-key")] },
  ],
  remediation: {
    input: key({ enableKeyRotation: false }),
    expected: { description: "Encrypts objects", deletionWindowInDays: 30, enableKeyRotation: true },
  },
};

// --- 3. Versioning ----------------------------------------------------------------------------

const versioning = (of: AnalyzerInput, status: string, type = VERSIONING) =>
  companion(type, of.name, of, { versioningConfiguration: { status } });

const versioningCases: PolicyCases = {
  policy: "aws-s3-bucket-enable-versioning",
  kind: "stack",
  nonCompliant: [
    { label: "a bucket without versioning", resources: [bucket()] },
    { label: "versioning Suspended", resources: [bucket(), versioning(bucket(), "Suspended")] },
    { label: "versioning Disabled", resources: [bucket(), versioning(bucket(), "Disabled")] },
    { label: "legacy BucketV2 + BucketVersioningV2 Suspended", resources: [bucket("old", BUCKET_V2), versioning(bucket("old", BUCKET_V2), "Suspended", VERSIONING_V2)] },
    { label: "legacy inline Bucket versioning.enabled false", resources: [bucket("old", BUCKET, { versioning: { enabled: false, mfaDelete: false } })] },
    { label: "legacy inline BucketV2 versionings[].enabled false", resources: [bucket("old", BUCKET_V2, { versionings: [{ enabled: false }] })] },
  ],
  compliant: [
    { label: "BucketVersioning Enabled (as the program does)", resources: [bucket(), versioning(bucket(), "Enabled")] },
    { label: "legacy BucketV2 + BucketVersioningV2 Enabled", resources: [bucket("old", BUCKET_V2), versioning(bucket("old", BUCKET_V2), "Enabled", VERSIONING_V2)] },
    { label: "legacy inline Bucket versioning.enabled true", resources: [bucket("old", BUCKET, { versioning: { enabled: true } })] },
    { label: "in a preview, the bucket name still unknown", resources: [previewBucket(), previewCompanion(VERSIONING, "photos", previewBucket(), { versioningConfiguration: { status: "Enabled" } })] },
  ],
  notApplicable: [{ label: "a stack without buckets", resources: stackWithoutBuckets() }],
};

// --- 4. Lifecycle aborts incomplete multipart uploads ------------------------------------------

const abortRule = (days: number, extra: Record<string, unknown> = {}) => ({
  id: "abort-incomplete-multipart-uploads",
  status: "Enabled",
  filter: { prefix: "" },
  abortIncompleteMultipartUpload: { daysAfterInitiation: days },
  ...extra,
});
const expireNoncurrent = { id: "expire-noncurrent-versions", status: "Enabled", filter: { prefix: "" }, noncurrentVersionExpiration: { noncurrentDays: 30 } };
const lifecycle = (of: AnalyzerInput, rules: object[], type = LIFECYCLE) => companion(type, of.name, of, { rules });

const abortUploadsCases: PolicyCases = {
  policy: "aws-s3-bucket-enforce-abort-incomplete-uploads",
  kind: "stack",
  nonCompliant: [
    { label: "a bucket without lifecycle configuration", resources: [bucket()] },
    { label: "lifecycle rules, none of which aborts uploads", resources: [bucket(), lifecycle(bucket(), [expireNoncurrent])] },
    { label: "uploads aborted only after 30 days", resources: [bucket(), lifecycle(bucket(), [abortRule(30), expireNoncurrent])] },
    { label: "the abort rule Disabled", resources: [bucket(), lifecycle(bucket(), [abortRule(3, { status: "Disabled" })])] },
    { label: "the abort rule limited to one prefix", resources: [bucket(), lifecycle(bucket(), [abortRule(3, { filter: { prefix: "uploads/" } })])] },
    { label: "legacy BucketV2 + BucketLifecycleConfigurationV2 after 14 days", resources: [bucket("old", BUCKET_V2), lifecycle(bucket("old", BUCKET_V2), [abortRule(14)], LIFECYCLE_V2)] },
    {
      label: "legacy inline lifecycleRules after 30 days",
      resources: [bucket("old", BUCKET, { lifecycleRules: [{ id: "abort", enabled: true, abortIncompleteMultipartUploadDays: 30 }] })],
    },
    {
      label: "3 days under a 1-day cap",
      resources: [bucket(), lifecycle(bucket(), [abortRule(3)])],
      config: { "aws-s3-bucket-enforce-abort-incomplete-uploads": { maxDaysAfterInitiation: 1 } },
    },
  ],
  compliant: [
    { label: "abort after 3 days, bucket-wide (as the program does)", resources: [bucket(), lifecycle(bucket(), [abortRule(3), expireNoncurrent])] },
    { label: "legacy BucketV2 + BucketLifecycleConfigurationV2 after 7 days", resources: [bucket("old", BUCKET_V2), lifecycle(bucket("old", BUCKET_V2), [abortRule(7)], LIFECYCLE_V2)] },
    {
      label: "legacy inline BucketV2 lifecycleRules after 7 days",
      resources: [bucket("old", BUCKET_V2, { lifecycleRules: [{ id: "abort", enabled: true, prefix: "", abortIncompleteMultipartUploadDays: 7 }] })],
    },
    { label: "a rule without any filter", resources: [bucket(), lifecycle(bucket(), [{ id: "abort", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }])] },
    {
      label: "14 days under a 30-day cap",
      resources: [bucket(), lifecycle(bucket(), [abortRule(14)])],
      config: { "aws-s3-bucket-enforce-abort-incomplete-uploads": { maxDaysAfterInitiation: 30 } },
    },
  ],
  notApplicable: [{ label: "a stack without buckets", resources: stackWithoutBuckets() }],
};

// --- 5. CORS ----------------------------------------------------------------------------------

const APP_ORIGIN = "https://photos.example.com";
const uploadCorsRule = {
  allowedOrigins: [APP_ORIGIN],
  allowedMethods: ["GET", "HEAD", "PUT", "POST"],
  allowedHeaders: ["authorization", "content-type", "x-amz-*"],
  exposeHeaders: ["ETag"],
  maxAgeSeconds: 3000,
};
const s3Cors = (rules: object[], type = CORS) => resource(type, "photos", { bucket: "photos-bucket", corsRules: rules });
const cdnCors = {
  accessControlAllowOrigins: { items: [APP_ORIGIN] },
  accessControlAllowMethods: { items: ["GET", "HEAD", "OPTIONS"] },
  accessControlAllowHeaders: { items: ["Range"] },
  accessControlExposeHeaders: { items: ["ETag", "Content-Range"] },
  accessControlAllowCredentials: true,
  accessControlMaxAgeSec: 600,
  originOverride: true,
};
const headersPolicy = (corsConfig?: object) =>
  resource(RESPONSE_HEADERS, "cdn-headers", { comment: "Security and CORS headers", ...(corsConfig ? { corsConfig } : {}) });

const corsCases: PolicyCases = {
  policy: "aws-s3-cors-enforce-etag-and-origins",
  kind: "resource",
  nonCompliant: [
    { label: "S3 CORS allowing PUT without exposing ETag", resources: [s3Cors([{ ...uploadCorsRule, exposeHeaders: [] }])] },
    { label: "legacy BucketCorsConfigurationV2 letting any origin PUT", resources: [s3Cors([{ ...uploadCorsRule, allowedOrigins: ["*"] }], CORS_V2)] },
    {
      label: "legacy inline Bucket corsRules letting any origin DELETE",
      resources: [resource(BUCKET, "old", { bucket: "old-bucket", corsRules: [{ allowedOrigins: ["*"], allowedMethods: ["GET", "DELETE"] }] })],
    },
    {
      label: "legacy inline BucketV2 corsRules allowing PUT without exposing ETag",
      resources: [resource(BUCKET_V2, "old", { bucket: "old-bucket", corsRules: [{ allowedOrigins: [APP_ORIGIN], allowedMethods: ["PUT"] }] })],
    },
    { label: "CloudFront CORS with credentials for any origin", resources: [headersPolicy({ ...cdnCors, accessControlAllowOrigins: { items: ["*"] } })] },
    {
      label: "CloudFront CORS allowing ALL methods without exposing ETag",
      resources: [headersPolicy({ ...cdnCors, accessControlAllowMethods: { items: ["ALL"] }, accessControlExposeHeaders: { items: ["Content-Range"] } })],
    },
  ],
  compliant: [
    { label: "S3 CORS for the app's origin, exposing ETag (as the program does)", resources: [s3Cors([uploadCorsRule])] },
    { label: "legacy BucketCorsConfigurationV2 exposing etag in lower case", resources: [s3Cors([{ ...uploadCorsRule, exposeHeaders: ["etag"] }], CORS_V2)] },
    { label: "S3 CORS letting any origin only read", resources: [s3Cors([{ allowedOrigins: ["*"], allowedMethods: ["GET", "HEAD"] }])] },
    { label: "CloudFront CORS with credentials for exact origins (as the program does)", resources: [headersPolicy(cdnCors)] },
    {
      label: "CloudFront CORS for any origin without credentials, reads only",
      resources: [headersPolicy({ ...cdnCors, accessControlAllowOrigins: { items: ["*"] }, accessControlAllowCredentials: false })],
    },
    { label: "in a preview, the origins still unknown", resources: [s3Cors([{ ...uploadCorsRule, allowedOrigins: UNKNOWN }])] },
  ],
  notApplicable: [
    { label: "an unrelated resource type", resources: [unrelated()] },
    { label: "a bucket without inline CORS rules", resources: [resource(BUCKET, "photos", { bucket: "photos-bucket" })] },
    { label: "a response headers policy without corsConfig", resources: [headersPolicy()] },
  ],
};

// --- 6. Identity pools: no unauthenticated access ----------------------------------------------

const identityPool = (properties: Record<string, unknown>) =>
  resource(IDENTITY_POOL, "identity", {
    identityPoolName: "photos_identity",
    allowClassicFlow: false,
    cognitoIdentityProviders: [{ clientId: "client", providerName: "cognito-idp.eu-central-1.amazonaws.com/eu-central-1_abc", serverSideTokenCheck: true }],
    ...properties,
  });

const identityPoolCases: PolicyCases = {
  policy: "aws-cognito-identitypool-disallow-unauthenticated-access",
  kind: "resource",
  nonCompliant: [
    { label: "a pool that allows unauthenticated identities", resources: [identityPool({ allowUnauthenticatedIdentities: true })] },
    { label: "a guest-only pool without providers", resources: [identityPool({ allowUnauthenticatedIdentities: true, cognitoIdentityProviders: [] })] },
    {
      label: "an OIDC-federated pool that allows unauthenticated identities",
      resources: [identityPool({ allowUnauthenticatedIdentities: true, cognitoIdentityProviders: [], openidConnectProviderArns: ["arn:aws:iam::123456789012:oidc-provider/id.example.com"] })],
    },
    {
      label: "a role attachment giving unauthenticated identities a role",
      resources: [
        resource(IDENTITY_POOL_ROLES, "identity", {
          identityPoolId: "eu-central-1:pool",
          roles: { authenticated: "arn:aws:iam::123456789012:role/app-user", unauthenticated: "arn:aws:iam::123456789012:role/guest" },
        }),
      ],
    },
  ],
  compliant: [
    { label: "allowUnauthenticatedIdentities false (as the program does)", resources: [identityPool({ allowUnauthenticatedIdentities: false })] },
    { label: "allowUnauthenticatedIdentities left unset (Cognito default: false)", resources: [identityPool({})] },
    {
      label: "a role attachment for authenticated identities only",
      resources: [resource(IDENTITY_POOL_ROLES, "identity", { identityPoolId: "eu-central-1:pool", roles: { authenticated: "arn:aws:iam::123456789012:role/app-user" } })],
    },
  ],
  notApplicable: [
    { label: "an unrelated resource type", resources: [unrelated()] },
    { label: "a user pool", resources: [resource(USER_POOL, "identity", { name: "photos" })] },
  ],
};

// --- 7. User-pool clients cannot write the tenant attribute ------------------------------------

const appClient = (properties: Record<string, unknown>) =>
  resource(USER_POOL_CLIENT, "identity", {
    userPoolId: "eu-central-1_abc",
    generateSecret: false,
    readAttributes: ["email", "email_verified", "custom:tenant"],
    ...properties,
  });

const tenantWriteCases: PolicyCases = {
  policy: "aws-cognito-userpoolclient-disallow-tenant-write",
  kind: "resource",
  nonCompliant: [
    { label: "writeAttributes unset (every writable attribute)", resources: [appClient({})] },
    { label: "writeAttributes empty (the same as unset)", resources: [appClient({ writeAttributes: [] })] },
    { label: "custom:tenant writable", resources: [appClient({ writeAttributes: ["email", "custom:tenant"] })] },
    {
      label: "a configured tenant attribute writable",
      resources: [appClient({ writeAttributes: ["email", "custom:org"] })],
      config: { "aws-cognito-userpoolclient-disallow-tenant-write": { tenantAttributes: ["custom:tenant", "custom:org"] } },
    },
  ],
  compliant: [
    { label: "only email writable (as the program does)", resources: [appClient({ writeAttributes: ["email"] })] },
    { label: "standard attributes writable, the tenant read-only", resources: [appClient({ writeAttributes: ["email", "name", "picture"] })] },
  ],
  notApplicable: [
    { label: "an unrelated resource type", resources: [unrelated()] },
    { label: "an identity pool", resources: [identityPool({ allowUnauthenticatedIdentities: false })] },
  ],
};

// --- 8. No credentials in Lambda environment variables -----------------------------------------

const fn = (variables?: Record<string, unknown> | string, name = "api-uploads") =>
  resource(FUNCTION, name, {
    runtime: "nodejs22.x",
    handler: "index.handler",
    role: "arn:aws:iam::123456789012:role/api-uploads",
    ...(variables === undefined ? {} : { environment: { variables } }),
  });
// AWS's documented example key ID, and a PEM header assembled so secret scanners skip this file.
const EXAMPLE_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const EXAMPLE_SESSION_KEY_ID = "ASIAIOSFODNN7EXAMPLE";
const EXAMPLE_PRIVATE_KEY = ["-----BEGIN", "RSA", "PRIVATE", "KEY-----\nMIIEexample\n-----END", "RSA", "PRIVATE", "KEY-----"].join(" ");
const programEnvironment = { LOG_LEVEL: "INFO", PRESIGN_TTL_SECONDS: "300", TENANT_ROUTING: '{"pooledBucket":"photos-bucket"}' };

const envCredentialsCases: PolicyCases = {
  policy: "aws-lambda-function-disallow-env-credentials",
  kind: "resource",
  nonCompliant: [
    { label: "an access key ID in AWS_ACCESS_KEY_ID", resources: [fn({ ...programEnvironment, AWS_ACCESS_KEY_ID: EXAMPLE_ACCESS_KEY_ID })] },
    { label: "a temporary key ID under an innocent name", resources: [fn({ ...programEnvironment, S3_CLIENT_ID: EXAMPLE_SESSION_KEY_ID })] },
    { label: "a private key in the environment", resources: [fn({ ...programEnvironment, CDN_SIGNING_KEY: EXAMPLE_PRIVATE_KEY }, "api-cdn-session")] },
    { label: "a literal AWS_SECRET_ACCESS_KEY", resources: [fn({ ...programEnvironment, AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" })] },
    { label: "a literal *_PASSWORD", resources: [fn({ ...programEnvironment, DB_PASSWORD: "hunter2" })] },
    { label: "a literal *_TOKEN", resources: [fn({ ...programEnvironment, SLACK_TOKEN: "xoxb-not-a-real-token" })] },
  ],
  compliant: [
    { label: "the program's settings", resources: [fn(programEnvironment)] },
    {
      label: "secrets passed by ARN",
      resources: [
        fn({
          CDN_PRIVATE_KEY_SECRET_ARN: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:cdn-key",
          DB_PASSWORD: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:db",
        }),
      ],
    },
    { label: "a function without environment variables", resources: [fn()] },
    { label: "in a preview, the variables still unknown", resources: [fn(UNKNOWN)] },
    {
      label: "a *_TOKEN name that the config exempts",
      resources: [fn({ ...programEnvironment, CSRF_TOKEN: "x-csrf-token" })],
      config: { "aws-lambda-function-disallow-env-credentials": { allowedVariables: ["CSRF_TOKEN"] } },
    },
  ],
  notApplicable: [
    { label: "an unrelated resource type", resources: [unrelated()] },
    { label: "a Lambda permission", resources: [resource("aws:lambda/permission:Permission", "invoke", { action: "lambda:InvokeFunction", function: "api-uploads", principal: "apigateway.amazonaws.com" })] },
  ],
};

// --- 9. Presigned-URL lifetime within a cap ----------------------------------------------------

const presignTtlCases: PolicyCases = {
  policy: "aws-lambda-function-enforce-presign-ttl-cap",
  kind: "resource",
  nonCompliant: [
    { label: "an hour, over the 900-second default cap", resources: [fn({ ...programEnvironment, PRESIGN_TTL_SECONDS: "3600" })] },
    { label: "a duration that is not a number of seconds", resources: [fn({ ...programEnvironment, PRESIGN_TTL_SECONDS: "15m" })] },
    { label: "zero seconds", resources: [fn({ ...programEnvironment, PRESIGN_TTL_SECONDS: "0" })] },
    {
      label: "600 seconds under a 300-second cap",
      resources: [fn({ ...programEnvironment, PRESIGN_TTL_SECONDS: "600" })],
      config: { "aws-lambda-function-enforce-presign-ttl-cap": { maxSeconds: 300 } },
    },
    {
      label: "a configured variable name over the cap",
      resources: [fn({ LOG_LEVEL: "INFO", URL_TTL: "7200" })],
      config: { "aws-lambda-function-enforce-presign-ttl-cap": { variableNames: ["PRESIGN_TTL_SECONDS", "URL_TTL"] } },
    },
  ],
  compliant: [
    { label: "300 seconds (the program's default)", resources: [fn(programEnvironment)] },
    { label: "exactly the 900-second cap", resources: [fn({ ...programEnvironment, PRESIGN_TTL_SECONDS: "900" })] },
    {
      label: "an hour under a one-hour cap",
      resources: [fn({ ...programEnvironment, PRESIGN_TTL_SECONDS: "3600" })],
      config: { "aws-lambda-function-enforce-presign-ttl-cap": { maxSeconds: 3600 } },
    },
    { label: "in a preview, the variables still unknown", resources: [fn(UNKNOWN)] },
  ],
  notApplicable: [
    { label: "an unrelated resource type", resources: [unrelated()] },
    { label: "a function that issues no presigned URLs", resources: [fn({ LOG_LEVEL: "INFO", SCAN_BUCKETS: '["photos-bucket"]' }, "api-scan")] },
  ],
};

/** Hardening: Customer-managed encryption (6), Lifecycle hygiene (8), Observability (10) and the identity and function settings. */
export const hardeningCases: PolicyCases[] = [
  sseKmsCases,
  kmsRotationCases,
  versioningCases,
  abortUploadsCases,
  corsCases,
  identityPoolCases,
  tenantWriteCases,
  envCredentialsCases,
  presignTtlCases,
];
