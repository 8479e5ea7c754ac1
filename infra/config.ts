import { extensionsFor, isMediaType, LIMIT_BOUNDS, parseTenants, SCANNERS, type Tenant, type Tier, TIERS } from "@mobile-s3/contract";
import { type ControlPlaneLimits } from "./api/limits";
import { LOG_RETENTION_DAYS } from "./cdn/access-logs";
import { type LifecycleSettings } from "./storage/lifecycle";

/** The Pulumi project name; config keys are `<project>:<key>`. Must equal `name` in Pulumi.yaml. */
export const PROJECT = "mobile-s3";

type ConfigType = "string" | "integer" | "boolean" | "array";

interface ConfigKey {
  type: ConfigType;
  items?: { type: "string" };
  default: string | number | boolean | string[];
  description: string;
}

/**
 * Every project config key, its type, default and description. `Pulumi.yaml`'s `config:` section is
 * held equal to this table by a test, so the CLI's schema and the program never drift apart.
 */
export const CONFIG_SCHEMA = {
  app: {
    type: "string",
    default: "mobile-s3",
    description:
      "Short application name, lowercase letters, digits and hyphens (max 20); prefixes every physical name and the `app` tag.",
  },
  environment: {
    type: "string",
    default: "",
    description: "Environment name used in physical names and the `env` tag (max 12). Empty means the stack name.",
  },
  owner: {
    type: "string",
    default: "platform-team",
    description: "Team or person answerable for these resources; written to the `owner` tag.",
  },
  profile: {
    type: "string",
    default: "full",
    description:
      "`minimal` (reference architecture A: Cognito + direct S3) or `full` (B: adds the API, CloudFront, malware scanning and alarms).",
  },
  homeKey: {
    type: "string",
    default: "userSub",
    description:
      "What names a user's home prefix: `userSub` (the user-pool sub, same key for direct and presigned access) or `identityId` (the identity pool's id, as in the seed).",
  },
  tenantClaim: {
    type: "string",
    default: "custom:tenant",
    description: "User-pool claim holding the user's tenant id (a custom attribute users cannot write); mapped to the `tenant` principal tag.",
  },
  tenants: {
    type: "array",
    items: { type: "string" },
    default: [],
    description:
      'Tenants with their tier: "<id>", "<id>:<tier>" or "<id>:bucket+dedicatedKey"; tier one of pooled, accessPoint, bucket. Any tenant id not listed uses the pooled bucket.',
  },
  defaultTier: {
    type: "string",
    default: "pooled",
    description: "Tier of tenants listed without one: pooled, accessPoint or bucket.",
  },
  corsOrigins: {
    type: "array",
    items: { type: "string" },
    default: [],
    description: "Web origins allowed to call S3, CloudFront and the API from a browser (https://…, or http://localhost:<port>). Native apps need none.",
  },
  mfa: {
    type: "string",
    default: "OPTIONAL",
    description: "User-pool multi-factor authentication: OFF, OPTIONAL or ON (TOTP).",
  },
  tokenMinutes: {
    type: "integer",
    default: 15,
    description: "Lifetime of ID and access tokens in minutes (5-60).",
  },
  refreshTokenDays: {
    type: "integer",
    default: 7,
    description: "Lifetime of refresh tokens in days (1-30).",
  },
  callbackUrls: {
    type: "array",
    items: { type: "string" },
    default: ["mobile-s3://auth/callback"],
    description: "OAuth redirect URIs of the app (custom scheme or https; http only for localhost).",
  },
  logoutUrls: {
    type: "array",
    items: { type: "string" },
    default: ["mobile-s3://auth/signout"],
    description: "Sign-out redirect URIs of the app.",
  },
  authDomainPrefix: {
    type: "string",
    default: "",
    description:
      "Prefix of the Cognito hosted-UI domain (<prefix>.auth.<region>.amazoncognito.com), unique per region across all AWS accounts. Empty means <app>-<environment>-<8 hex digits of a hash of the account and region>.",
  },
  authEmailFrom: {
    type: "string",
    default: "",
    description:
      "Sender of the user pool's e-mails through Amazon SES, e.g. Photos <no-reply@example.com> (needs authEmailSourceArn). Empty uses Cognito's own sender, limited to a few e-mails a day.",
  },
  authEmailSourceArn: {
    type: "string",
    default: "",
    description: "ARN of the verified SES identity (address or domain) that sends authEmailFrom's e-mails, in the stack's region or a Cognito-supported SES region.",
  },
  scanner: {
    type: "string",
    default: "guardduty",
    description:
      "Malware scanner of the full profile: `guardduty` (Amazon GuardDuty Malware Protection for S3, nothing to build) or `clamav` (self-hosted ClamAV in container-image functions built from functions/scan/Dockerfile).",
  },
  scanMemoryMb: {
    type: "integer",
    default: 3008,
    description: "Memory of the ClamAV scan function in MB (scanner clamav; 1024-10240; new accounts are capped at 3008 until Lambda raises their quota).",
  },
  presignTtlSeconds: {
    type: "integer",
    default: 300,
    description: "Lifetime of presigned URLs in seconds (1-900; DESIGN caps them at 15 minutes).",
  },
  maxObjectBytes: {
    type: "integer",
    default: 5368709120,
    description: "Largest object a user may upload, in bytes (up to 5 TiB).",
  },
  singlePutMaxBytes: {
    type: "integer",
    default: 16777216,
    description: "Uploads up to this size use one presigned PUT; larger ones use multipart (up to 5 GiB, at most maxObjectBytes).",
  },
  proxyMaxBytes: {
    type: "integer",
    default: 1048576,
    description: "Largest body the API proxies and inspects itself (pattern 4), in bytes (up to 4 MiB).",
  },
  allowedContentTypes: {
    type: "array",
    items: { type: "string" },
    default: ["image/jpeg", "image/png", "image/heic", "video/mp4", "application/pdf"],
    description: "Content types users may upload.",
  },
  userQuotaBytes: {
    type: "integer",
    default: 0,
    description: "Bytes each user may store in their home, checked before an upload is signed and when it completes (0 = no quota).",
  },
  partUrlBatchMax: {
    type: "integer",
    default: 20,
    description: "Most multipart part URLs signed in one request (1-100).",
  },
  cdnSessionTtlSeconds: {
    type: "integer",
    default: 3600,
    description: "Lifetime of CloudFront signed cookies in seconds (60-43200).",
  },
  cdnDomainName: {
    type: "string",
    default: "",
    description: "Custom domain for CloudFront (needs cdnCertificateArn). Empty uses *.cloudfront.net.",
  },
  cdnCertificateArn: {
    type: "string",
    default: "",
    description: "ACM certificate in us-east-1 for cdnDomainName.",
  },
  logRetentionDays: {
    type: "integer",
    default: 30,
    description: "Retention of CloudWatch log groups in days (a value CloudWatch accepts, e.g. 7, 30, 90, 365).",
  },
  alarmEmail: {
    type: "string",
    default: "",
    description: "E-mail address subscribed to alarms. Empty means alarms only publish to the SNS topic.",
  },
  auditTrail: {
    type: "boolean",
    default: true,
    description: "Record S3 data events of every bucket in a dedicated CloudTrail trail.",
  },
  abortIncompleteUploadDays: {
    type: "integer",
    default: 3,
    description: "Days after which S3 aborts an unfinished multipart upload and deletes its parts (1-365).",
  },
  noncurrentVersionExpirationDays: {
    type: "integer",
    default: 30,
    description: "Days a replaced or deleted object version is kept before S3 removes it (1-3650).",
  },
  infrequentAccessAfterDays: {
    type: "integer",
    default: 0,
    description: "Days after which objects move to STANDARD_IA (0 = never; otherwise at least 30).",
  },
  objectExpirationDays: {
    type: "integer",
    default: 0,
    description: "Days after which objects are deleted (0 = never). Must exceed infrequentAccessAfterDays when both are set.",
  },
  forceDestroy: {
    type: "boolean",
    default: false,
    description: "Let `pulumi destroy` delete buckets that still hold objects, and the user pool. Keep false outside throwaway stacks.",
  },
} as const satisfies Record<string, ConfigKey>;

