import { FUNCTION_NAMES, scanVocabulary, TENANTS_ROOT } from "@mobile-s3/contract";
import { functionEnvironment } from "./api/function-environment";
import { functionPolicy } from "./api/function-policies";
import { bucketKeyPolicy } from "./kms/key-policy";
import { ConfigError, type StackConfig } from "./config";
import { cloudFrontReadStatement } from "./cdn/read-grant";
import { guardDutyRolePolicy, malwareScannerKeyGrant } from "./scanning/guardduty-policies";
import { S3_NAME_LIMITS, stackResourceName } from "./naming";
import { bucketPolicy } from "./storage/bucket-policy";
import { accessPointArn, accessPointPolicy, appUserPolicy, pooledBucketTenancyStatements, type StorageLayout } from "./tenancy/access-policies";
import { accessPointName, accessPointPrefix, dedicatedBucketLogicalName, dedicatedBucketName } from "./tenancy/names";
import { functionRouting } from "./tenancy/tenant-storage";

/** AWS limits this program can hit, as documented (S3, IAM, KMS, CloudFront user guides). */
export const AWS_LIMITS = {
  bucketNameLength: S3_NAME_LIMITS.bucket,
  accessPointNameLength: S3_NAME_LIMITS.accessPoint,
  bucketPolicyBytes: 20_480,
  accessPointPolicyBytes: 20_480,
  /** Aggregate size of a role's inline policies, whitespace not counted. */
  roleInlinePolicyChars: 10_240,
  keyPolicyBytes: 32_768,
  accessPointsPerRegion: 10_000,
  bucketsPerAccount: 10_000,
  cloudFrontOriginsPerDistribution: 25,
  cloudFrontCacheBehaviorsPerDistribution: 25,
} as const;

/** Longest plausible values, so a check passed here holds in any account and region. */
const WORST = { partition: "aws-us-gov", region: "ap-southeast-3", accountId: "123456789012", autoSuffix: "-abcdefg" };

const compact = (doc: unknown) => JSON.stringify(doc).length;

/** `<app>-<env>`: what the profiles hand `TenantStorage` as its `namePrefix`. */
function namePrefix(config: StackConfig): string {
  return `${config.app}-${config.environment}`;
}

/** Runs a name check, reporting its failure against the `tenants` key. */
function tenantName(check: () => string): void {
  try {
    check();
  } catch (err) {
    throw new ConfigError("tenants", (err as Error).message);
  }
}

function worstLayout(config: StackConfig): StorageLayout {
  return {
    partition: WORST.partition,
    region: WORST.region,
    accountId: WORST.accountId,
    pooledBucket: `${stackResourceName(config.app, config.environment, "storage")}${WORST.autoSuffix}`,
    accessPointPrefix: accessPointPrefix(namePrefix(config)),
    dedicatedBucket: { prefix: `${namePrefix(config)}-t-`, suffix: "-0123abcd" },
    homeKey: config.identity.homeKey,
    ...(config.profile === "full" ? { readGate: scanVocabulary(config.scanning.scanner) } : {}),
  };
}

/**
 * Checks, before anything is created, every AWS limit the stack's config can push it past (Limits
 * checked at plan time). Each failure is a `ConfigError` naming the key to change.
 */
