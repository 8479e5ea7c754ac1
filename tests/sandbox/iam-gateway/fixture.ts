import { CLAMAV_VOCABULARY, FUNCTION_NAMES, type FunctionName } from "@mobile-s3/contract";
import { randomBytes } from "node:crypto";
import { CreateBucketCommand, DeleteObjectsCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { fromCognitoIdentityPool } from "@aws-sdk/credential-providers";
import { functionPolicy } from "../../../infra/api/function-policies";
import { bucketPolicy } from "../../../infra/storage/bucket-policy";
import { accessPointArn, accessPointPolicy, appUserPolicy, pooledBucketTenancyStatements, type StorageLayout } from "../../../infra/tenancy/access-policies";
import { startIamGateway, type IamGateway, type IamGatewayOptions } from "../../../sandbox/iam-gateway/gateway";
import { identityPoolStandIn, type IdentityPoolStandIn } from "../../../sandbox/iam-gateway/identity-pool";
import { PrincipalRegistry, type RoleCredentials } from "../../../sandbox/iam-gateway/principals";
import { LocalIssuer } from "../../../sandbox/issuer";
import { emptyAndDeleteBucket, engineClient, type S3Engine, useS3Engine } from "../../harness/s3-engine";

export const ACCOUNT = "123456789012";
export const APP_ROLE = "iamgw-app-user";
export const FUNCTIONS: readonly FunctionName[] = FUNCTION_NAMES;
export type Tier = "pooled" | "accessPoint" | "bucket";
export const TENANTS: { id: string; tier: Tier }[] = [
  { id: "acme", tier: "pooled" },
  { id: "globex", tier: "accessPoint" },
  { id: "initech", tier: "bucket" },
];
export const USERS = ["u1", "u2"];
export const subOf = (tenant: string, user: string) => `sub-${tenant}-${user}`;
export const homeOf = (tenant: string, user: string) => `tenants/${tenant}/home/${subOf(tenant, user)}/`;

/**
 * One engine bucket set and one gateway in front of it, with the program's own policy builders:
 * a pooled bucket (acme; globex through its access point, served from the pool), a dedicated
 * bucket (initech), the app role (identity pool stand-in, userSub homes, ClamAV read gate) and
 * one role per function.
 */
export interface GatewayWorld {
  engine: S3Engine;
  admin: S3Client;
  layout: StorageLayout;
  pooled: string;
  dedicated: string;
  accessPoint: { alias: string; arn: string };
  policies: { app: unknown; pooled: unknown; dedicated: unknown; accessPoint: unknown; functions: Record<FunctionName, unknown> };
  gateway: IamGateway;
  registry: PrincipalRegistry;
  issuer: LocalIssuer;
  pool: IdentityPoolStandIn;
  identityPoolId: string;
  userPoolId: string;
  providerName: string;
  roles: Record<FunctionName, RoleCredentials>;
  /** An S3 client through the gateway with these credentials. */
  client(credentials: S3ClientConfig["credentials"]): S3Client;
  /** Identity-pool credentials of a user (the SDK's own flow against the stand-in). */
  userCredentials(tenant: string, user: string): ReturnType<typeof fromCognitoIdentityPool>;
  storageOf(tenant: string): { bucket: string; arn: string; kind: "bucket" | "accessPoint" };
  close(): Promise<void>;
}

export interface WorldOptions {
  /** The gateway's S3 events (`IamGatewayOptions.onS3Event`). */
  onS3Event?: IamGatewayOptions["onS3Event"];
  /** The buckets that send events, of the world's two. @default both */
  eventBuckets?: (buckets: { pooled: string; dedicated: string }) => string[];
  /** Versioning on, as on every bucket the program creates. @default false */
  versioned?: boolean;
  /** Where the gateway reaches the engine: a proxy in front of it that records what the gateway sends. @default the engine's endpoint */
  engineEndpoint?: string;
}

/** Deletes every version and delete marker: a versioned bucket is empty only without them. */
async function deleteAllVersions(admin: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const listed = await admin.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const all = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
    if (all.length === 0) {
      return;
    }
    await admin.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: all } }));
  }
}

