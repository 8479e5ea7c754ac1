import { createHash } from "node:crypto";

/** Access point of tenant `t`: `<app>-<env>-<t>`. Predictable, so one policy statement covers all. */
export function accessPointPrefix(app: string, environment: string): string {
  return `${app}-${environment}-`;
}

/**
 * Dedicated bucket of tenant `t`: `<app>-<env>-t-<t>-<8 hex>`. Bucket names are global; the suffix,
 * derived from account, region and stack, keeps them unique per deployment while staying
 * predictable, so the app role's one templated statement can name every tenant's bucket.
 */
export function dedicatedBucketPattern(input: {
  app: string;
  environment: string;
  accountId: string;
  region: string;
  project: string;
  stack: string;
}): { prefix: string; suffix: string } {
  const hash = createHash("sha256").update([input.accountId, input.region, input.project, input.stack].join("/")).digest("hex");
  return { prefix: `${input.app}-${input.environment}-t-`, suffix: `-${hash.slice(0, 8)}` };
}