export type ConfigKeyName = keyof typeof CONFIG_SCHEMA;

export type Profile = "minimal" | "full";
export type HomeKey = "userSub" | "identityId";
export type Scanner = (typeof SCANNERS)[number];

/** The rules the API applies before it signs anything; bounds in `LIMIT_BOUNDS`, shared with the functions. */
export type Limits = ControlPlaneLimits;

export interface StackConfig {
  app: string;
  environment: string;
  owner: string;
  profile: Profile;
  identity: {
    homeKey: HomeKey;
    tenantClaim: string;
    mfa: "OFF" | "OPTIONAL" | "ON";
    tokenMinutes: number;
    refreshTokenDays: number;
    callbackUrls: string[];
    logoutUrls: string[];
    /** Absent: `<app>-<environment>-<hash of account and region>`, decided at deploy time. */
    authDomainPrefix?: string;
    /** Cognito sends its e-mails through this SES identity instead of its own, rate-limited sender. */
    email?: { from: string; sourceArn: string };
  };
  tenants: Tenant[];
  corsOrigins: string[];
  limits: Limits;
  /** Per-user storage quota in bytes; 0 means none. */
  userQuotaBytes: number;
  /** Full profile: which malware scanner tags uploads, and the ClamAV function's memory. */
  scanning: { scanner: Scanner; memoryMb: number };
  cdn: { customDomain?: { domainName: string; acmCertificateArn: string } };
  observability: { logRetentionDays: number; alarmEmail?: string; auditTrail: boolean };
  lifecycle: LifecycleSettings;
  forceDestroy: boolean;
}

