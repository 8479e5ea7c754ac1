import { type IntegerBounds, LIMIT_BOUNDS, SCANNERS, TIERS } from "@mobile-s3/contract";
import { NEW_ACCOUNT_MAX_MEMORY_MB, SCAN_MEMORY_BOUNDS } from "./api/catalog";
import { LOG_RETENTION_DAYS } from "./cdn/access-logs";
import { DEFAULT_SIGNING_KEYS, MAX_SIGNING_KEYS } from "./cdn/signing-keys";

/**
 * The one description of the stack's config: every key with its type, default, bounds and meaning.
 * `parseStackConfig` (infra/config.ts) takes its defaults and bounds from here, and
 * `npm run config:write` (scripts/config-reference.ts) writes `Pulumi.yaml`'s `config:` section and
 * the reference table of docs/CONFIGURATION.md from it; tests fail when either file differs from
 * what this schema produces, or when the parser lets a value outside a bound through.
 */

/** The Pulumi project name; config keys are `<project>:<key>`. Must equal `name` in Pulumi.yaml. */
export const PROJECT = "mobile-s3";

/** The types Pulumi's project file accepts for a config key; an `array` declares its `items`. */
export type ConfigValueType = "string" | "integer" | "boolean" | "array";

interface KeySpecBase {
  /** What the key does, in a sentence or two, without its bounds: those are rendered from the fields below. */
  description: string;
  /** Only ever set with `pulumi config set --secret`, so Pulumi stores it encrypted. */
  secret?: boolean;
}

export interface StringKeySpec extends KeySpecBase {
  type: "string";
  default: string;
  /** The only values the parser accepts. */
  allowed?: readonly string[];
  /** Longest value the parser accepts, in characters. */
  maxLength?: number;
}

export interface IntegerKeySpec extends KeySpecBase {
  type: "integer";
  default: number;
  /** Inclusive range the parser accepts. */
  bounds: IntegerBounds;
  /** Within `bounds`, the only values the parser accepts. */
  allowed?: readonly number[];
  /** Renders large values with their binary unit (`5 GiB`) in the docs. */
  unit?: "bytes";
}

export interface BooleanKeySpec extends KeySpecBase {
  type: "boolean";
  default: boolean;
}

export interface ListKeySpec extends KeySpecBase {
  type: "array";
  items: { type: "string" };
  default: readonly string[];
  /** Fewest entries the parser accepts. */
  minItems?: number;
}

export type ConfigKeySpec = StringKeySpec | IntegerKeySpec | BooleanKeySpec | ListKeySpec;

export const PROFILES = ["minimal", "full"] as const;
export const HOME_KEYS = ["userSub", "identityId"] as const;
export const MFA_MODES = ["OFF", "OPTIONAL", "ON"] as const;

const LIST_OF_STRINGS = { type: "string" } as const;

