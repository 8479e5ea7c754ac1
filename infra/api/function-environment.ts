import { DEFAULT_ADMIN_GROUP, DEFAULT_TENANT_CLAIM, ENV, type FunctionName, type LogLevel, type ScannerName } from "@mobile-s3/contract";
import { type ControlPlaneLimits } from "./limits";

/** Lambda refuses a function whose environment variables total more than 4 KB. */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;

export interface FunctionEnvironmentInput {
  logLevel: LogLevel;
  /** How tenants map to buckets and access points, as JSON (the program's tenancy config). */
  tenantRoutingJson: string;
  limits: ControlPlaneLimits;
  /** Buckets whose events the scanner accepts. */
  bucketNames: string[];
  /** Present when the stack has a CDN; the private key itself is only ever in Secrets Manager. */
  cdn?: { domainName: string; keyPairId: string; privateKeySecretArn: string };
  /** Users' own settings the API enforces beyond the limits. */
  users?: UserSettings;
  /** Whose verdict tags gate reads (objects), whether the proxy scans inline, what the scan function does. */
  scanner: ScannerName;
  /**
   * The object index's DynamoDB table (`INDEX_TABLE` of the functions that read or write it:
   * uploads, objects, proxy and indexer). Without it they are deployed without the variable, and
   * refuse to start.
   */
  indexTableName?: string;
  /** The user pool the admin function signs users out of (`USER_POOL_ID`); required for `admin`. */
  userPoolId?: string;
}

/** What the API enforces per user beyond the limits; each is a variable only when it is not the functions' default. */
export interface UserSettings {
  /**
   * The verified claim carrying the caller's tenant (`TENANT_CLAIM` of every API function).
   * @default "custom:tenant"
   */
  tenantClaim?: string;
  /**
   * Bytes a user may store in their home (`USER_QUOTA_BYTES` of the functions that reserve against
   * it, uploads, objects (copies) and proxy, and of the indexer, which flags a home the direct path
   * took past it); 0 means no quota.
   * @default 0
   */
  quotaBytes?: number;
  /**
   * Days the bucket's lifecycle lets an unfinished multipart upload live (`ABORT_INCOMPLETE_UPLOAD_DAYS`
   * of uploads, which tells clients when an upload expires).
   * @default the function's own, 1 (the shortest rule the program allows)
   */
  abortIncompleteUploadDays?: number;
  /**
   * ID tokens issued before this ISO 8601 UTC instant are refused (`SESSIONS_REVOKED_BEFORE` of
   * every API function; README "Revocation plan").
   * @default none
   */
  sessionsRevokedBefore?: string;
  /**
   * The `cognito:groups` entry of tenant administrators (`ADMIN_GROUP` of the admin function).
   * @default "admins"
   */
  adminGroup?: string;
}

/** The argument a user changes to shrink each variable, for the size error. */
const SOURCE_ARG: Record<string, string> = {
  [ENV.tenantRouting]: "tenantRoutingJson",
  [ENV.allowedContentTypes]: "limits.allowedContentTypes",
  [ENV.scanBuckets]: "storage",
};

/**
 * The environment of one function: exactly the variables its loader reads (`load<Name>Config` in
 * `functions/<name>/core.ts` or `config.ts`, through the same `ENV` names), plus `LOG_LEVEL`. Optional
 * variables are set only when they differ from the function's default; the sandbox-only ones
 * (`S3_ENDPOINT`, `JWT_*`, `CDN_PRIVATE_KEY_PEM`) never are, nor ClamAV's `CLAMSCAN_PATH` and
 * `CLAMAV_DB` (proxy and scan run `clamscan` from PATH with its own database).
 */
