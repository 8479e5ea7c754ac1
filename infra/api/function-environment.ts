import { ENV } from "../../functions/shared/environment";
import { type LogLevel } from "../../functions/shared/log";
import { type FunctionName } from "./catalog";
import { type ControlPlaneLimits } from "./limits";

/** Lambda refuses a function whose environment variables total more than 4 KB. */
export const LAMBDA_ENVIRONMENT_MAX_BYTES = 4096;

export interface FunctionEnvironmentInput {
  logLevel: LogLevel;
  /** How tenants map to buckets and access points, as JSON (the program's tenancy config). */
  tenantRoutingJson: string;
  limits: ControlPlaneLimits;
  /** Buckets whose events the scanner accepts. */
  bucketNames: string[];
  /** Present when the stack has a CDN; the private key itself is only ever in Secrets Manager. */
  cdn?: { domainName: string; keyPairId: string; privateKeySecretArn: string };
}

/** The argument a user changes to shrink each variable, for the size error. */
const SOURCE_ARG: Record<string, string> = {
  [ENV.tenantRouting]: "tenantRoutingJson",
  [ENV.allowedContentTypes]: "limits.allowedContentTypes",
  [ENV.scanBuckets]: "storage",
};

/**
 * The environment of one function: exactly the variables its core reads (`functions/<name>/core.ts`
 * loads them through the same `ENV` names), plus `LOG_LEVEL`.
 */
export function functionEnvironment(fn: FunctionName, input: FunctionEnvironmentInput): Record<string, string> {
  const { limits } = input;
  const routing = { [ENV.tenantRouting]: input.tenantRoutingJson };
  const contentTypes = { [ENV.allowedContentTypes]: JSON.stringify(limits.allowedContentTypes) };
  let variables: Record<string, string>;
  switch (fn) {
    case "uploads":
      variables = {
        ...routing,
        ...contentTypes,
        [ENV.presignTtlSeconds]: String(limits.presignTtlSeconds),
        [ENV.maxObjectBytes]: String(limits.maxObjectBytes),
        [ENV.singlePutMaxBytes]: String(limits.singlePutMaxBytes),
        [ENV.partUrlBatchMax]: String(limits.partUrlBatchMax),
      };
      break;
    case "objects":
      variables = { ...routing, [ENV.presignTtlSeconds]: String(limits.presignTtlSeconds) };
      break;
    case "cdn-session":
      if (input.cdn === undefined) {
        throw new Error("[cdn] is required for the cdn-session function");
      }
      variables = {
        ...routing,
        [ENV.cdnDomainName]: input.cdn.domainName,
        [ENV.cdnKeyPairId]: input.cdn.keyPairId,
        [ENV.cdnPrivateKeySecretArn]: input.cdn.privateKeySecretArn,
        [ENV.cdnSessionTtlSeconds]: String(limits.cdnSessionTtlSeconds),
      };
      break;
    case "proxy":
      variables = { ...routing, ...contentTypes, [ENV.proxyMaxBytes]: String(limits.proxyMaxBytes) };
      break;
    case "scan":
      variables = { [ENV.scanBuckets]: JSON.stringify(input.bucketNames) };
      break;
  }
  variables[ENV.logLevel] = input.logLevel;
  assertFitsLambda(fn, variables);
  return variables;
}

/** Lambda counts keys and values; fail here, naming the argument to shrink, rather than in `pulumi up`. */
function assertFitsLambda(fn: FunctionName, variables: Record<string, string>): void {
  const size = (key: string) => Buffer.byteLength(key) + Buffer.byteLength(variables[key]);
  const total = Object.keys(variables).reduce((sum, key) => sum + size(key), 0);
  if (total > LAMBDA_ENVIRONMENT_MAX_BYTES) {
    const largest = Object.keys(variables).sort((a, b) => size(b) - size(a))[0];
    const arg = SOURCE_ARG[largest] ?? largest;
    throw new Error(
      `[${arg}] makes the ${fn} function's environment ${total} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_MAX_BYTES}; ` +
        `${largest} alone is ${size(largest)} bytes`,
    );
  }
}
