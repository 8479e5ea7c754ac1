import { extensionsFor, isMediaType, parseTenants, parseUtcInstant, type Tenant } from "@mobile-s3/contract";
import { type ControlPlaneLimits } from "./api/limits";
import { assertSigningKeys, MAX_SIGNING_KEYS } from "./cdn/signing-keys";
import {
  type AllowedValue,
  type BooleanKeyName,
  CONFIG_SCHEMA,
  type ConfigKeyName,
  type EnumKeyName,
  type IntegerKeyName,
  type IntegerKeySpec,
  type ListKeyName,
  type ListKeySpec,
  PROJECT,
  type StringKeySpec,
} from "./config-schema";
import { assertScheduleExpression, MIN_RECONCILE_INTERVAL_MINUTES } from "./object-index/event-pattern";
import { type LifecycleSettings } from "./storage/lifecycle";

/**
 * Types, defaults, bounds and descriptions of the keys live in one schema (infra/config-schema.ts),
 * which also produces Pulumi.yaml's `config:` section and docs/CONFIGURATION.md; this module reads
 * values through it and adds the checks that span several keys or need a pattern.
 */
export { CONFIG_SCHEMA, type ConfigKeyName, PROJECT };

export type Profile = AllowedValue<"profile">;
export type HomeKey = AllowedValue<"homeKey">;
export type Scanner = AllowedValue<"scanner">;

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
    mfa: AllowedValue<"mfa">;
    tokenMinutes: number;
    refreshTokenDays: number;
    callbackUrls: string[];
    logoutUrls: string[];
    /** Absent: `<app>-<environment>-<hash of account and region>`, decided at deploy time. */
    authDomainPrefix?: string;
    /** Cognito sends its e-mails through this SES identity instead of its own, rate-limited sender. */
    email?: { from: string; sourceArn: string };
    /** Sessions and ID tokens issued before this ISO 8601 UTC instant are refused (README "Revocation plan"). */
    revokeSessionsIssuedBefore?: string;
  };
  tenants: Tenant[];
  corsOrigins: string[];
  limits: Limits;
  /** Per-user storage quota in bytes; 0 means none. */
  userQuotaBytes: number;
  /** Full profile: which malware scanner tags uploads, and the ClamAV function's memory. */
  scanning: { scanner: Scanner; memoryMb: number };
  /** Full profile: when the indexer reconciles the object index with the buckets (an EventBridge schedule expression). */
  objectIndex: { reconcileSchedule: string };
  /** `signingKeys`: oldest first, the last one signs (docs/cdn-key-rotation.md). */
  cdn: { signingKeys: string[]; customDomain?: { domainName: string; acmCertificateArn: string } };
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

/** How far ahead of this machine's clock `revokeSessionsIssuedBefore` may be: the instant the operator read off another clock. */
const REVOCATION_CLOCK_SKEW_MS = 5 * 60 * 1000;

const NAME_PART = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** The value as the CLI hands it over, or the schema's default in the same form. */
function str(raw: RawConfig, key: ConfigKeyName): string {
  const value = raw(key);
  const fallback = CONFIG_SCHEMA[key].default;
  return value === undefined ? (Array.isArray(fallback) ? JSON.stringify(fallback) : String(fallback)) : value;
}

/** An integer within the schema's bounds and, where it lists them, among its allowed values. */
function int(raw: RawConfig, key: IntegerKeyName): number {
  const spec: IntegerKeySpec = CONFIG_SCHEMA[key];
  const { min, max } = spec.bounds;
  const text = str(raw, key).trim();
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(key, `must be an integer from ${min} to ${max}, got "${text}"`);
  }
  if (spec.allowed && !spec.allowed.includes(value)) {
    throw new ConfigError(key, `must be one of ${spec.allowed.join(", ")}, got "${value}"`);
  }
  return value;
}

