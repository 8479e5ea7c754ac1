import { scanVocabulary } from "@mobile-s3/contract";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ControlPlane } from "../api/control-plane";
import { ReadDistribution } from "../cdn/read-distribution";
import { type StackConfig } from "../config";
import { Alarms } from "../observability/alarms";
import { ClamAvImage } from "../scanning/clamav-image";
import { GuardDutyProtection } from "../scanning/guardduty-protection";
import { ScanTrigger } from "../scanning/scan-trigger";
import { type ProgramOutputs, stackAuditTrail, stackIdentity, stackNaming, stackOutputs, stackStorage } from "./stack";

/**
 * Reference architecture B, "control everything": the minimal profile's identity and storage, plus
 * the API and presigned URLs, CloudFront signed reads, malware scanning (GuardDuty or ClamAV) with
 * reads gated on a clean verdict (Scan before read), and alarms (Observability).
 */
export function fullProfile(config: StackConfig): ProgramOutputs {
  const { name, tags } = stackNaming(config);
  const identity = stackIdentity(config);
  const scan = scanVocabulary(config.scanning.scanner);
  const guardDuty = scan.scanner === "guardduty";

  // The keys' users are known only once every role exists, and the distribution only once the
  // buckets it reads exist; storage needs both first. Deferred outputs break the cycles.
  const [keyUserArns, resolveKeyUserArns] = pulumi.deferredOutput<string[]>();
  const [cdnDistributionArn, resolveCdnDistributionArn] = pulumi.deferredOutput<string | undefined>();
  const [malwareScannerRoleArn, resolveMalwareScannerRoleArn] = pulumi.deferredOutput<string | undefined>();
  const storage = stackStorage(config, identity, {
    readGate: scan,
    malwareScannerRoleArn,
    keyUserArns,
    cdnDistributionArn,
    // ClamAV listens to "Object Created"; GuardDuty turns on the notification itself (its role may).
    eventBridge: !guardDuty,
  });
  const cdn = new ReadDistribution(name("cdn"), {
    originDomainName: storage.pooled.bucket.bucketRegionalDomainName,
    tenantOrigins: storage.dedicated.map((d) => ({ tenant: d.tenant, originDomainName: d.bucket.bucket.bucketRegionalDomainName })),
    corsOrigins: config.corsOrigins,
    customDomain: config.cdn.customDomain,
    logRetentionDays: config.observability.logRetentionDays,
    tags,
  });
  resolveCdnDistributionArn(cdn.distributionArn);

  // Every data bucket GuardDuty protects, as it is also every bucket the scan trigger watches.
  const dataBuckets = [{ id: "pool", bucket: storage.pooled }, ...storage.dedicated.map((d) => ({ id: `t-${d.tenant}`, bucket: d.bucket }))];
  const protection = guardDuty
    ? new GuardDutyProtection(name("malware"), {
        buckets: dataBuckets.map(({ id, bucket }) => ({ id, bucketName: bucket.bucketName, bucketArn: bucket.bucketArn, kmsKeyArn: bucket.kmsKeyArn })),
        // The dedicated buckets by their name pattern, as the app role names them: one size for any number.
        policyBucketArns: pulumi
          .all([storage.pooled.bucketArn, storage.layout])
          .apply(([pool, l]) => [pool, ...(storage.dedicated.length > 0 ? [`arn:${l.partition}:s3:::${l.dedicatedBucket.prefix}*${l.dedicatedBucket.suffix}`] : [])]),
        tags,
      })
    : undefined;
  resolveMalwareScannerRoleArn(protection ? protection.roleArn : pulumi.output(undefined));

  // ClamAV runs in container images fed by a definitions bucket; the scanners' roles come later.
  const [scannerRoleArns, resolveScannerRoleArns] = pulumi.deferredOutput<string[]>();
  const clamav = guardDuty
    ? undefined
    : new ClamAvImage(name("clamav"), {
        lifecycle: config.lifecycle,
        scannerRoleArns,
        logRetentionDays: config.observability.logRetentionDays,
        forceDestroy: config.forceDestroy,
        tags,
      });

  const api = new ControlPlane(name("api"), {
    storage: storage.storageTargets(),
    tenantRoutingJson: storage.functionRouting().apply((r) => JSON.stringify(r)),
    jwt: { issuer: identity.issuer, audience: [identity.client.id] },
    // Cookies are scoped to the host the app is told to use: the custom domain when there is one.
    cdn: { domainName: config.cdn.customDomain?.domainName ?? cdn.domainName, keyPairId: cdn.publicKeyId, privateKeyPem: cdn.privateKeyPem },
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
  });
  resolveScannerRoleArns(api.functionRoleArns);
  new ScanTrigger(name("scan"), {
    functionArn: api.scanFunctionArn,
    bucketNames: dataBuckets.map(({ bucket }) => bucket.bucketName),
    events: guardDuty ? "guardDutyThreats" : "objectCreated",
    tags,
  });
  resolveKeyUserArns(pulumi.all([identity.authenticatedRole.arn, api.functionRoleArns]).apply(([app, functions]) => [app, ...functions]));

  const trail = stackAuditTrail(config, storage);

  const stackRegion = new pulumi.Config("aws").get("region");
  const alarms = new Alarms(name("alarms"), {
    alarmEmail: config.observability.alarmEmail,
    apiId: api.apiId,
    distributionId: cdn.distributionId,
    // CloudFront publishes its metrics in us-east-1 only.
    usEast1Provider: stackRegion && stackRegion !== "us-east-1" ? new aws.Provider(name("us-east-1"), { region: "us-east-1" }) : undefined,
    tags,
  });

  return stackOutputs(config, { identity, storage, trail, cdnDomain: cdn.domainName, apiUrl: api.apiUrl, alarmTopicArn: alarms.topicArn });
}
