import { scanVocabulary } from "@mobile-s3/contract";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_SCHEMA, type ConfigKeyName, parseStackConfig, type StackConfig } from "./config";
import { ControlPlane } from "./api/control-plane";
import { ReadDistribution } from "./cdn/read-distribution";
import { Identity } from "./identity/identity";
import { Alarms } from "./observability/alarms";
import { AuditTrail } from "./observability/audit-trail";
import { stackResourceName } from "./naming";
import { checkQuotas } from "./quotas";
import { ClamAvImage } from "./scanning/clamav-image";
import { GuardDutyProtection } from "./scanning/guardduty-protection";
import { ScanTrigger } from "./scanning/scan-trigger";
import { TenantStorage } from "./tenancy/tenant-storage";

/**
 * Everything an app needs to connect, and nothing secret: region, user pool and client, identity
 * pool, hosted-UI domain, API and CDN (full profile), and where each tenant's objects live.
 */
export interface AppConfig {
  region: string;
  profile: StackConfig["profile"];
  userPoolId: string;
  userPoolClientId: string;
  identityPoolId: string;
  authDomain: string;
  homeKey: StackConfig["identity"]["homeKey"];
  tenantClaim: string;
  apiUrl?: string;
  cdnDomain?: string;
  storage: {
    /** Bucket of every tenant not listed in `tenants`. */
    pooledBucket: string;
    tenants: Record<string, { tier: string; bucket: string; accessPointArn?: string; accessPointAlias?: string }>;
  };
}

export interface ProgramOutputs {
  appConfig: pulumi.Output<AppConfig>;
  observability?: {
    trailArn?: pulumi.Output<string>;
    auditLogBucket?: pulumi.Output<string>;
    alarmTopicArn?: pulumi.Output<string>;
  };
  storage: {
    bucketName: pulumi.Output<string>;
    bucketArn: pulumi.Output<string>;
    kmsKeyArn: pulumi.Output<string>;
  };
}

/** Reads this stack's config through the Pulumi runtime (the CLI, or the offline runner). */
export function readStackConfig(): StackConfig {
  const config = new pulumi.Config();
  const keys = Object.keys(CONFIG_SCHEMA) as ConfigKeyName[];
  const raw = new Map(keys.map((k) => [k, config.get(k)]));
  return parseStackConfig((k) => raw.get(k), pulumi.getStack());
}