export function checkQuotas(config: StackConfig): void {
  const apTenants = config.tenants.filter((t) => t.tier === "accessPoint");
  const bucketTenants = config.tenants.filter((t) => t.tier === "bucket");
  const layout = worstLayout(config);
  const appRoleArn = `arn:${WORST.partition}:iam::${WORST.accountId}:role/${stackResourceName(config.app, config.environment, "identity")}-app-user${WORST.autoSuffix}`;
  const distributionArn = `arn:${WORST.partition}:cloudfront::${WORST.accountId}:distribution/E0123456789ABC`;
  const cdn = config.profile === "full";
  const guardDuty = cdn && config.scanning.scanner === "guardduty";

  for (const t of apTenants) {
    tenantName(() => accessPointName(namePrefix(config), t.id));
  }
  for (const t of bucketTenants) {
    tenantName(() => dedicatedBucketName(layout.dedicatedBucket, t.id));
    dedicatedBucketLogicalName(namePrefix(config), t.id);
  }
  if (apTenants.length > AWS_LIMITS.accessPointsPerRegion) {
    throw new ConfigError("tenants", `${apTenants.length} access-point tenants exceed the ${AWS_LIMITS.accessPointsPerRegion} access points S3 allows per region`);
  }
  const buckets = 1 + bucketTenants.length + (config.observability.auditTrail ? 1 : 0);
  if (buckets > AWS_LIMITS.bucketsPerAccount) {
    throw new ConfigError("tenants", `${buckets} buckets exceed the ${AWS_LIMITS.bucketsPerAccount} S3 allows per account: move bucket-tier tenants to accessPoint`);
  }

  const pooledPolicy = bucketPolicy({
    bucketArn: `arn:${layout.partition}:s3:::${layout.pooledBucket}`,
    kmsKeyArn: `arn:${WORST.partition}:kms:${WORST.region}:${WORST.accountId}:key/00000000-0000-4000-8000-000000000000`,
    grants: [
      ...pooledBucketTenancyStatements({ layout, appRoleArn, accessPointTenants: apTenants.map((t) => t.id), bucketTenants: bucketTenants.map((t) => t.id) }),
      ...(cdn
        ? [cloudFrontReadStatement({ bucketArn: `arn:${layout.partition}:s3:::${layout.pooledBucket}`, distributionArn, keyPrefix: TENANTS_ROOT, readGate: scanVocabulary(config.scanning.scanner) })]
        : []),
    ],
  });
  if (compact(pooledPolicy) > AWS_LIMITS.bucketPolicyBytes) {
    throw new ConfigError(
      "tenants",
      `the pooled bucket's policy would be ${compact(pooledPolicy)} bytes, over S3's ${AWS_LIMITS.bucketPolicyBytes}: ` +
        `${apTenants.length + bucketTenants.length} tenants outside the pool is too many; put fewer tenants on the accessPoint or bucket tiers`,
    );
  }
  if (apTenants.length > 0) {
    const size = compact(accessPointPolicy({ layout, tenant: apTenants[0].id.padEnd(32, "x"), appRoleArn }));
    if (size > AWS_LIMITS.accessPointPolicyBytes) {
      throw new ConfigError("tenants", `an access point policy would be ${size} bytes, over ${AWS_LIMITS.accessPointPolicyBytes}`);
    }
  }
  const rolePolicy = compact(appUserPolicy(layout, { sessionsIssuedBefore: config.identity.revokeSessionsIssuedBefore }));
  if (rolePolicy > AWS_LIMITS.roleInlinePolicyChars) {
    throw new ConfigError("homeKey", `the app role's policy would be ${rolePolicy} characters, over IAM's ${AWS_LIMITS.roleInlinePolicyChars}`);
  }
  const keyPolicy = compact(
    bucketKeyPolicy({
      partition: WORST.partition,
      accountId: WORST.accountId,
      region: WORST.region,
      // The app role and up to eight control-plane functions.
      keyUserArns: Array.from({ length: 9 }, (_, i) => `${appRoleArn}${i}`),
      cloudFrontDistributionArns: cdn ? [distributionArn] : [],
      grants: guardDuty ? [malwareScannerKeyGrant({ roleArn: `${appRoleArn}-malware`, region: WORST.region, accountId: WORST.accountId })] : [],
    }),
  );
  if (keyPolicy > AWS_LIMITS.keyPolicyBytes) {
    throw new ConfigError("app", `the KMS key policy would be ${keyPolicy} bytes, over ${AWS_LIMITS.keyPolicyBytes}`);
  }
  if (guardDuty) {
    checkGuardDutyRole(config, layout);
  }
  if (cdn) {
    checkControlPlane(config, layout);
    // One origin for the pooled bucket and one per dedicated bucket, each behind a `tenants/<t>/*` behaviour.
    const origins = 1 + bucketTenants.length;
    if (origins > AWS_LIMITS.cloudFrontOriginsPerDistribution || bucketTenants.length > AWS_LIMITS.cloudFrontCacheBehaviorsPerDistribution) {
      throw new ConfigError(
        "tenants",
        `${bucketTenants.length} bucket-tier tenants need ${origins} CloudFront origins and ${bucketTenants.length} cache behaviours, over the ` +
          `${AWS_LIMITS.cloudFrontOriginsPerDistribution} per distribution CloudFront allows: use the accessPoint tier for more tenants, or profile minimal`,
      );
    }
  }
}