/** A config value the program cannot use. The message names the key to change and what it needs. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`[${PROJECT}:${key}] ${detail}`);
    this.name = "ConfigError";
  }
}

/** Raw string values as the Pulumi CLI hands them to the program (arrays arrive as JSON). */
export type RawConfig = (key: ConfigKeyName) => string | undefined;

const NAME_PART = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

function str(raw: RawConfig, key: ConfigKeyName): string {
  const value = raw(key);
  const fallback = CONFIG_SCHEMA[key].default;
  return value === undefined ? (Array.isArray(fallback) ? JSON.stringify(fallback) : String(fallback)) : value;
}

function int(raw: RawConfig, key: ConfigKeyName, min: number, max: number): number {
  const text = str(raw, key).trim();
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(key, `must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function bool(raw: RawConfig, key: ConfigKeyName): boolean {
  const text = str(raw, key).trim();
  if (text !== "true" && text !== "false") {
    throw new ConfigError(key, `must be true or false, got "${text}"`);
  }
  return text === "true";
}

function oneOf<T extends string>(raw: RawConfig, key: ConfigKeyName, allowed: readonly T[]): T {
  const text = str(raw, key).trim();
  if (!allowed.includes(text as T)) {
    throw new ConfigError(key, `must be one of ${allowed.join(", ")}, got "${text}"`);
  }
  return text as T;
}

function list(raw: RawConfig, key: ConfigKeyName, check: (item: string) => string | undefined): string[] {
  const text = str(raw, key);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(key, `must be a list (set it with \`pulumi config set --path '${key}[0]' …\`), got "${text}"`);
  }
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new ConfigError(key, `must be a list of strings, got ${text}`);
  }
  for (const item of value as string[]) {
    const problem = check(item);
    if (problem) {
      throw new ConfigError(key, `${problem}, got "${item}"`);
    }
  }
  return value as string[];
}

/**
 * Why an allowed content type is unusable, if it is: the uploads function refuses to start with a
 * type its extension table has no row for, so the stack refuses it first.
 */
function contentTypeProblem(type: string): string | undefined {
  if (!isMediaType(type)) {
    return "each entry must be a media type like image/jpeg";
  }
  if (extensionsFor(type) === undefined) {
    return "each entry needs a row in functions/uploads/media-types.ts (the file extensions a path of that type may end in)";
  }
  return undefined;
}

function namePart(key: ConfigKeyName, value: string, maxLength: number): string {
  if (!NAME_PART.test(value) || value.length > maxLength) {
    throw new ConfigError(
      key,
      `must be 1-${maxLength} lowercase letters, digits or hyphens, not starting or ending with a hyphen, got "${value}"`,
    );
  }
  return value;
}

function webOrigin(origin: string): string | undefined {
  return /^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(origin) || /^http:\/\/localhost(:\d+)?$/.test(origin)
    ? undefined
    : "each origin must be https://<host>[:port] or http://localhost[:port], without a path";
}