/** Every config key of the project, in the order Pulumi.yaml and the docs list them. */
export const CONFIG_SCHEMA = {
  app: {
    type: "string",
    default: "mobile-s3",
    maxLength: 20,
    description:
      "Short application name of lowercase letters, digits and hyphens, not starting or ending with a hyphen; prefixes every physical name and the `app` tag.",
  },
  environment: {
    type: "string",
    default: "",
    maxLength: 12,
    description:
      "Environment name used in physical names and the `env` tag, lowercase letters, digits and hyphens. Empty means the stack name, which must then fit the same rules.",
  },
  owner: {
    type: "string",
    default: "platform-team",
    maxLength: 256,
    description: "Team or person answerable for these resources, not empty; written to the `owner` tag.",
  },
  profile: {
    type: "string",
    default: "full",
    allowed: PROFILES,
    description:
      "Which reference architecture to deploy: `minimal` (A: Cognito + direct S3) or `full` (B: adds the API, CloudFront, malware scanning and alarms).",
  },
  homeKey: {
    type: "string",
    default: "userSub",
    allowed: HOME_KEYS,
    description:
      "What names a user's home prefix: `userSub` (the user-pool sub, same key for direct and presigned access) or `identityId` (the identity pool's id).",
  },
  tenantClaim: {
    type: "string",
    default: "custom:tenant",
    description:
      "User-pool claim holding the user's tenant id: a custom attribute `custom:<name>` (name of 1-20 letters, digits or underscores) that users cannot write; mapped to the `tenant` principal tag.",
  },
  tenants: {
    type: "array",
    items: LIST_OF_STRINGS,
    default: [],
    description: `Tenants with their tier: \`<id>\`, \`<id>:<tier>\` or \`<id>:bucket+dedicatedKey\`, tier one of ${TIERS.join(", ")}. Any tenant id not listed uses the pooled bucket.`,
  },
  defaultTier: {
    type: "string",
    default: "pooled",
    allowed: TIERS,
    description: "Tier of the tenants listed without one.",
  },
  corsOrigins: {
    type: "array",
    items: LIST_OF_STRINGS,
    default: [],
    description:
      "Web origins allowed to call S3, CloudFront and the API from a browser (`https://<host>[:port]`, or `http://localhost[:port]`), without a path. Native apps need none.",
  },
  mfa: {
    type: "string",
    default: "OPTIONAL",
    allowed: MFA_MODES,
    description: "User-pool multi-factor authentication with TOTP: off, optional for each user, or required.",
  },
  // Short lifetimes: a stolen token is worth minutes, not days.
  tokenMinutes: {
    type: "integer",
    default: 15,
    bounds: { min: 5, max: 60 },
    description: "Lifetime of ID and access tokens, in minutes.",
  },
  refreshTokenDays: {
    type: "integer",
    default: 7,
    bounds: { min: 1, max: 30 },
    description: "Lifetime of refresh tokens, in days.",
  },
  revokeSessionsIssuedBefore: {
    type: "string",
    default: "",
    description:
      "Emergency revocation: an ISO 8601 UTC instant such as `2026-05-01T12:00:00Z`, not in the future. The app role denies every S3 request of a session issued before it (aws:TokenIssueTime), and the API refuses ID tokens issued before it (`401 TokenRevoked`); users sign in again. Empty revokes nothing.",
  },
  callbackUrls: {
    type: "array",
    items: LIST_OF_STRINGS,
    default: [`${PROJECT}://auth/callback`],
    description:
      "OAuth redirect URIs of the app: an app scheme like `myapp://callback`, or `https://…`; `http://` only for localhost. No fragment.",
  },
  logoutUrls: {
    type: "array",
    items: LIST_OF_STRINGS,
    default: [`${PROJECT}://auth/signout`],
    description: "Sign-out redirect URIs of the app, with the same rules as callbackUrls.",
  },
  authDomainPrefix: {
    type: "string",
    default: "",
    maxLength: 63,
    description:
      'Prefix of the Cognito hosted-UI domain (`<prefix>.auth.<region>.amazoncognito.com`), unique per region across all AWS accounts: lowercase letters, digits and hyphens, without "aws", "amazon" or "cognito". Empty means `<app>-<environment>-<8 hex digits of a hash of the account and region>`.',
  },
  authEmailFrom: {
    type: "string",
    default: "",
    description:
      "Sender of the user pool's e-mails through Amazon SES, e.g. `Photos <no-reply@example.com>` (needs authEmailSourceArn). Empty uses Cognito's own sender, limited to a few e-mails a day.",
  },
  authEmailSourceArn: {
    type: "string",
    default: "",
    description:
      "ARN of the verified SES identity (address or domain) that sends authEmailFrom's e-mails, in the stack's region or a Cognito-supported SES region.",
  },
  scanner: {
    type: "string",
    default: "guardduty",
    allowed: SCANNERS,
    description:
      "Malware scanner of the full profile: `guardduty` (Amazon GuardDuty Malware Protection for S3, nothing to build) or `clamav` (self-hosted ClamAV in container-image functions built from functions/scan/Dockerfile).",
  },
  scanMemoryMb: {
    type: "integer",
    default: NEW_ACCOUNT_MAX_MEMORY_MB,
    bounds: SCAN_MEMORY_BOUNDS,
    description:
      "Memory of the ClamAV scan function in MB (scanner clamav). New accounts are capped at 3008 until Lambda raises their quota.",
  },
  indexReconcileSchedule: {
    type: "string",
    default: "rate(1 day)",
    description:
      "When the full profile's indexer reconciles the object index with the buckets (repairing whatever an S3 event missed): an EventBridge schedule expression, `rate(<n> <unit>)` running at most every 15 minutes, or `cron(<6 fields>)` in UTC.",
  },
  // Limits checked at plan time: the request limits take their bounds from LIMIT_BOUNDS, which the
  // functions check their environment against too, so a bound cannot be widened in one place only.
  presignTtlSeconds: {
    type: "integer",
    default: 300,
    bounds: LIMIT_BOUNDS.presignTtlSeconds,
    description: "Lifetime of presigned URLs, in seconds: at most 15 minutes, so a leaked URL soon stops working.",
  },
  maxObjectBytes: {
    type: "integer",
    default: 5 * 1024 ** 3,
    bounds: LIMIT_BOUNDS.maxObjectBytes,
    unit: "bytes",
    description: "Largest object a user may upload, in bytes (S3 stores objects of at most 5 TiB).",
  },
  singlePutMaxBytes: {
    type: "integer",
    default: 16 * 1024 ** 2,
    bounds: LIMIT_BOUNDS.singlePutMaxBytes,
    unit: "bytes",
    description:
      "Uploads up to this size use one presigned PUT; larger ones use multipart. At most maxObjectBytes (and S3's 5 GiB for one PUT).",
  },
  proxyMaxBytes: {
    type: "integer",
    default: 1024 ** 2,
    bounds: LIMIT_BOUNDS.proxyMaxBytes,
    unit: "bytes",
    description:
      "Largest body the API proxies and inspects itself (pattern 4), in bytes; it reaches Lambda base64-encoded inside a request of at most 6 MB.",
  },
  allowedContentTypes: {
    type: "array",
    items: LIST_OF_STRINGS,
    default: ["image/jpeg", "image/png", "image/heic", "video/mp4", "application/pdf"],
    minItems: 1,
    description:
      "Content types users may upload: lowercase media types like `image/jpeg`, each with a row in functions/uploads/media-types.ts (the file extensions a path of that type may end in).",
  },
  userQuotaBytes: {
    type: "integer",
    default: 0,
    bounds: { min: 0, max: Number.MAX_SAFE_INTEGER },
    unit: "bytes",
    description:
      "Bytes each user may store in their home, checked before an upload is signed, counting every version (noncurrent ones until the lifecycle expires them), every open multipart upload at its declared size and every unexpired upload URL (0 = no quota).",
  },
  partUrlBatchMax: {
    type: "integer",
    default: 20,
    bounds: LIMIT_BOUNDS.partUrlBatchMax,
    description: "Most multipart part URLs signed in one request.",
  },
  cdnSessionTtlSeconds: {
    type: "integer",
    default: 3600,
    bounds: LIMIT_BOUNDS.cdnSessionTtlSeconds,
    description: "Lifetime of CloudFront signed cookies, in seconds: minutes to hours.",
  },
  cdnSigningKeys: {
    type: "array",
    items: LIST_OF_STRINGS,
    default: [...DEFAULT_SIGNING_KEYS],
    minItems: 1,
    description: `Names of CloudFront signing keys, oldest first (1 or ${MAX_SIGNING_KEYS}, unique, lowercase letters, digits and hyphens, at most 32): all are trusted, the last signs. Rotate by adding a name, then removing the old one after cdnSessionTtlSeconds (docs/cdn-key-rotation.md).`,
  },
  cdnDomainName: {
    type: "string",
    default: "",
    description: "Custom domain for CloudFront (needs cdnCertificateArn). Empty uses `*.cloudfront.net`.",
  },
  cdnCertificateArn: {
    type: "string",
    default: "",
    description: "ARN of the ACM certificate for cdnDomainName, in us-east-1 (CloudFront requires it).",
  },
  logRetentionDays: {
    type: "integer",
    default: 30,
    bounds: { min: LOG_RETENTION_DAYS[0], max: LOG_RETENTION_DAYS[LOG_RETENTION_DAYS.length - 1] },
    allowed: LOG_RETENTION_DAYS,
    description: "Retention of CloudWatch log groups, in days (a period CloudWatch Logs accepts).",
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
    bounds: { min: 1, max: 365 },
    description: "Days after which S3 aborts an unfinished multipart upload and deletes its parts.",
  },
  noncurrentVersionExpirationDays: {
    type: "integer",
    default: 30,
    bounds: { min: 1, max: 3650 },
    description: "Days a replaced or deleted object version is kept before S3 removes it.",
  },
  infrequentAccessAfterDays: {
    type: "integer",
    default: 0,
    bounds: { min: 0, max: 3650 },
    description: "Days after which objects move to STANDARD_IA: 0 = never, otherwise at least 30 (S3 moves them no sooner).",
  },
  objectExpirationDays: {
    type: "integer",
    default: 0,
    bounds: { min: 0, max: 36500 },
    description: "Days after which objects are deleted (0 = never). Must exceed infrequentAccessAfterDays when both are set.",
  },
  forceDestroy: {
    type: "boolean",
    default: false,
    description:
      "Let `pulumi destroy` delete buckets that still hold objects, the user pool, and the object index with deletion protection off. Keep false outside throwaway stacks.",
  },
} as const satisfies Record<string, ConfigKeySpec>;