export function functionEnvironment(fn: FunctionName, input: FunctionEnvironmentInput): Record<string, string> {
  const { limits } = input;
  const users = input.users ?? {};
  // Every API function derives the caller's home from this claim, and refuses revoked tokens.
  const claim: Record<string, string> = {
    ...(users.tenantClaim !== undefined && users.tenantClaim !== DEFAULT_TENANT_CLAIM ? { [ENV.tenantClaim]: users.tenantClaim } : {}),
    ...(users.sessionsRevokedBefore === undefined ? {} : { [ENV.sessionsRevokedBefore]: users.sessionsRevokedBefore }),
    // Users' revocation items live in the object index: every API function reads its caller's.
    ...(input.indexTableName === undefined ? {} : { [ENV.revocationTable]: input.indexTableName }),
  };
  const routing = { ...claim, [ENV.tenantRouting]: input.tenantRoutingJson };
  const contentTypes = { [ENV.allowedContentTypes]: JSON.stringify(limits.allowedContentTypes) };
  // The object index and the quota its usage item is held to.
  const index: Record<string, string> = {
    ...(input.indexTableName === undefined ? {} : { [ENV.indexTable]: input.indexTableName }),
    ...optional(ENV.userQuotaBytes, users.quotaBytes),
  };
  let variables: Record<string, string>;
  switch (fn) {
    case "uploads":
      variables = {
        ...routing,
        ...contentTypes,
        ...index,
        [ENV.presignTtlSeconds]: String(limits.presignTtlSeconds),
        [ENV.maxObjectBytes]: String(limits.maxObjectBytes),
        [ENV.singlePutMaxBytes]: String(limits.singlePutMaxBytes),
        [ENV.partUrlBatchMax]: String(limits.partUrlBatchMax),
        // No SERVER_SIDE_ENCRYPTION: uploads name no encryption, so the bucket's default (SSE-KMS
        // with its own key) applies; `aws:kms` alone would pick aws/s3, which the bucket refuses.
        ...optional(ENV.abortIncompleteUploadDays, users.abortIncompleteUploadDays),
      };
      break;
    case "objects":
      variables = { ...routing, ...index, [ENV.presignTtlSeconds]: String(limits.presignTtlSeconds), [ENV.scanner]: input.scanner };
      break;
    case "cdn-session":
      if (input.cdn === undefined) {
        throw new Error("[cdn] is required for the cdn-session function");
      }
      // The cookie's path is the caller's home whatever the tier: no routing.
      variables = {
        ...claim,
        [ENV.cdnDomainName]: input.cdn.domainName,
        [ENV.cdnKeyPairId]: input.cdn.keyPairId,
        [ENV.cdnPrivateKeySecretArn]: input.cdn.privateKeySecretArn,
        [ENV.cdnSessionTtlSeconds]: String(limits.cdnSessionTtlSeconds),
      };
      break;
    case "proxy":
      variables = { ...routing, ...contentTypes, ...index, [ENV.proxyMaxBytes]: String(limits.proxyMaxBytes), [ENV.scanner]: input.scanner };
      break;
    case "admin":
      if (input.indexTableName === undefined || input.userPoolId === undefined) {
        throw new Error(`[${input.indexTableName === undefined ? "indexTableName" : "userPoolId"}] is required for the admin function`);
      }
      variables = {
        ...claim,
        [ENV.userPoolId]: input.userPoolId,
        ...(users.adminGroup !== undefined && users.adminGroup !== DEFAULT_ADMIN_GROUP ? { [ENV.adminGroup]: users.adminGroup } : {}),
      };
      break;
    case "scan":
      variables = { [ENV.scanBuckets]: JSON.stringify(input.bucketNames), [ENV.scanner]: input.scanner };
      break;
    case "indexer":
      // No caller, so no tenant claim: the routing tells it which bucket each tenant's events come from.
      variables = { [ENV.tenantRouting]: input.tenantRoutingJson, ...index, [ENV.scanner]: input.scanner };
      break;
  }
  variables[ENV.logLevel] = input.logLevel;
  assertFitsLambda(fn, variables);
  return variables;
}

/** A variable only when it has a value (0 means unset). */
function optional(name: string, value: number | undefined): Record<string, string> {
  return value ? { [name]: String(value) } : {};
}

/** Lambda counts keys and values; fail here, naming the argument to shrink, rather than in `pulumi up`. */
function assertFitsLambda(fn: FunctionName, variables: Record<string, string>): void {
  const size = (key: string) => Buffer.byteLength(key) + Buffer.byteLength(variables[key]);
  const total = Object.keys(variables).reduce((sum, key) => sum + size(key), 0);
  if (total > LAMBDA_ENVIRONMENT_MAX_BYTES) {
    const largest = Object.keys(variables).sort((a, b) => size(b) - size(a))[0];
    const arg = SOURCE_ARG[largest] ?? largest;
    throw new Error(
      `[${arg}] makes the ${fn} function's environment ${total} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_MAX_BYTES}; ` +
        `${largest} alone is ${size(largest)} bytes`,
    );
  }
}
