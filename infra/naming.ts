/** Characters the AWS provider appends when it auto-names a bucket: "-" plus 7 random hex digits. */
const AUTONAME_SUFFIX_LENGTH = 8;
const BUCKET_NAME_MAX = 63;

/**
 * Logical name for a stack-scoped resource: `<app>-<env>-<purpose>`. Logical names never change after
 * the first deploy (Pulumi would replace the resource), so build them only from config that is
 * fixed per stack.
 */
export function stackResourceName(app: string, environment: string, purpose: string): string {
  return `${app}-${environment}-${purpose}`;
}

/**
 * Checks that a bucket auto-named from `logicalName` obeys S3's bucket-name rules (3-63 lowercase
 * letters, digits, hyphens; no dots, so virtual-hosted TLS certificates always match).
 */
export function assertBucketLogicalName(logicalName: string): string {
  const longest = logicalName.length + AUTONAME_SUFFIX_LENGTH;
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(logicalName) || longest > BUCKET_NAME_MAX) {
    throw new Error(
      `bucket name "${logicalName}-xxxxxxx" breaks S3's naming rules (lowercase letters, digits, hyphens, ` +
        `at most ${BUCKET_NAME_MAX} characters): shorten [app] or [environment]`,
    );
  }
  return logicalName;
}