export type ConfigKeyName = keyof typeof CONFIG_SCHEMA;

type KeysOfType<T extends ConfigValueType> = {
  [K in ConfigKeyName]: (typeof CONFIG_SCHEMA)[K]["type"] extends T ? K : never;
}[ConfigKeyName];

export type StringKeyName = KeysOfType<"string">;
export type IntegerKeyName = KeysOfType<"integer">;
export type BooleanKeyName = KeysOfType<"boolean">;
export type ListKeyName = KeysOfType<"array">;

/** String keys with a closed set of values, and those values' union. */
export type EnumKeyName = {
  [K in StringKeyName]: (typeof CONFIG_SCHEMA)[K] extends { allowed: readonly string[] } ? K : never;
}[StringKeyName];
export type AllowedValue<K extends EnumKeyName> = (typeof CONFIG_SCHEMA)[K]["allowed"][number];

/** Every key with its spec, in declaration order (the order of Pulumi.yaml and of the docs). */
export function configEntries(): [ConfigKeyName, ConfigKeySpec][] {
  return Object.entries(CONFIG_SCHEMA) as [ConfigKeyName, ConfigKeySpec][];
}

const BINARY_UNITS = ["KiB", "MiB", "GiB", "TiB"] as const;

/** `5 GiB` for a whole number of binary units, else undefined. */
export function binarySize(value: number): string | undefined {
  for (let power = BINARY_UNITS.length; power >= 1; power--) {
    const size = 1024 ** power;
    if (value >= size && value % size === 0) {
      return `${value / size} ${BINARY_UNITS[power - 1]}`;
    }
  }
  return undefined;
}

