import { scanVocabulary } from "@mobile-s3/contract";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ControlPlane } from "../api/control-plane";
import { ReadDistribution } from "../cdn/read-distribution";
import { type StackConfig } from "../config";
import { IndexTrigger } from "../object-index/index-trigger";
import { ObjectIndexTable } from "../object-index/index-table";
import { Alarms } from "../observability/alarms";
import { ClamAvImage } from "../scanning/clamav-image";
import { GuardDutyProtection } from "../scanning/guardduty-protection";
import { ScanTrigger } from "../scanning/scan-trigger";
import { type ProgramOutputs, stackAuditTrail, stackIdentity, stackNaming, stackOutputs, stackStorage } from "./stack";

/**
 * Reference architecture B, "control everything": the minimal profile's identity and storage, plus
 * the API and presigned URLs, CloudFront signed reads, malware scanning (GuardDuty or ClamAV) with
 * reads gated on a clean verdict (Scan before read), the object index the API answers from, and
 * alarms (Observability).
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
    // The indexer listens to every object event, ClamAV to "Object Created". GuardDuty would turn
    // the notification on itself (its role may); it sets the same one setting, so the one
    // notification per bucket declared here agrees with it.
    eventBridge: true,
  });
  const cdn = new ReadDistribution(name("cdn"), {
    originDomainName: storage.pooled.bucket.bucketRegionalDomainName,
    tenantOrigins: storage.dedicated.map((d) => ({ tenant: d.tenant, originDomainName: d.bucket.bucket.bucketRegionalDomainName })),
    corsOrigins: config.corsOrigins,
    customDomain: config.cdn.customDomain,
    signingKeys: config.cdn.signingKeys,
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

  // The table's key names the roles that use it, which exist only once the control plane does.
  const [indexKeyUserArns, resolveIndexKeyUserArns] = pulumi.deferredOutput<string[]>();
  const objectIndex = new ObjectIndexTable(name("index"), { keyUserArns: indexKeyUserArns, forceDestroy: config.forceDestroy, tags });

  const api = new ControlPlane(name("api"), {
    storage: storage.storageTargets(),
    objectIndex: { tableName: objectIndex.tableName, tableArn: objectIndex.tableArn },
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
      sessionsRevokedBefore: config.identity.revokeSessionsIssuedBefore,
    },
    corsOrigins: config.corsOrigins,
    logRetentionDays: config.observability.logRetentionDays,
    tags,
  });
  resolveScannerRoleArns(api.functionRoleArns);
  resolveIndexKeyUserArns(api.indexKeyUserArns);
  new ScanTrigger(name("scan"), {
    functionArn: api.scanFunctionArn,
    bucketNames: dataBuckets.map(({ bucket }) => bucket.bucketName),
    events: guardDuty ? "guardDutyThreats" : "objectCreated",
    tags,
  });
  new IndexTrigger(name("indexer"), {
    functionArn: api.indexerFunctionArn,
    bucketNames: dataBuckets.map(({ bucket }) => bucket.bucketName),
    reconcileSchedule: config.objectIndex.reconcileSchedule,
    failureQueue: { arn: api.indexerFailureQueue.arn, url: api.indexerFailureQueue.url },
    tags,
  });
  // The indexer reads metadata only, and so is no user of the buckets' keys.
  resolveKeyUserArns(pulumi.all([identity.authenticatedRole.arn, api.bucketKeyUserArns]).apply(([app, functions]) => [app, ...functions]));

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

  return stackOutputs(config, {
    identity,
    storage,
    trail,
    cdnDomain: cdn.domainName,
    apiUrl: api.apiUrl,
    alarmTopicArn: alarms.topicArn,
    // `npm run admin -- reindex` invokes the indexer by this ARN.
    objectIndex: { tableName: objectIndex.tableName, tableArn: objectIndex.tableArn, indexerFunction: api.indexerFunctionArn },
  });
}
