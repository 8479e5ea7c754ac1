import { type FunctionName } from "@mobile-s3/contract";
import { functionEnvironment } from "../../infra/api/function-environment";
import { parseResolvedConfig, resolveStackConfig } from "../../offline/stack-config";

/** The region the runtime sets; module-scope clients read it when they are built. */
export const BENCH_REGION = "eu-central-1";

export const POOLED_BUCKET = "photos-bench-storage-0123abc";
const DEDICATED_BUCKET = "photos-bench-t-initech-0123abcd";
/** The object index's table, named as the program names it (`<app>-<environment>-index` and a suffix). */
export const BENCH_INDEX_TABLE = "photos-bench-index-0123abc";

/**
 * Each function's environment as the program would set it for a stack with one tenant per tier:
 * built by the program's own builder, so a function that reads a new variable at cold start gets
 * it here too. The values are plausible, never real: nothing is called at module scope.
 */
export function benchFunctionEnvironment(fn: FunctionName): Record<string, string> {
  return functionEnvironment(fn, {
    logLevel: "INFO",
    tenantRoutingJson: JSON.stringify({
      pooledBucket: POOLED_BUCKET,
      accessPointArnPrefix: `arn:aws:s3:${BENCH_REGION}:123456789012:accesspoint/photos-bench-`,
      accessPointTenants: ["globex"],
      dedicatedBuckets: { initech: DEDICATED_BUCKET },
    }),
    // The limits a stack gets from Pulumi.yaml's defaults and the dev stack file.
    limits: parseResolvedConfig(resolveStackConfig({ stack: "dev" })).limits,
    bucketNames: [POOLED_BUCKET, DEDICATED_BUCKET],
    scanner: "guardduty",
    indexTableName: BENCH_INDEX_TABLE,
    userPoolId: `${BENCH_REGION}_BENCH`,
    cdn: {
      domainName: "d111111abcdef8.cloudfront.net",
      keyPairId: "K2JCJMDEHXQW5F",
      privateKeySecretArn: `arn:aws:secretsmanager:${BENCH_REGION}:123456789012:secret:photos-bench-api-cdn-key-AbCdEf`,
    },
  });
}