function formatNumber(value: number, unit: IntegerKeySpec["unit"]): string {
  const size = unit === "bytes" ? binarySize(value) : undefined;
  return size === undefined ? String(value) : `${value} (${size})`;
}

/**
 * The bounds of a key in words (`5 to 60`, ``one of `OFF`, `OPTIONAL`, `ON` ``, `at most 20
 * characters`), or undefined when it has none. Pulumi.yaml's descriptions and the docs' table both
 * show this text, so a bound is written once, here in the schema.
 */
export function boundsText(spec: ConfigKeySpec): string | undefined {
  switch (spec.type) {
    case "integer":
      if (spec.allowed) {
        return `one of ${spec.allowed.join(", ")}`;
      }
      return spec.bounds.max === Number.MAX_SAFE_INTEGER
        ? `at least ${formatNumber(spec.bounds.min, spec.unit)}`
        : `${formatNumber(spec.bounds.min, spec.unit)} to ${formatNumber(spec.bounds.max, spec.unit)}`;
    case "string":
      if (spec.allowed) {
        return `one of ${spec.allowed.map((v) => `\`${v}\``).join(", ")}`;
      }
      return spec.maxLength === undefined ? undefined : `at most ${spec.maxLength} characters`;
    case "array":
      return spec.minItems ? `at least ${spec.minItems} ${spec.minItems === 1 ? "entry" : "entries"}` : undefined;
    case "boolean":
      return undefined;
  }
}

/** One key of `Pulumi.yaml`'s `config:` section, in the project file's own schema. */
export interface ProjectConfigDeclaration {
  type: ConfigValueType;
  items?: { type: "string" };
  default: string | number | boolean | string[];
  description: string;
  secret?: boolean;
}

/** The description Pulumi.yaml carries: the schema's, followed by the bounds as a sentence. */
export function projectDescription(spec: ConfigKeySpec): string {
  const bounds = boundsText(spec);
  if (bounds === undefined) {
    return spec.description;
  }
  const sentence = /^\d/.test(bounds) ? `Range: ${bounds}` : `${bounds[0].toUpperCase()}${bounds.slice(1)}`;
  return `${spec.description} ${sentence}.`;
}

/** `Pulumi.yaml`'s whole `config:` section, as the schema produces it. */
export function projectConfigSection(): Record<ConfigKeyName, ProjectConfigDeclaration> {
  const section = {} as Record<ConfigKeyName, ProjectConfigDeclaration>;
  for (const [key, spec] of configEntries()) {
    section[key] = {
      type: spec.type,
      ...(spec.type === "array" ? { items: { type: spec.items.type } } : {}),
      default: spec.type === "array" ? [...spec.default] : spec.default,
      description: projectDescription(spec),
      ...(spec.secret ? { secret: true } : {}),
    };
  }
  return section;
}