function bool(raw: RawConfig, key: BooleanKeyName): boolean {
  const text = str(raw, key).trim();
  if (text !== "true" && text !== "false") {
    throw new ConfigError(key, `must be true or false, got "${text}"`);
  }
  return text === "true";
}

/** One of the values the schema allows for the key. */
function oneOf<K extends EnumKeyName>(raw: RawConfig, key: K): AllowedValue<K> {
  const allowed: readonly string[] = CONFIG_SCHEMA[key].allowed;
  const text = str(raw, key).trim();
  if (!allowed.includes(text)) {
    throw new ConfigError(key, `must be one of ${allowed.join(", ")}, got "${text}"`);
  }
  return text as AllowedValue<K>;
}

/** The schema's longest value for a string key. */
function maxLength(key: "app" | "environment" | "owner" | "authDomainPrefix"): number {
  const spec: StringKeySpec = CONFIG_SCHEMA[key];
  return spec.maxLength ?? Number.POSITIVE_INFINITY;
}

/** A list of strings with at least the schema's fewest entries, each passing `check`. */
function list(raw: RawConfig, key: ListKeyName, check: (item: string) => string | undefined): string[] {
  const spec: ListKeySpec = CONFIG_SCHEMA[key];
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
  const minItems = spec.minItems ?? 0;
  if (value.length < minItems) {
    throw new ConfigError(key, `must list at least ${minItems} ${minItems === 1 ? "entry" : "entries"}, got ${text}`);
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

function namePart(key: "app" | "environment", value: string): string {
  const longest = maxLength(key);
  if (!NAME_PART.test(value) || value.length > longest) {
    throw new ConfigError(
      key,
      `must be 1-${longest} lowercase letters, digits or hyphens, not starting or ending with a hyphen, got "${value}"`,
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
  const app = namePart("app", str(raw, "app"));
  const environment = namePart("environment", str(raw, "environment") || stackName);
  const owner = str(raw, "owner").trim();
  if (owner === "" || owner.length > maxLength("owner")) {
    throw new ConfigError("owner", `must be 1-${maxLength("owner")} characters (it becomes a tag value), got "${owner}"`);
  }

  const tenantClaim = str(raw, "tenantClaim");
  if (!/^custom:[A-Za-z0-9_]{1,20}$/.test(tenantClaim)) {
    throw new ConfigError("tenantClaim", `must be a user-pool custom attribute such as custom:tenant, got "${tenantClaim}"`);
  }
  const authDomainPrefix = str(raw, "authDomainPrefix").trim() || undefined;
  const longestPrefix = maxLength("authDomainPrefix");
  if (
    authDomainPrefix !== undefined &&
    (!NAME_PART.test(authDomainPrefix) || authDomainPrefix.length > longestPrefix || /aws|amazon|cognito/.test(authDomainPrefix))
  ) {
    throw new ConfigError(
      "authDomainPrefix",
      `must be 1-${longestPrefix} lowercase letters, digits or hyphens without "aws", "amazon" or "cognito", got "${authDomainPrefix}"`,
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

  const revokeSessionsIssuedBefore = str(raw, "revokeSessionsIssuedBefore").trim() || undefined;
  if (revokeSessionsIssuedBefore !== undefined) {
    const instant = parseUtcInstant(revokeSessionsIssuedBefore);
    if (instant === undefined) {
      throw new ConfigError("revokeSessionsIssuedBefore", `must be an ISO 8601 UTC instant such as 2026-05-01T12:00:00Z, got "${revokeSessionsIssuedBefore}"`);
    }
    // A future instant would refuse the sessions users open after the fix too, until it passes.
    if (instant > Date.now() + REVOCATION_CLOCK_SKEW_MS) {
      throw new ConfigError("revokeSessionsIssuedBefore", `must not be in the future (it would refuse new sign-ins until then), got "${revokeSessionsIssuedBefore}"`);
    }
  }

  const defaultTier = oneOf(raw, "defaultTier");
  const tenantEntries = list(raw, "tenants", () => undefined);
  let tenants: Tenant[];
  try {
    tenants = parseTenants(tenantEntries, defaultTier);
  } catch (err) {
    throw new ConfigError("tenants", (err as Error).message);
  }

  // Limits checked at plan time: the schema takes these bounds from LIMIT_BOUNDS, the same ranges
  // the functions check their environment against when they start.
  const limits: Limits = {
    presignTtlSeconds: int(raw, "presignTtlSeconds"),
    maxObjectBytes: int(raw, "maxObjectBytes"),
    singlePutMaxBytes: int(raw, "singlePutMaxBytes"),
    proxyMaxBytes: int(raw, "proxyMaxBytes"),
    allowedContentTypes: list(raw, "allowedContentTypes", contentTypeProblem),
    partUrlBatchMax: int(raw, "partUrlBatchMax"),
    cdnSessionTtlSeconds: int(raw, "cdnSessionTtlSeconds"),
  };
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

  const cdnSigningKeys = list(raw, "cdnSigningKeys", () => undefined);
  try {
    assertSigningKeys(cdnSigningKeys, "cdnSigningKeys", MAX_SIGNING_KEYS);
  } catch (err) {
    throw new ConfigError("cdnSigningKeys", (err as Error).message.replace(/^\[cdnSigningKeys\] /, ""));
  }

  const reconcileSchedule = str(raw, "indexReconcileSchedule").trim();
  try {
    assertScheduleExpression(reconcileSchedule, MIN_RECONCILE_INTERVAL_MINUTES);
  } catch (err) {
    throw new ConfigError("indexReconcileSchedule", (err as Error).message.replace(/^\[reconcileSchedule\] /, ""));
  }

  const logRetentionDays = int(raw, "logRetentionDays");
  const alarmEmail = str(raw, "alarmEmail").trim();
  if (alarmEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail)) {
    throw new ConfigError("alarmEmail", `must be an e-mail address or empty, got "${alarmEmail}"`);
  }

  const lifecycle: LifecycleSettings = {
    abortIncompleteUploadDays: int(raw, "abortIncompleteUploadDays"),
    noncurrentVersionExpirationDays: int(raw, "noncurrentVersionExpirationDays"),
    infrequentAccessAfterDays: int(raw, "infrequentAccessAfterDays"),
    objectExpirationDays: int(raw, "objectExpirationDays"),
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
    profile: oneOf(raw, "profile"),
    identity: {
      homeKey: oneOf(raw, "homeKey"),
      tenantClaim,
      mfa: oneOf(raw, "mfa"),
      tokenMinutes: int(raw, "tokenMinutes"),
      refreshTokenDays: int(raw, "refreshTokenDays"),
      callbackUrls: list(raw, "callbackUrls", redirectUri),
      logoutUrls: list(raw, "logoutUrls", redirectUri),
      ...(authDomainPrefix === undefined ? {} : { authDomainPrefix }),
      ...(authEmailFrom ? { email: { from: authEmailFrom, sourceArn: authEmailSourceArn } } : {}),
      ...(revokeSessionsIssuedBefore === undefined ? {} : { revokeSessionsIssuedBefore }),
    },
    tenants,
    corsOrigins: list(raw, "corsOrigins", webOrigin),
    limits,
    userQuotaBytes: int(raw, "userQuotaBytes"),
    scanning: { scanner: oneOf(raw, "scanner"), memoryMb: int(raw, "scanMemoryMb") },
    objectIndex: { reconcileSchedule },
    cdn: { signingKeys: cdnSigningKeys, ...(cdnDomainName ? { customDomain: { domainName: cdnDomainName, acmCertificateArn: cdnCertificateArn } } : {}) },
    observability: { logRetentionDays, alarmEmail: alarmEmail || undefined, auditTrail: bool(raw, "auditTrail") },
    lifecycle,
    forceDestroy: bool(raw, "forceDestroy"),
  };
}
