import { AUTONAME_SUFFIX_LENGTH, NAME_CHARSETS, physicalName, S3_NAME_LIMITS, shortHash } from "../naming";

/** Access point of tenant `t`: `<namePrefix>-<t>`. Predictable, so one policy statement covers all. */
export function accessPointPrefix(namePrefix: string): string {
  return `${namePrefix}-`;
}

/** The access point of `tenant`, checked against S3's 50 characters and its reserved `-s3alias` ending. */
export function accessPointName(namePrefix: string, tenant: string): string {
  return physicalName({
    parts: [namePrefix, tenant],
    maxLength: S3_NAME_LIMITS.accessPoint,
    refuse: /-s3alias$/,
    message: (name) =>
      `access point "${name}" for tenant "${tenant}" exceeds ${S3_NAME_LIMITS.accessPoint} characters or ends in -s3alias: shorten the tenant id, [app] or [environment]`,
  });
}

/** Logical name of the dedicated bucket of `tenant`: `<namePrefix>-t-<tenant>`, auto-name suffix to come. */
export function dedicatedBucketLogicalName(namePrefix: string, tenant: string): string {
  return physicalName({
    parts: [namePrefix, "t", tenant],
    maxLength: S3_NAME_LIMITS.bucket,
    charset: NAME_CHARSETS.s3,
    reserve: AUTONAME_SUFFIX_LENGTH,
    message: (name) =>
      `bucket name "${name}-xxxxxxx" breaks S3's naming rules (lowercase letters, digits, hyphens, ` +
      `at most ${S3_NAME_LIMITS.bucket} characters): shorten [app] or [environment]`,
  });
}

/** The physical name of `tenant`'s dedicated bucket under `pattern`, checked against S3's 63 characters. */
export function dedicatedBucketName(pattern: { prefix: string; suffix: string }, tenant: string): string {
  return physicalName({
    parts: [`${pattern.prefix}${tenant}`],
    suffix: pattern.suffix,
    maxLength: S3_NAME_LIMITS.bucket,
    message: (name) => `bucket "${name}" for tenant "${tenant}" exceeds ${S3_NAME_LIMITS.bucket} characters: shorten the tenant id, [app] or [environment]`,
  });
}

/**
 * Dedicated bucket of tenant `t`: `<namePrefix>-t-<t>-<8 hex>`. Bucket names are global; the suffix,
 * a hash of account, region and `deploymentKey`, keeps them unique per deployment while staying
 * predictable, so the app role's one templated statement can name every tenant's bucket.
 */
export function dedicatedBucketPattern(input: { namePrefix: string; accountId: string; region: string; deploymentKey: string }): {
  prefix: string;
  suffix: string;
} {
  return { prefix: `${input.namePrefix}-t-`, suffix: `-${shortHash([input.accountId, input.region, input.deploymentKey])}` };
}