function redirectUri(uri: string): string | undefined {
  if (/^http:\/\/localhost(:\d+)?(\/|$)/.test(uri) || /^https:\/\/[^\s#]+$/.test(uri)) {
    return undefined;
  }
  return /^[a-z][a-z0-9+.-]*:\/\/[^\s#]*$/.test(uri) && !uri.startsWith("http:")
    ? undefined
    : "each URI must be https://…, http://localhost… or an app scheme like myapp://callback, without a fragment";
}

/**
 * Parses and validates the stack's config. Every check fails with a `ConfigError` naming the key,
 * so `pulumi up` and `npm run plan` stop before anything is created.
 */
export function parseStackConfig(raw: RawConfig, stackName: string): StackConfig {
  const app = namePart("app", str(raw, "app"), 20);
  const environment = namePart("environment", str(raw, "environment") || stackName, 12);
  const owner = str(raw, "owner").trim();
  if (owner === "" || owner.length > 256) {
    throw new ConfigError("owner", `must be 1-256 characters (it becomes a tag value), got "${owner}"`);
  }

  const tenantClaim = str(raw, "tenantClaim");
  if (!/^custom:[A-Za-z0-9_]{1,20}$/.test(tenantClaim)) {
    throw new ConfigError("tenantClaim", `must be a user-pool custom attribute such as custom:tenant, got "${tenantClaim}"`);
  }
  const authDomainPrefix = str(raw, "authDomainPrefix").trim() || undefined;
  if (authDomainPrefix !== undefined && (!NAME_PART.test(authDomainPrefix) || authDomainPrefix.length > 63 || /aws|amazon|cognito/.test(authDomainPrefix))) {
    throw new ConfigError(
      "authDomainPrefix",
      `must be 1-63 lowercase letters, digits or hyphens without "aws", "amazon" or "cognito", got "${authDomainPrefix}"`,
    );
  }

  if (authDomainPrefix === undefined && /aws|amazon|cognito/.test(`${app}-${environment}`)) {
    throw new ConfigError(
      "authDomainPrefix",
      `must be set: the default <app>-<environment>-<hash> would contain "aws", "amazon" or "cognito", which Cognito refuses ("${app}-${environment}")`,
    );
  }
  const authEmailFrom = str(raw, "authEmailFrom").trim();
  const authEmailSourceArn = str(raw, "authEmailSourceArn").trim();
  if (Boolean(authEmailFrom) !== Boolean(authEmailSourceArn)) {
    throw new ConfigError(authEmailFrom ? "authEmailSourceArn" : "authEmailFrom", "authEmailFrom and authEmailSourceArn are set together or not at all");
  }
  if (authEmailSourceArn && !/^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/[^\s]+$/.test(authEmailSourceArn)) {
    throw new ConfigError("authEmailSourceArn", `must be the ARN of a verified SES identity (arn:aws:ses:<region>:<account>:identity/<address or domain>), got "${authEmailSourceArn}"`);
  }
  if (authEmailFrom && !/^(?:[^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/.test(authEmailFrom)) {
    throw new ConfigError("authEmailFrom", `must be an e-mail address, optionally with a name as in "Photos <no-reply@example.com>", got "${authEmailFrom}"`);
  }

  const defaultTier = oneOf<Tier>(raw, "defaultTier", TIERS);
  let tenants: Tenant[];
  try {
    tenants = parseTenants(JSON.parse(str(raw, "tenants")), defaultTier);
  } catch (err) {
    throw new ConfigError("tenants", (err as Error).message);
  }

  const bounded = (key: keyof typeof LIMIT_BOUNDS) => int(raw, key, LIMIT_BOUNDS[key].min, LIMIT_BOUNDS[key].max);
  const limits: Limits = {
    presignTtlSeconds: bounded("presignTtlSeconds"),
    maxObjectBytes: bounded("maxObjectBytes"),
    singlePutMaxBytes: bounded("singlePutMaxBytes"),
    proxyMaxBytes: bounded("proxyMaxBytes"),
    allowedContentTypes: list(raw, "allowedContentTypes", contentTypeProblem),
    partUrlBatchMax: bounded("partUrlBatchMax"),
    cdnSessionTtlSeconds: bounded("cdnSessionTtlSeconds"),
  };
  if (limits.allowedContentTypes.length === 0) {
    throw new ConfigError("allowedContentTypes", "must name at least one content type");
  }
  if (limits.singlePutMaxBytes > limits.maxObjectBytes) {
    throw new ConfigError("singlePutMaxBytes", `must not exceed maxObjectBytes (${limits.maxObjectBytes}), got "${limits.singlePutMaxBytes}"`);
  }

  const cdnDomainName = str(raw, "cdnDomainName").trim();
  const cdnCertificateArn = str(raw, "cdnCertificateArn").trim();
  if (Boolean(cdnDomainName) !== Boolean(cdnCertificateArn)) {
    throw new ConfigError(cdnDomainName ? "cdnCertificateArn" : "cdnDomainName", "cdnDomainName and cdnCertificateArn are set together or not at all");
  }
  if (cdnCertificateArn && !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/.test(cdnCertificateArn)) {
    throw new ConfigError("cdnCertificateArn", `must be an ACM certificate ARN in us-east-1 (CloudFront requires it), got "${cdnCertificateArn}"`);
  }

  const logRetentionDays = int(raw, "logRetentionDays", 1, 3653);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    throw new ConfigError("logRetentionDays", `must be one of ${LOG_RETENTION_DAYS.join(", ")}, got "${logRetentionDays}"`);
  }
  const alarmEmail = str(raw, "alarmEmail").trim();
  if (alarmEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail)) {
    throw new ConfigError("alarmEmail", `must be an e-mail address or empty, got "${alarmEmail}"`);
  }

  const lifecycle: LifecycleSettings = {
    abortIncompleteUploadDays: int(raw, "abortIncompleteUploadDays", 1, 365),
    noncurrentVersionExpirationDays: int(raw, "noncurrentVersionExpirationDays", 1, 3650),
    infrequentAccessAfterDays: int(raw, "infrequentAccessAfterDays", 0, 3650),
    objectExpirationDays: int(raw, "objectExpirationDays", 0, 36500),
  };
  if (lifecycle.infrequentAccessAfterDays > 0 && lifecycle.infrequentAccessAfterDays < 30) {
    throw new ConfigError(
      "infrequentAccessAfterDays",
      `must be 0 or at least 30 (S3 moves objects to STANDARD_IA no sooner), got "${lifecycle.infrequentAccessAfterDays}"`,
    );
  }
  if (
    lifecycle.objectExpirationDays > 0 &&
    lifecycle.infrequentAccessAfterDays > 0 &&
    lifecycle.objectExpirationDays <= lifecycle.infrequentAccessAfterDays
  ) {
    throw new ConfigError(
      "objectExpirationDays",
      `must be greater than infrequentAccessAfterDays (${lifecycle.infrequentAccessAfterDays}), got "${lifecycle.objectExpirationDays}"`,
    );
  }

  return {
    app,
    environment,
    owner,
    profile: oneOf<Profile>(raw, "profile", ["minimal", "full"]),
    identity: {
      homeKey: oneOf<HomeKey>(raw, "homeKey", ["userSub", "identityId"]),
      tenantClaim,
      mfa: oneOf(raw, "mfa", ["OFF", "OPTIONAL", "ON"] as const),
      tokenMinutes: int(raw, "tokenMinutes", 5, 60),
      refreshTokenDays: int(raw, "refreshTokenDays", 1, 30),
      callbackUrls: list(raw, "callbackUrls", redirectUri),
      logoutUrls: list(raw, "logoutUrls", redirectUri),
      ...(authDomainPrefix === undefined ? {} : { authDomainPrefix }),
      ...(authEmailFrom ? { email: { from: authEmailFrom, sourceArn: authEmailSourceArn } } : {}),
    },
    tenants,
    corsOrigins: list(raw, "corsOrigins", webOrigin),
    limits,
    userQuotaBytes: int(raw, "userQuotaBytes", 0, Number.MAX_SAFE_INTEGER),
    scanning: { scanner: oneOf<Scanner>(raw, "scanner", SCANNERS), memoryMb: int(raw, "scanMemoryMb", 1024, 10240) },
    cdn: cdnDomainName ? { customDomain: { domainName: cdnDomainName, acmCertificateArn: cdnCertificateArn } } : {},
    observability: { logRetentionDays, alarmEmail: alarmEmail || undefined, auditTrail: bool(raw, "auditTrail") },
    lifecycle,
    forceDestroy: bool(raw, "forceDestroy"),
  };
}
