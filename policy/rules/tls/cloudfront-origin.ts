import { type ResourceValidationPolicy } from "@pulumi/policy";
import { onlyFor } from "../../lib/applies-to";
import { customOriginConfigOf, DISTRIBUTION_TYPES, known, knownString, knownStrings, type Known, type Origin, originsOf, UNKNOWN, VPC_ORIGIN_TYPE } from "../../lib/cloudfront";

/** Origin SSL protocols CloudFront may use: TLS 1.2 (and 1.3, should CloudFront offer it to origins). */
const MODERN_ORIGIN_PROTOCOLS = ["TLSv1.2", "TLSv1.3"];

/** What is wrong with one origin's protocol settings, as sentences ending in the fix. */
function originProblems(protocolPolicy: string | undefined | typeof UNKNOWN, sslProtocols: string[] | typeof UNKNOWN): string[] {
  const problems: string[] = [];
  if (protocolPolicy !== UNKNOWN && protocolPolicy !== "https-only") {
    problems.push(`is reached with originProtocolPolicy "${protocolPolicy ?? "(unset)"}": set it to "https-only"`);
  }
  if (sslProtocols !== UNKNOWN) {
    const weak = sslProtocols.filter((p) => !MODERN_ORIGIN_PROTOCOLS.includes(p));
    if (weak.length > 0 || sslProtocols.length === 0) {
      const allowed = sslProtocols.length === 0 ? "no protocol" : weak.join(", ");
      problems.push(`allows ${allowed} in originSslProtocols: set it to ["TLSv1.2"]`);
    }
  }
  return problems;
}

export const awsCloudfrontDistributionEnforceOriginHttps: ResourceValidationPolicy = {
  name: "aws-cloudfront-distribution-enforce-origin-https",
  description: "Checks that CloudFront reaches custom and VPC origins over HTTPS with TLS 1.2 only.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, reportViolation) => {
    if (args.type === VPC_ORIGIN_TYPE) {
      const endpoint = known(() => args.props.vpcOriginEndpointConfig as Record<string, unknown> | undefined);
      if (endpoint === UNKNOWN || endpoint === undefined || endpoint === null) {
        return;
      }
      const problems = originProblems(
        knownString(() => endpoint.originProtocolPolicy),
        knownStrings(() => (endpoint.originSslProtocols as { items?: unknown } | undefined)?.items),
      );
      for (const problem of problems) {
        reportViolation(`VPC origin "${args.name}" ${problem}.`);
      }
      return;
    }
    onlyFor(args, DISTRIBUTION_TYPES, "Only CloudFront distributions and VPC origins have origin protocol settings.");
    const origins = originsOf(args.props);
    // Annotated: a unique symbol in an object literal would widen to `symbol`.
    const custom = origins.flatMap((origin): { origin: Origin; config: Known<Record<string, unknown>> }[] => {
      const config = customOriginConfigOf(origin);
      return config === undefined ? [] : [{ origin, config }];
    });
    if (origins.length > 0 && custom.length === 0) {
      args.notApplicable("The distribution has no custom origin (S3 and VPC origins have no origin protocol policy of their own).");
    }
    for (const { origin, config } of custom) {
      if (config === UNKNOWN) {
        continue;
      }
      const problems = originProblems(
        knownString(() => config.originProtocolPolicy),
        knownStrings(() => config.originSslProtocols),
      );
      for (const problem of problems) {
        reportViolation(`Distribution "${args.name}" ${origin.label} ${problem}.`);
      }
    }
  },
};
