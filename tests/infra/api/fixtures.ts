import { type ControlPlaneArgs } from "../../../infra/api/control-plane";
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
export const ACCESS_POINT_ARN = "arn:aws:s3:us-east-1:123456789012:accesspoint/globex";
export const ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI";
export const AUDIENCE = ["3n4b5urk1ft4fl3mg5e62d9ado"];
export const PRIVATE_KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";

/** Arguments as the program will pass them, with a CDN; tests change one thing at a time. */
export function controlPlaneArgs(): ControlPlaneArgs {
  return {
    storage: [
      { bucketArn: `arn:aws:s3:::${POOLED_BUCKET}`, bucketName: POOLED_BUCKET, accessPointArn: ACCESS_POINT_ARN },
      { bucketArn: `arn:aws:s3:::${SILO_BUCKET}`, bucketName: SILO_BUCKET },
    ],
    tenantRoutingJson: JSON.stringify({ default: "pooled", tenants: { acme: "bucket", globex: "accessPoint" } }),
    jwt: { issuer: ISSUER, audience: AUDIENCE },
    cdn: { domainName: "d111111abcdef8.cloudfront.net", keyPairId: "K2JCJMDEHXQW5F", privateKeyPem: PRIVATE_KEY_PEM },
    limits: VALID_LIMITS,
    corsOrigins: ["https://app.example.com"],
    logRetentionDays: 30,
    tags: { app: "mobile-s3", env: "dev", owner: "platform-team", "managed-by": "pulumi" },
  };
}
