import { type FunctionName, type FunctionRouting, GUARDDUTY_VOCABULARY } from "@mobile-s3/contract";
import { loadCdnSessionConfig } from "../../../functions/cdn-session/config";
import { loadIndexerConfig } from "../../../functions/indexer/config";
import { loadObjectsConfig } from "../../../functions/objects/config";
import { loadProxyConfig } from "../../../functions/proxy/config";
import { loadAdminConfig } from "../../../functions/admin/config";
import { loadScanConfig } from "../../../functions/scan/config";
import { loadUploadsConfig } from "../../../functions/uploads/config";
import { type ControlPlaneArgs } from "../../../infra/api/control-plane";
import { type FunctionEnvironmentInput } from "../../../infra/api/function-environment";
import { type ControlPlaneLimits } from "../../../infra/api/limits";

export const VALID_LIMITS: ControlPlaneLimits = {
  presignTtlSeconds: 300,
  maxObjectBytes: 5 * 1024 ** 3,
  singlePutMaxBytes: 16 * 1024 ** 2,
  proxyMaxBytes: 1024 ** 2,
  allowedContentTypes: ["image/jpeg", "image/png", "video/mp4"],
  partUrlBatchMax: 20,
  cdnSessionTtlSeconds: 3600,
};

export const POOLED_BUCKET = "mobile-s3-dev-storage-abc1234";
export const SILO_BUCKET = "mobile-s3-dev-acme-7654321";
export const ACCESS_POINT_ARN_PREFIX = "arn:aws:s3:us-east-1:123456789012:accesspoint/";
export const ACCESS_POINT_ARN = `${ACCESS_POINT_ARN_PREFIX}globex`;
export const ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI";
export const AUDIENCE = ["3n4b5urk1ft4fl3mg5e62d9ado"];
export const INDEX_TABLE_NAME = "mobile-s3-dev-index-0a1b2c3";
export const INDEX_TABLE_ARN = `arn:aws:dynamodb:us-east-1:123456789012:table/${INDEX_TABLE_NAME}`;
export const PRIVATE_KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";

/** The functions' routing table as the program builds it (`TenantStorage.functionRouting()`): one tenant per tier. */
export const TENANT_ROUTING: FunctionRouting = {
  pooledBucket: POOLED_BUCKET,
  accessPointArnPrefix: ACCESS_POINT_ARN_PREFIX,
  accessPointTenants: ["globex"],
  dedicatedBuckets: { acme: SILO_BUCKET },
};

/** What the control plane hands `functionEnvironment`, with the users' settings left at their defaults. */
export const ENVIRONMENT_INPUT: FunctionEnvironmentInput = {
  logLevel: "INFO",
  tenantRoutingJson: JSON.stringify(TENANT_ROUTING),
  limits: VALID_LIMITS,
  bucketNames: [POOLED_BUCKET, SILO_BUCKET],
  scanner: "guardduty",
  indexTableName: INDEX_TABLE_NAME,
  userPoolId: "us-east-1_AbCdEfGhI",
  cdn: {
    domainName: "d111111abcdef8.cloudfront.net",
    keyPairId: "K2JCJMDEHXQW5F",
    privateKeySecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:mobile-s3-dev-api-cdn-key-AbCdEf",
  },
};

/** Arguments as the program will pass them, with a CDN; tests change one thing at a time. */
export function controlPlaneArgs(): ControlPlaneArgs {
  return {
    storage: [
      { bucketArn: `arn:aws:s3:::${POOLED_BUCKET}`, bucketName: POOLED_BUCKET, accessPointArn: ACCESS_POINT_ARN },
      { bucketArn: `arn:aws:s3:::${SILO_BUCKET}`, bucketName: SILO_BUCKET },
    ],
    tenantRoutingJson: JSON.stringify(TENANT_ROUTING),
    objectIndex: { tableName: INDEX_TABLE_NAME, tableArn: INDEX_TABLE_ARN },
    jwt: { issuer: ISSUER, audience: AUDIENCE },
    cdn: { domainName: "d111111abcdef8.cloudfront.net", keyPairId: "K2JCJMDEHXQW5F", privateKeyPem: PRIVATE_KEY_PEM },
    limits: VALID_LIMITS,
    scanning: { vocabulary: GUARDDUTY_VOCABULARY },
    corsOrigins: ["https://app.example.com"],
    logRetentionDays: 30,
    tags: { app: "mobile-s3", env: "dev", owner: "platform-team", "managed-by": "pulumi" },
  };
}

/** Each function's own config loader: the program writes the variables, these read them at cold start. */
export const LOADERS: Record<FunctionName, (env: Record<string, string>) => unknown> = {
  uploads: loadUploadsConfig,
  objects: loadObjectsConfig,
  "cdn-session": loadCdnSessionConfig,
  proxy: loadProxyConfig,
  admin: loadAdminConfig,
  scan: loadScanConfig,
  indexer: loadIndexerConfig,
};
