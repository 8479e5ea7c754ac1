import { type Policies } from "@pulumi/policy";
import { awsS3BucketMissingAccessLogging } from "./access-logging";
import { awsS3BucketEnforceAbortIncompleteUploads } from "./abort-incomplete-uploads";
import { awsS3BucketEnableSseKms } from "./bucket-encryption";
import { awsS3BucketEnableVersioning } from "./bucket-versioning";
import { awsCognitoIdentitypoolDisallowUnauthenticatedAccess, awsCognitoUserpoolclientDisallowTenantWrite } from "./cognito";
import { awsS3CorsEnforceEtagAndOrigins } from "./cors";
import { awsKmsKeyEnableRotation } from "./kms-rotation";
import { awsLambdaFunctionDisallowEnvCredentials, awsLambdaFunctionEnforcePresignTtlCap } from "./lambda";

export {
  awsCognitoIdentitypoolDisallowUnauthenticatedAccess,
  awsCognitoUserpoolclientDisallowTenantWrite,
  awsKmsKeyEnableRotation,
  awsLambdaFunctionDisallowEnvCredentials,
  awsLambdaFunctionEnforcePresignTtlCap,
  awsS3BucketEnableSseKms,
  awsS3BucketEnableVersioning,
  awsS3BucketEnforceAbortIncompleteUploads,
  awsS3BucketMissingAccessLogging,
  awsS3CorsEnforceEtagAndOrigins,
};

/**
 * Hardening (advisory by default): Customer-managed encryption (6) and key rotation, versioning and
 * Lifecycle hygiene (8), Observability (10) through access logging, CORS, Cognito identities and
 * Lambda environments (No long-lived credentials (1)), presigned-URL lifetimes (Short lifetimes (5)).
 * Each is raised to mandatory, or given settings, in the policy config.
 */
export const hardeningPolicies: Policies = [
  awsS3BucketEnableSseKms,
  awsKmsKeyEnableRotation,
  awsS3BucketEnableVersioning,
  awsS3BucketEnforceAbortIncompleteUploads,
  awsS3BucketMissingAccessLogging,
  awsS3CorsEnforceEtagAndOrigins,
  awsCognitoIdentitypoolDisallowUnauthenticatedAccess,
  awsCognitoUserpoolclientDisallowTenantWrite,
  awsLambdaFunctionDisallowEnvCredentials,
  awsLambdaFunctionEnforcePresignTtlCap,
];