/** GuardDuty's role names each distinct key of the data buckets: it grows with tenants that have their own key. */
function checkGuardDutyRole(config: StackConfig, layout: StorageLayout): void {
  const bucketTenants = config.tenants.filter((t) => t.tier === "bucket");
  const key = (i: number) => `arn:${WORST.partition}:kms:${WORST.region}:${WORST.accountId}:key/00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
  const size = compact(
    guardDutyRolePolicy({
      partition: WORST.partition,
      region: WORST.region,
      accountId: WORST.accountId,
      keyPrefix: TENANTS_ROOT,
      bucketArns: [
        `arn:${WORST.partition}:s3:::${layout.pooledBucket}`,
        ...(bucketTenants.length > 0 ? [`arn:${WORST.partition}:s3:::${layout.dedicatedBucket.prefix}*${layout.dedicatedBucket.suffix}`] : []),
      ],
      kmsKeyArns: [key(0), ...bucketTenants.filter((t) => t.dedicatedKey).map((_, i) => key(i + 1))],
    }),
  );
  if (size > AWS_LIMITS.roleInlinePolicyChars) {
    throw new ConfigError(
      "tenants",
      `GuardDuty's malware-protection role policy would be ${size} characters, over IAM's ${AWS_LIMITS.roleInlinePolicyChars}: fewer tenants with a dedicated key, or scanner clamav`,
    );
  }
}

/**
 * The control plane's functions carry the routing table in their environment (4 KB per function)
 * and name every bucket in their policies (10 KB per role): both grow with the tenants outside the pool.
 */
function checkControlPlane(config: StackConfig, layout: StorageLayout): void {
  const apTenants = config.tenants.filter((t) => t.tier === "accessPoint").map((t) => t.id);
  const bucketTenants = config.tenants.filter((t) => t.tier === "bucket").map((t) => t.id);
  const dedicated = Object.fromEntries(bucketTenants.map((t) => [t, dedicatedBucketName(layout.dedicatedBucket, t)]));
  const bucketNames = [layout.pooledBucket, ...Object.values(dedicated)];
  const routing = JSON.stringify(functionRouting(layout, apTenants, dedicated));
  // The names the full profile gives the index's table and the indexer's failure queue, auto-named.
  const indexTableName = `${stackResourceName(config.app, config.environment, "index")}${WORST.autoSuffix}`;
  const indexTableArn = `arn:${WORST.partition}:dynamodb:${WORST.region}:${WORST.accountId}:table/${indexTableName}`;
  const failureQueueArn = `arn:${WORST.partition}:sqs:${WORST.region}:${WORST.accountId}:${stackResourceName(config.app, config.environment, "api")}-indexer-failures${WORST.autoSuffix}`;
  for (const fn of FUNCTION_NAMES) {
    try {
      functionEnvironment(fn, {
        logLevel: "INFO",
        tenantRoutingJson: routing,
        limits: config.limits,
        users: {
          tenantClaim: config.identity.tenantClaim,
          quotaBytes: config.userQuotaBytes,
          abortIncompleteUploadDays: config.lifecycle.abortIncompleteUploadDays,
          sessionsRevokedBefore: config.identity.revokeSessionsIssuedBefore,
        },
        bucketNames,
        scanner: config.scanning.scanner,
        indexTableName,
        // Cognito's longest pool ids: the region and a 9-character id.
        userPoolId: `${WORST.region}_AbCdEfGhI`,
        cdn: {
          domainName: "d0123456789abcd.cloudfront.net",
          keyPairId: "K0123456789ABCDEFGHIJ",
          privateKeySecretArn: `arn:${WORST.partition}:secretsmanager:${WORST.region}:${WORST.accountId}:secret:${config.app}-${config.environment}-api-cdn-key-AbCdEf`,
        },
      });
    } catch (err) {
      throw new ConfigError("tenants", `${(err as Error).message} (with ${apTenants.length} access-point and ${bucketTenants.length} bucket tenants)`);
    }
    const size = compact(
      functionPolicy(fn, {
        bucketArns: bucketNames.map((b) => `arn:${WORST.partition}:s3:::${b}`),
        accessPointArns: apTenants.length > 0 ? [`${accessPointArn(layout, layout.accessPointPrefix)}*`] : [],
        logGroupArn: `arn:${WORST.partition}:logs:${WORST.region}:${WORST.accountId}:log-group:/${config.app}-${config.environment}-api/${fn}`,
        cdnPrivateKeySecretArn: `arn:${WORST.partition}:secretsmanager:${WORST.region}:${WORST.accountId}:secret:${config.app}-${config.environment}-api-cdn-key-AbCdEf`,
        scan: scanVocabulary(config.scanning.scanner),
        indexTableArn,
        failureQueueArn,
        userPoolArn: `arn:${WORST.partition}:cognito-idp:${WORST.region}:${WORST.accountId}:userpool/${WORST.region}_AbCdEfGhI`,
      }),
    );
    if (size > AWS_LIMITS.roleInlinePolicyChars) {
      throw new ConfigError(
        "tenants",
        `the ${fn} function's policy would be ${size} characters, over IAM's ${AWS_LIMITS.roleInlinePolicyChars}: fewer bucket-tier tenants`,
      );
    }
  }
}
