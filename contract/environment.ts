/**
 * Names of the environment variables the program sets on each function. The program
 * (`infra/api/function-environment.ts`) writes them and the functions read them through this one
 * table, so the two can never drift apart. Pure: no Node APIs.
 */
export const ENV = {
  logLevel: "LOG_LEVEL",
  tenantRouting: "TENANT_ROUTING",
  presignTtlSeconds: "PRESIGN_TTL_SECONDS",
  maxObjectBytes: "MAX_OBJECT_BYTES",
  singlePutMaxBytes: "SINGLE_PUT_MAX_BYTES",
  proxyMaxBytes: "PROXY_MAX_BYTES",
  allowedContentTypes: "ALLOWED_CONTENT_TYPES",
  partUrlBatchMax: "PART_URL_BATCH_MAX",
  cdnSessionTtlSeconds: "CDN_SESSION_TTL_SECONDS",
  cdnDomainName: "CDN_DOMAIN_NAME",
  cdnKeyPairId: "CDN_KEY_PAIR_ID",
  cdnPrivateKeySecretArn: "CDN_PRIVATE_KEY_SECRET_ARN",
  scanBuckets: "SCAN_BUCKETS",
  /** Whose verdict tags gate reads: `guardduty` or `clamav` (objects, proxy and scan functions). */
  scanner: "SCANNER",
  s3Endpoint: "S3_ENDPOINT",
  tenantClaim: "TENANT_CLAIM",
  jwtIssuer: "JWT_ISSUER",
  jwtAudience: "JWT_AUDIENCE",
  jwtJwks: "JWT_JWKS",
  cdnPrivateKeyPem: "CDN_PRIVATE_KEY_PEM",
  userQuotaBytes: "USER_QUOTA_BYTES",
  abortIncompleteUploadDays: "ABORT_INCOMPLETE_UPLOAD_DAYS",
  /** The object index's DynamoDB table (uploads, objects, proxy and indexer functions). */
  indexTable: "INDEX_TABLE",
  /** Optional: a DynamoDB endpoint other than AWS's (the sandbox's local engine). */
  dynamodbEndpoint: "DYNAMODB_ENDPOINT",
  /**
   * Optional (every API function): an ISO 8601 UTC instant; ID tokens issued before it are refused
   * with `401 TokenRevoked` (the stack's `revokeSessionsIssuedBefore`).
   */
  sessionsRevokedBefore: "SESSIONS_REVOKED_BEFORE",
  /**
   * Optional (every API function): the table holding users' revocation items (the object index);
   * each request's caller is checked against theirs. Unset: no per-user revocation.
   */
  revocationTable: "REVOCATION_TABLE",
  /** The admin function: the user pool whose users it signs out. */
  userPoolId: "USER_POOL_ID",
  /** Optional (admin): the `cognito:groups` entry of tenant administrators (default `admins`). */
  adminGroup: "ADMIN_GROUP",
  /** Optional (admin): a Cognito-compatible endpoint instead of AWS's (tests). */
  cognitoEndpoint: "COGNITO_ENDPOINT",
  /** Optional: the `clamscan` executable (absolute path or name on PATH; default `clamscan`). */
  clamscanPath: "CLAMSCAN_PATH",
  /** Optional: ClamAV signature database file or directory for `clamscan -d` (default: clamscan's own). */
  clamavDb: "CLAMAV_DB",
} as const;

/**
 * The environment of the ClamAV functions in container images (scan, proxy and the definitions
 * updater). Apart from `ENV`: only these functions read them.
 */
export const CLAMAV_ENV = {
  /** The private bucket the updater publishes signatures to. Set: scan with a warm clamd. Unset: clamscan. */
  definitionsBucket: "CLAMAV_DEFINITIONS_BUCKET",
  /** Optional: the clamd executable (absolute). @default /usr/sbin/clamd */
  clamdPath: "CLAMD_PATH",
  /** Optional: the freshclam executable (absolute). @default /usr/bin/freshclam */
  freshclamPath: "FRESHCLAM_PATH",
  /** Optional: a directory under /tmp for clamd's socket and database. @default /tmp/clamav */
  workDir: "CLAMAV_WORK_DIR",
  /** Optional: minutes between checks of the bucket for newer definitions. @default 15 */
  refreshMinutes: "CLAMAV_REFRESH_MINUTES",
  /** Optional (updater): freshclam's `DatabaseMirror`. @default database.clamav.net */
  databaseMirror: "CLAMAV_DATABASE_MIRROR",
  /** Optional (updater): freshclam `PrivateMirror` URLs, comma-separated; they replace `DatabaseMirror`. */
  privateMirrors: "CLAMAV_PRIVATE_MIRRORS",
} as const;

/** Log levels, as Powertools for AWS Lambda names them (`LOG_LEVEL`). */
export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A process environment, or any map standing in for one. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The function was deployed with a missing or unusable setting; it refuses to start. */
export class ConfigurationError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`environment variable ${variable} ${detail}`, options);
    this.name = "ConfigurationError";
  }
}

export interface IntegerBounds {
  min: number;
  max: number;
}

export function requireString(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === "") {
    throw new ConfigurationError(name, "is required but not set");
  }
  return value;
}

export function requireInteger(env: Env, name: string, bounds: IntegerBounds): number {
  const text = requireString(env, name).trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new ConfigurationError(name, `must be an integer from ${bounds.min} to ${bounds.max}, got "${text}"`);
  }
  return value;
}

/** A JSON object or array (never a bare string or number). */
export function requireJson(env: Env, name: string): object {
  const text = requireString(env, name);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigurationError(name, "must be valid JSON", { cause: err });
  }
  if (value === null || typeof value !== "object") {
    throw new ConfigurationError(name, "must be a JSON object or array");
  }
  return value;
}

/** A non-empty JSON array of distinct strings, each accepted by `valid`. */
export function requireStringList(env: Env, name: string, valid: (item: string) => boolean = (item) => item !== ""): string[] {
  const value = requireJson(env, name);
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigurationError(name, "must be a non-empty JSON array of strings");
  }
  const bad = value.find((item) => typeof item !== "string" || !valid(item));
  if (bad !== undefined) {
    throw new ConfigurationError(name, `holds an invalid entry ${JSON.stringify(bad)}`);
  }
  if (new Set(value).size !== value.length) {
    throw new ConfigurationError(name, "lists an entry twice");
  }
  return value as string[];
}
