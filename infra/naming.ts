import { createHash } from "node:crypto";

/** Characters the providers append when they auto-name a resource: "-" plus 7 random hex digits. */
export const AUTONAME_SUFFIX_LENGTH = 8;

/** The character sets AWS names are drawn from, as the services' API references state them. */
export const NAME_CHARSETS = {
  /** S3 bucket and access point names without dots (virtual-hosted TLS certificates always match). */
  s3: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
  /** Cognito hosted-UI domain prefixes. */
  cognitoDomain: /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
  /** Lowercase letters, digits and hyphens starting with a letter or digit (CloudWatch Logs deliveries). */
  lowerHyphen: /^[a-z0-9][a-z0-9-]*$/,
  /** CloudTrail trails: letters, digits, ".", "_", "-", starting and ending with a letter or digit. */
  cloudTrail: /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/,
  /** EventBridge rules. */
  eventBridgeRule: /^[A-Za-z0-9._-]+$/,
  /** CloudWatch alarm name prefixes as this project writes them. */
  alarm: /^[A-Za-z0-9._-]+$/,
  /** IAM roles and Lambda functions as Pulumi auto-names them from a component name. */
  iam: /^[A-Za-z0-9+=,.@_-]+$/,
} as const;

export interface PhysicalNameSpec {
  /** Joined with `separator` into the name. Empty parts are kept (they show up as a doubled separator). */
  parts: readonly string[];
  /** @default "-" */
  separator?: string;
  /** The most characters AWS allows for this name, counting `suffix` and `reserve`. */
  maxLength: number;
  /** @default 1 */
  minLength?: number;
  /** The name (without what `reserve` stands for) must match this. @default any characters */
  charset?: RegExp;
  /** A fixed ending appended to the name, counted in its length and returned with it. @default "" */
  suffix?: string;
  /**
   * Characters appended later by someone else (the provider's auto-name suffix, a child's own
   * ending), counted in the length but not returned.
   * @default 0
   */
  reserve?: number;
  /** The name must not match this (reserved words, IP addresses…). @default nothing refused */
  refuse?: RegExp;
  /**
   * The error message when the name breaks a rule; it should name the setting to change.
   * @default `physical name "<name>" breaks its naming rules (…)`
   */
  message?: (name: string, length: number) => string;
}

/**
 * The one place this library builds and checks physical names: joins `parts`, appends `suffix`, and
 * checks the result (plus `reserve` characters to come) against `maxLength`, `minLength`, `charset`
 * and `refuse`, so every length rule is stated once, next to the name it governs (Limits checked at
 * plan time). Returns the name; throws `message(name, length)` when it breaks a rule.
 */
export function physicalName(spec: PhysicalNameSpec): string {
  const name = `${spec.parts.join(spec.separator ?? "-")}${spec.suffix ?? ""}`;
  const length = name.length + (spec.reserve ?? 0);
  const fits = length <= spec.maxLength && name.length >= (spec.minLength ?? 1);
  const shaped = (spec.charset?.test(name) ?? true) && !(spec.refuse?.test(name) ?? false);
  if (!fits || !shaped) {
    throw new Error(
      spec.message?.(name, length) ??
        `physical name "${name}" breaks its naming rules (${spec.minLength ?? 1}-${spec.maxLength} characters${spec.charset ? `, ${spec.charset}` : ""})`,
    );
  }
  return name;
}

/** Eight hex digits of a SHA-256 over `parts`: a stable, deployment-unique name suffix. */
export function shortHash(parts: readonly string[], separator = "/"): string {
  return createHash("sha256").update(parts.join(separator)).digest("hex").slice(0, 8);
}

/**
 * Logical name for a stack-scoped resource: `<app>-<env>-<purpose>`. Logical names never change after
 * the first deploy (Pulumi would replace the resource), so build them only from config that is
 * fixed per stack.
 */
export function stackResourceName(app: string, environment: string, purpose: string): string {
  return [app, environment, purpose].join("-");
}

const BUCKET_NAME_MAX = 63;

/**
 * Checks that a bucket auto-named from `logicalName` obeys S3's bucket-name rules (3-63 lowercase
 * letters, digits, hyphens; no dots, so virtual-hosted TLS certificates always match).
 */
export function assertBucketLogicalName(logicalName: string): string {
  return physicalName({
    parts: [logicalName],
    maxLength: BUCKET_NAME_MAX,
    charset: NAME_CHARSETS.s3,
    reserve: AUTONAME_SUFFIX_LENGTH,
    message: () =>
      `bucket name "${logicalName}-xxxxxxx" breaks S3's naming rules (lowercase letters, digits, hyphens, ` +
      `at most ${BUCKET_NAME_MAX} characters): shorten [app] or [environment]`,
  });
}

/** S3 limits on names this library builds (S3 user guide: bucket naming rules, access point restrictions). */
export const S3_NAME_LIMITS = { bucket: BUCKET_NAME_MAX, accessPoint: 50 } as const;
