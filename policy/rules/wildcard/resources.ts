import { type ResourceValidationPolicy } from "@pulumi/policy";
import { actionCoversService, actionTouchesService, globMatches, hasWildcard, isWildcardOnly, maskVariables, type Statement, stringsOf } from "../../lib/policy-document";
import { validateStatements } from "../../lib/policy-holders";

interface WildcardResourcesConfig {
  actionsAllowedOnAnyResource?: string[];
}

const STARTS_WITH_WILDCARD = /^[*?]/;

// True when a Resource entry reaches every S3 bucket or access point: `*`, `arn:aws:s3:::*`,
// `arn:aws:s3:::*/tenants/*`, `…:accesspoint/*`, or an access point in any account. A `*` after a
// fixed name (`arn:aws:s3:::bucket/tenants/*`, `…:accesspoint/app-env-*`) and policy variables
// (`${aws:PrincipalTag/tenant}`) are not.
export function reachesEveryS3Resource(resource: string): boolean {
  if (isWildcardOnly(resource)) {
    return true;
  }
  const masked = maskVariables(resource);
  if (!/^arn:/i.test(masked)) {
    return STARTS_WITH_WILDCARD.test(masked);
  }
  const parts = masked.split(":");
  if (parts.length < 6) {
    return hasWildcard(resource);
  }
  const [, , service, , account] = parts;
  const rest = parts.slice(5).join(":");
  if (!globMatches(service, "s3")) {
    return false;
  }
  if (account === "") {
    // arn:aws:s3:::<bucket>[/<key>]
    return rest === "" || STARTS_WITH_WILDCARD.test(rest);
  }
  // arn:aws:s3:<region>:<account>:accesspoint/<name>[/object/<key>], job/<id>…
  const slash = rest.indexOf("/");
  const name = slash < 0 ? rest : rest.slice(slash + 1);
  return /[*?]/.test(account) || STARTS_WITH_WILDCARD.test(rest) || name === "" || STARTS_WITH_WILDCARD.test(name);
}

function wildcardResourceProblem(statement: Statement, allowedOnAny: Set<string>): string | undefined {
  if (statement.Effect !== "Allow") {
    return undefined;
  }
  const s3ByExclusion = statement.NotAction !== undefined && !stringsOf(statement.NotAction).some((a) => actionCoversService(a, "s3"));
  const s3Actions = stringsOf(statement.Action).filter(
    (a) => actionTouchesService(a, "s3") && (hasWildcard(a) || !allowedOnAny.has(a.toLowerCase())),
  );
  if (!s3ByExclusion && s3Actions.length === 0) {
    return undefined;
  }
  const granted = s3ByExclusion ? "S3 actions (through NotAction)" : s3Actions.map((a) => `"${a}"`).join(", ");
  if (statement.NotResource !== undefined) {
    return (
      `grants ${granted} on every resource except its NotResource: replace NotResource with a Resource list ` +
      `naming the buckets, key prefixes or access points.`
    );
  }
  const open = stringsOf(statement.Resource).filter(reachesEveryS3Resource);
  if (open.length === 0) {
    return undefined;
  }
  return (
    `grants ${granted} on ${open.map((r) => `"${r}"`).join(", ")}, every bucket or access point: name the buckets, ` +
    `key prefixes or access points instead (e.g. "arn:aws:s3:::<bucket>/tenants/\${aws:PrincipalTag/tenant}/*").`
  );
}

export const awsIamPolicyDisallowS3WildcardResources: ResourceValidationPolicy = {
  name: "aws-iam-policy-disallow-s3-wildcard-resources",
  description: "Checks that IAM identity policies grant S3 actions only on named buckets, key prefixes or access points, never on \"*\" or every bucket.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      actionsAllowedOnAnyResource: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "S3 actions (exact names, e.g. \"s3:ListAllMyBuckets\") that may be granted on \"*\" because AWS authorises them on no narrower resource.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const allowed = new Set((args.getConfig<WildcardResourcesConfig>().actionsAllowedOnAnyResource ?? []).map((a) => a.toLowerCase()));
    // Documents that cannot be read are reported by aws-iam-policy-disallow-s3-wildcard-actions, once.
    validateStatements(args, reportViolation, { holder: "identity", reportsUnreadable: false, check: (s) => wildcardResourceProblem(s, allowed) });
  },
};
