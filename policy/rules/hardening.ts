import { type Policies } from "@pulumi/policy";
import { awsCognitoIdentitypoolDisallowUnauthenticatedAccess, awsCognitoUserpoolclientDisallowTenantWrite } from "./hardening-cognito";
import { awsS3CorsEnforceEtagAndOrigins } from "./hardening-cors";
import { awsKmsKeyEnableRotation } from "./hardening-kms";
import { awsLambdaFunctionDisallowEnvCredentials, awsLambdaFunctionEnforcePresignTtlCap } from "./hardening-lambda";
import { awsS3BucketEnableSseKms, awsS3BucketEnableVersioning, awsS3BucketEnforceAbortIncompleteUploads } from "./hardening-s3-buckets";
import { awsS3BucketMissingAccessLogging } from "./hardening-s3-logging";

/**
 * Beyond the card (advisory by default): encryption, rotation, versioning, lifecycle, access
 * logging, CORS, identity and functions. Each is raised to mandatory, or given settings, in the policy config.
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