/** Builds every resource for one stack. `infra/index.ts` and the offline runner both call this. */
export function buildProgram(config: StackConfig): ProgramOutputs {
  checkQuotas(config);
  const name = (purpose: string) => stackResourceName(config.app, config.environment, purpose);
  const tags = { app: config.app, env: config.environment, owner: config.owner, "managed-by": "pulumi" };
  const full = config.profile === "full";

  const identity = new Identity(name("identity"), {
    settings: config.identity,
    names: { app: config.app, environment: config.environment },
    protectUserPool: !config.forceDestroy,
    tags,
  });
  const scan = full ? scanVocabulary(config.scanning.scanner) : undefined;
  const guardDuty = scan?.scanner === "guardduty";

  // The keys' users are known only once every role exists, and the distribution only once the
  // buckets it reads exist; storage needs both first. Deferred outputs break the cycles.
  const [keyUserArns, resolveKeyUserArns] = pulumi.deferredOutput<string[]>();
  const [cdnDistributionArn, resolveCdnDistributionArn] = pulumi.deferredOutput<string | undefined>();
  const [malwareScannerRoleArn, resolveMalwareScannerRoleArn] = pulumi.deferredOutput<string | undefined>();
  const storage = new TenantStorage(name("storage"), {
    app: config.app,
    environment: config.environment,
    tenants: config.tenants,
    homeKey: config.identity.homeKey,
    ...(scan ? { readGate: scan } : {}),
    malwareScannerRoleArn,
    appRole: identity.authenticatedRole,
    keyUserArns,
    cdnDistributionArn,
    lifecycle: config.lifecycle,
    corsOrigins: config.corsOrigins,
    // ClamAV listens to "Object Created"; GuardDuty turns on the notification itself (its role may).
    eventBridge: full && !guardDuty,
    forceDestroy: config.forceDestroy,
    tags,
  });
  const cdn = full
    ? new ReadDistribution(name("cdn"), {
        originDomainName: storage.shared.bucket.bucketRegionalDomainName,
        tenantOrigins: storage.dedicated.map((d) => ({ tenant: d.tenant, originDomainName: d.bucket.bucket.bucketRegionalDomainName })),
        corsOrigins: config.corsOrigins,
        customDomain: config.cdn.customDomain,
        logRetentionDays: config.observability.logRetentionDays,
        tags,
      })
    : undefined;
  resolveCdnDistributionArn(cdn ? cdn.distributionArn : pulumi.output(undefined));

  // Every data bucket GuardDuty protects, as it is also every bucket the scan trigger watches.
  const dataBuckets = [
    { id: "pool", bucket: storage.shared },
    ...storage.dedicated.map((d) => ({ id: `t-${d.tenant}`, bucket: d.bucket })),
  ];
  const protection = guardDuty
    ? new GuardDutyProtection(name("malware"), {
        buckets: dataBuckets.map(({ id, bucket }) => ({ id, bucketName: bucket.bucketName, bucketArn: bucket.bucketArn, kmsKeyArn: bucket.kmsKeyArn })),
        // The dedicated buckets by their name pattern, as the app role names them: one size for any number.
        policyBucketArns: pulumi
          .all([storage.shared.bucketArn, storage.layout])
          .apply(([pool, l]) => [pool, ...(storage.dedicated.length > 0 ? [`arn:${l.partition}:s3:::${l.dedicatedBucket.prefix}*${l.dedicatedBucket.suffix}`] : [])]),
        tags,
      })
    : undefined;
  resolveMalwareScannerRoleArn(protection ? protection.roleArn : pulumi.output(undefined));

  // ClamAV runs in container images fed by a definitions bucket; the scanners' roles come later.
  const [scannerRoleArns, resolveScannerRoleArns] = pulumi.deferredOutput<string[]>();
  const clamav =
    full && scan?.scanner === "clamav"
      ? new ClamAvImage(name("clamav"), {
          lifecycle: config.lifecycle,
          scannerRoleArns,
          logRetentionDays: config.observability.logRetentionDays,
          forceDestroy: config.forceDestroy,
          tags,
        })
      : undefined;

  const api = full && scan
    ? new ControlPlane(name("api"), {
        storage: storage.storageTargets(),
        tenantRoutingJson: storage.functionRouting().apply((r) => JSON.stringify(r)),
        jwt: { issuer: identity.issuer, audience: [identity.client.id] },
        // Cookies are scoped to the host the app is told to use: the custom domain when there is one.
        cdn: cdn
          ? { domainName: config.cdn.customDomain?.domainName ?? cdn.domainName, keyPairId: cdn.publicKeyId, privateKeyPem: cdn.privateKeyPem }
          : undefined,
        scanning: { vocabulary: scan, scanMemoryMb: config.scanning.memoryMb, ...(clamav ? { images: clamav.images } : {}) },
        limits: config.limits,
        users: {
          tenantClaim: config.identity.tenantClaim,
          quotaBytes: config.userQuotaBytes,
          abortIncompleteUploadDays: config.lifecycle.abortIncompleteUploadDays,
        },
        corsOrigins: config.corsOrigins,
        logRetentionDays: config.observability.logRetentionDays,
        tags,
      })
    : undefined;
  resolveScannerRoleArns(api ? api.functionRoleArns : pulumi.output([]));
  if (api) {
    new ScanTrigger(name("scan"), {
      functionArn: api.scanFunctionArn,
      bucketNames: dataBuckets.map(({ bucket }) => bucket.bucketName),
      events: guardDuty ? "guardDutyThreats" : "objectCreated",
      tags,
    });
  }
  resolveKeyUserArns(
    pulumi.all([identity.authenticatedRole.arn, api ? api.functionRoleArns : []]).apply(([app, functions]) => [app, ...functions]),
  );

  const trail = config.observability.auditTrail
    ? new AuditTrail(name("audit"), {
        dataBucketArns: [storage.shared.bucketArn, ...storage.dedicated.map((d) => d.bucket.bucketArn)],
        accessPointArns: storage.accessPoints.map((a) => a.arn),
        lifecycle: config.lifecycle,
        forceDestroy: config.forceDestroy,
        tags,
      })
    : undefined;

  const stackRegion = new pulumi.Config("aws").get("region");
  const alarms = full
    ? new Alarms(name("alarms"), {
        alarmEmail: config.observability.alarmEmail,
        apiId: api?.apiId,
        distributionId: cdn?.distributionId,
        // CloudFront publishes its metrics in us-east-1 only.
        usEast1Provider: stackRegion && stackRegion !== "us-east-1" ? new aws.Provider(name("us-east-1"), { region: "us-east-1" }) : undefined,
        tags,
      })
    : undefined;

  const region = aws.getRegionOutput();
  const appConfig = pulumi
    .output({
      region: region.region,
      userPoolId: identity.userPool.id,
      userPoolClientId: identity.client.id,
      identityPoolId: identity.identityPool.id,
      authDomain: identity.authDomain,
      pooledBucket: storage.shared.bucketName,
      tenants: storage.routing(),
      cdnDomain: cdn ? cdn.domainName : undefined,
      apiUrl: api ? api.apiUrl : undefined,
    })
    .apply(
      (v): AppConfig => ({
        region: v.region,
        profile: config.profile,
        userPoolId: v.userPoolId,
        userPoolClientId: v.userPoolClientId,
        identityPoolId: v.identityPoolId,
        authDomain: v.authDomain,
        homeKey: config.identity.homeKey,
        tenantClaim: config.identity.tenantClaim,
        ...(v.apiUrl ? { apiUrl: v.apiUrl } : {}),
        ...(v.cdnDomain ? { cdnDomain: config.cdn.customDomain?.domainName ?? v.cdnDomain } : {}),
        storage: { pooledBucket: v.pooledBucket, tenants: v.tenants },
      }),
    );

  return {
    appConfig,
    ...(trail || alarms
      ? {
          observability: {
            ...(trail ? { trailArn: trail.trailArn, auditLogBucket: trail.logBucketName } : {}),
            ...(alarms ? { alarmTopicArn: alarms.topicArn } : {}),
          },
        }
      : {}),
    storage: { bucketName: storage.shared.bucketName, bucketArn: storage.shared.bucketArn, kmsKeyArn: storage.shared.kmsKeyArn },
  };
}

/** The whole program: config in, resources and outputs out. */
export function program(): ProgramOutputs {
  return buildProgram(readStackConfig());
}
