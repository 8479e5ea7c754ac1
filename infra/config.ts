import { type LifecycleSettings } from "./storage/lifecycle";

/** The Pulumi project name; config keys are `<project>:<key>`. Must equal `name` in Pulumi.yaml. */
export const PROJECT = "mobile-s3";

type ConfigType = "string" | "integer" | "boolean";

interface ConfigKey<T> {
  type: ConfigType;
  default: T;
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
    description: "Environment name used in physical names and the `env` tag. Empty means the stack name.",
  },
  owner: {
    type: "string",
    default: "platform-team",
    description: "Team or person answerable for these resources; written to the `owner` tag.",
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
    description: "Let `pulumi destroy` delete buckets that still hold objects. Keep false outside throwaway stacks.",
  },
} as const satisfies Record<string, ConfigKey<string | number | boolean>>;

export type ConfigKeyName = keyof typeof CONFIG_SCHEMA;

export interface StackConfig {
  app: string;
  environment: string;
  owner: string;
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

/** Raw string values as the Pulumi CLI hands them to the program (`pulumi config set` stores strings). */
export type RawConfig = (key: ConfigKeyName) => string | undefined;

const NAME_PART = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

function str(raw: RawConfig, key: ConfigKeyName): string {
  const value = raw(key);
  return value === undefined ? String(CONFIG_SCHEMA[key].default) : value;
}

function int(raw: RawConfig, key: ConfigKeyName, min: number, max: number, extra = ""): number {
  const text = str(raw, key).trim();
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(key, `must be an integer from ${min} to ${max}${extra}, got "${text}"`);
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

function namePart(key: ConfigKeyName, value: string, maxLength: number): string {
  if (!NAME_PART.test(value) || value.length > maxLength) {
    throw new ConfigError(
      key,
      `must be 1-${maxLength} lowercase letters, digits or hyphens, not starting or ending with a hyphen, got "${value}"`,
    );
  }
  return value;
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
  return { app, environment, owner, lifecycle, forceDestroy: bool(raw, "forceDestroy") };
}