export async function startWorld(options: WorldOptions = {}): Promise<GatewayWorld> {
  const engine = await useS3Engine();
  const admin = engineClient(engine);
  const tag = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;
  const layout: StorageLayout = {
    partition: "aws",
    region: engine.region,
    accountId: ACCOUNT,
    pooledBucket: `iamgw-pool-${tag}`,
    accessPointPrefix: `iamgw${tag}-`,
    dedicatedBucket: { prefix: "iamgw-t-", suffix: `-${tag}` },
    homeKey: "userSub",
    readGate: CLAMAV_VOCABULARY,
  };
  const pooled = layout.pooledBucket;
  const dedicated = `${layout.dedicatedBucket.prefix}initech${layout.dedicatedBucket.suffix}`;
  const apName = `${layout.accessPointPrefix}globex`;
  const accessPoint = { alias: apName, arn: accessPointArn(layout, apName) };
  const appRoleArn = `arn:aws:iam::${ACCOUNT}:role/${APP_ROLE}`;
  const kmsKeyArn = `arn:aws:kms:${engine.region}:${ACCOUNT}:key/11111111-2222-4333-8444-555555555555`;
  const policies = {
    app: appUserPolicy(layout),
    pooled: bucketPolicy({
      bucketArn: `arn:aws:s3:::${pooled}`,
      kmsKeyArn,
      grants: pooledBucketTenancyStatements({ layout, appRoleArn, accessPointTenants: ["globex"], bucketTenants: ["initech"] }),
    }),
    dedicated: bucketPolicy({ bucketArn: `arn:aws:s3:::${dedicated}`, kmsKeyArn }),
    accessPoint: accessPointPolicy({ layout, tenant: "globex", appRoleArn }),
    functions: Object.fromEntries(
      FUNCTIONS.map((fn) => [
        fn,
        functionPolicy(fn, {
          bucketArns: [`arn:aws:s3:::${pooled}`, `arn:aws:s3:::${dedicated}`],
          accessPointArns: [accessPointArn(layout, `${layout.accessPointPrefix}*`)],
          logGroupArn: `arn:aws:logs:${engine.region}:${ACCOUNT}:log-group:/aws/lambda/iamgw-${fn}`,
          scan: CLAMAV_VOCABULARY,
          cdnPrivateKeySecretArn: `arn:aws:secretsmanager:${engine.region}:${ACCOUNT}:secret:iamgw-cdn-key`,
        }),
      ]),
    ) as Record<FunctionName, unknown>,
  };
  for (const bucket of [pooled, dedicated]) {
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    if (options.versioned) {
      await admin.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    }
  }
  const registry = new PrincipalRegistry(ACCOUNT);
  const roles = Object.fromEntries(FUNCTIONS.map((fn) => [fn, registry.registerRole(`iamgw-${fn}`, policies.functions[fn])])) as Record<FunctionName, RoleCredentials>;
  const issuer = new LocalIssuer("https://issuer.iamgw.invalid", "iamgw-client", "custom:tenant");
  const identityPoolId = `${engine.region}:11111111-2222-4333-8444-555555555555`;
  const userPoolId = `${engine.region}_IamGw1`;
  const providerName = `cognito-idp.${engine.region}.amazonaws.com/${userPoolId}`;
  const pool = identityPoolStandIn({
    identityPoolId,
    region: engine.region,
    accountId: ACCOUNT,
    providerName,
    verifier: issuer.verifier(),
    tenantClaim: "custom:tenant",
    homeKey: "userSub",
    roleName: APP_ROLE,
    rolePolicy: policies.app,
    registry,
  });
  const gateway = await startIamGateway({
    engine: { endpoint: options.engineEndpoint ?? engine.endpoint, region: engine.region, ...engine.users[0] },
    buckets: [
      { name: pooled, policy: JSON.stringify(policies.pooled) },
      { name: dedicated, policy: policies.dedicated },
    ],
    accessPoints: [{ alias: accessPoint.alias, arn: accessPoint.arn, bucket: pooled, policy: policies.accessPoint }],
    principals: registry,
    identityPool: pool,
    accountId: ACCOUNT,
    ...(options.onS3Event ? { onS3Event: options.onS3Event } : {}),
    ...(options.eventBuckets ? { eventBuckets: options.eventBuckets({ pooled, dedicated }) } : {}),
  });
  const clients: S3Client[] = [];
  const client = (credentials: S3ClientConfig["credentials"]) => {
    const c = new S3Client({
      endpoint: gateway.endpoint,
      region: engine.region,
      forcePathStyle: true,
      credentials,
      maxAttempts: 1,
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    clients.push(c);
    return c;
  };
  const storageOf = (tenant: string) => {
    const t = TENANTS.find((x) => x.id === tenant)!;
    if (t.tier === "accessPoint") {
      return { bucket: accessPoint.alias, arn: accessPoint.arn, kind: "accessPoint" as const };
    }
    const bucket = t.tier === "bucket" ? dedicated : pooled;
    return { bucket, arn: `arn:aws:s3:::${bucket}`, kind: "bucket" as const };
  };
  return {
    engine,
    admin,
    layout,
    pooled,
    dedicated,
    accessPoint,
    policies,
    gateway,
    registry,
    issuer,
    pool,
    identityPoolId,
    userPoolId,
    providerName,
    roles,
    client,
    storageOf,
    userCredentials: (tenant, user) =>
      fromCognitoIdentityPool({
        identityPoolId,
        logins: { [providerName]: issuer.token({ sub: subOf(tenant, user), tenant }) },
        clientConfig: { region: engine.region, endpoint: gateway.endpoint },
      }),
    async close() {
      clients.forEach((c) => c.destroy());
      await gateway.close();
      for (const bucket of [pooled, dedicated]) {
        if (options.versioned) {
          await deleteAllVersions(admin, bucket);
        }
        await emptyAndDeleteBucket(admin, bucket);
      }
      admin.destroy();
    },
  };
}

/** The HTTP status of an SDK call: 200 on success, the error's status otherwise. */
export async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === undefined) {
      throw err;
    }
    return status;
  }
}
