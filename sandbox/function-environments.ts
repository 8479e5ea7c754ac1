import { API_FUNCTIONS, ENV, type Env, FUNCTION_NAMES, type FunctionName, type FunctionRouting, type LogLevel } from "@mobile-s3/contract";
import { functionEnvironment } from "../infra/api/function-environment";
import { type StackConfig } from "../infra/config";

export interface SandboxFunctionSettings {
  config: StackConfig;
  routing: FunctionRouting;
  scanBuckets: string[];
  logLevel: LogLevel;
  s3Endpoint: string;
  /** The local DynamoDB and the object index table the sandbox created in it. */
  dynamodb: { endpoint: string; indexTable: string };
  /** The local issuer the handlers verify tokens against, its key set preloaded. */
  token: { issuer: string; audience: string; jwks: { keys: object[] } };
  /** A local signing key for CloudFront cookies, and the placeholder domain they are issued for. */
  cdn: { domainName: string; keyPairId: string; privateKeyPem: string };
  /** ClamAV's signature database, when the sandbox brings its own. */
  clamavDb?: string;
}

/** Never called: the sandbox gives the admin function a stand-in for the user pool. */
const SANDBOX_USER_POOL_ID = "local_sandbox";

/** Never used: CDN_PRIVATE_KEY_PEM wins over it; the builder requires a secret to name. */
const UNUSED_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:sandbox-uses-CDN_PRIVATE_KEY_PEM";

/**
 * Each function's environment, from the builder the program deploys them with
 * (`infra/api/function-environment.ts`) and the stack's config, whatever its profile, plus the
 * sandbox-only settings the deployed functions never get: the engine's and DynamoDB's endpoints,
 * the local issuer (API functions), the CDN key in the environment. The index table is the one the
 * sandbox created, by the program's name for it (sandbox/dynamodb.ts).
 */
export function sandboxFunctionEnvironments(s: SandboxFunctionSettings): Record<FunctionName, Env> {
  const out = {} as Record<FunctionName, Env>;
  for (const fn of FUNCTION_NAMES) {
    const deployed = functionEnvironment(fn, {
      logLevel: s.logLevel,
      tenantRoutingJson: JSON.stringify(s.routing),
      limits: s.config.limits,
      bucketNames: s.scanBuckets,
      scanner: s.config.scanning.scanner,
      cdn: { domainName: s.cdn.domainName, keyPairId: s.cdn.keyPairId, privateKeySecretArn: UNUSED_SECRET_ARN },
      users: {
        tenantClaim: s.config.identity.tenantClaim,
        quotaBytes: s.config.userQuotaBytes,
        abortIncompleteUploadDays: s.config.lifecycle.abortIncompleteUploadDays,
      },
      indexTableName: s.dynamodb.indexTable,
      // No user pool here: the admin function's sessions port stands in for Cognito (sandbox/handlers.ts).
      userPoolId: SANDBOX_USER_POOL_ID,
    });
    out[fn] = {
      ...deployed,
      [ENV.s3Endpoint]: s.s3Endpoint,
      // Whoever the program gives the index table reaches it at the local DynamoDB.
      ...(deployed[ENV.indexTable] === undefined ? {} : { [ENV.dynamodbEndpoint]: s.dynamodb.endpoint }),
      ...((API_FUNCTIONS as readonly string[]).includes(fn)
        ? { [ENV.jwtIssuer]: s.token.issuer, [ENV.jwtAudience]: s.token.audience, [ENV.jwtJwks]: JSON.stringify(s.token.jwks) }
        : {}),
      ...(fn === "cdn-session" ? { [ENV.cdnPrivateKeyPem]: s.cdn.privateKeyPem } : {}),
      ...((fn === "scan" || fn === "proxy") && s.clamavDb !== undefined ? { [ENV.clamavDb]: s.clamavDb } : {}),
    };
  }
  return out;
}
