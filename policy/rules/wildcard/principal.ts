import { type ResourceValidationPolicy } from "@pulumi/policy";
import { type ConditionTest, conditionTests, hasWildcard, hasWildcardPrincipal, isWildcardOnly, maskVariables, type Statement } from "../../lib/policy-document";
import { type PolicyHolder, validateStatements } from "../../lib/policy-holders";

/**
 * Condition keys that can tie a wildcard principal to one caller, account, organisation, network or
 * source resource. `s3:DataAccessPoint*` is AWS's pattern for delegating a bucket to its access points.
 */
export const DEFAULT_NARROWING_KEYS = [
  "aws:SourceArn",
  "aws:SourceAccount",
  "aws:SourceOwner",
  "aws:SourceOrgID",
  "aws:SourceOrgPaths",
  "aws:PrincipalAccount",
  "aws:PrincipalArn",
  "aws:PrincipalOrgID",
  "aws:PrincipalOrgPaths",
  "aws:SourceVpce",
  "aws:SourceVpc",
  "aws:userid",
  "s3:DataAccessPointAccount",
  "s3:DataAccessPointArn",
];

interface WildcardPrincipalConfig {
  narrowingConditionKeys?: string[];
}

/** Operators that hold only when the key is present and equal to (or like) one of the values. */
const REQUIRING_OPERATORS = new Set(["stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"]);
/** Operators that compare literally: a `*` in their value is a character, not a wildcard. */
const LITERAL_OPERATORS = new Set(["stringequals", "stringequalsignorecase"]);
const STARTS_WITH_WILDCARD = /^[*?]/;

/**
 * An ARN pattern narrows when it names an account (`arn:aws:cloudfront::111122223333:distribution/*`)
 * or, for account-less S3 ARNs, starts the resource with a fixed name (`arn:aws:s3:::my-bucket*`).
 */
function arnPatternNarrows(value: string): boolean {
  const parts = maskVariables(value).split(":");
  if (parts.length < 6) {
    return false;
  }
  const account = parts[4];
  const resource = parts.slice(5).join(":");
  return account === "" ? resource !== "" && !STARTS_WITH_WILDCARD.test(resource) : !/[*?]/.test(account);
}

/**
 * Identifiers (account and organisation ids, VPC endpoint ids) are atomic: a wildcard inside one
 * (`o-*`, `1111*`) matches strangers. A wildcard only after a fixed identifier and a separator
 * (`AROAEXAMPLEID:*` for any session of one role) still narrows.
 */
function patternNarrows(value: string): boolean {
  return /^[^*?:/]+[:/]/.test(maskVariables(value).split(/[*?]/)[0]);
}

function valueNarrows(operator: string, key: string, value: string): boolean {
  if (value.replace(/\s/g, "").toLowerCase() === `\${${key}}`) {
    return false; // compares the key with itself
  }
  if (operator === "ipaddress") {
    return !/\/0$/.test(value.trim());
  }
  if (LITERAL_OPERATORS.has(operator) || !hasWildcard(value)) {
    return true;
  }
  if (isWildcardOnly(value)) {
    return false;
  }
  return /^arn:/i.test(value) || operator.startsWith("arn") ? arnPatternNarrows(value) : patternNarrows(value);
}

/** "narrows", a reason why a test on a narrowing key does not, or undefined for other keys. */
function narrowing(test: ConditionTest, keys: Set<string>): string | undefined {
  if (!keys.has(test.key.toLowerCase())) {
    return undefined;
  }
  const shown = `${test.operator} ${test.key} ${JSON.stringify(test.values.length === 1 ? test.values[0] : test.values)}`;
  let operator = test.operator.toLowerCase();
  if (operator.startsWith("forallvalues:")) {
    return `${shown} also holds when the key is absent`;
  }
  operator = operator.replace(/^foranyvalue:/, "");
  if (operator.endsWith("ifexists")) {
    return `${shown} also holds when the key is absent`;
  }
  if (!REQUIRING_OPERATORS.has(operator)) {
    return `${shown} does not require a matching value`;
  }
  if (test.values.length === 0) {
    return `${shown} has no value`;
  }
  const open = test.values.filter((v) => !valueNarrows(operator, test.key.toLowerCase(), v));
  return open.length === 0 ? "narrows" : `${shown} matches any caller`;
}

function wildcardPrincipalProblem(statement: Statement, keys: string[]): string | undefined {
  if (statement.Effect !== "Allow") {
    return undefined; // a Deny to everyone only takes away
  }
  if (statement.NotPrincipal !== undefined) {
    return "allows everyone except its NotPrincipal: replace NotPrincipal with a Principal that names who may call.";
  }
  if (!hasWildcardPrincipal(statement)) {
    return undefined;
  }
  const verdicts = conditionTests(statement)
    .map((t) => narrowing(t, new Set(keys.map((k) => k.toLowerCase()))))
    .filter((v): v is string => v !== undefined);
  if (verdicts.includes("narrows")) {
    return undefined;
  }
  const why = verdicts.length > 0 ? `under conditions that do not narrow the caller (${verdicts.join("; ")})` : "without a condition that narrows the caller";
  if (keys.length === 0) {
    return `allows Principal "*" (no condition key is configured to narrow it): name the principals instead.`;
  }
  const shownKeys = keys.length > 5 ? `${keys.slice(0, 5).join(", ")} … (narrowingConditionKeys)` : keys.join(", ");
  return (
    `allows Principal "*" ${why}: name the principals instead, or add a StringEquals/ArnEquals (or …Like) condition ` +
    `with a concrete value on one of ${shownKeys}.`
  );
}

function wildcardPrincipalPolicy(name: string, holder: PolicyHolder, what: string): ResourceValidationPolicy {
  return {
    name,
    description: `Checks that ${what} allow a wildcard principal only under a condition that narrows the caller to a concrete account, organisation, network or source, and never allow through NotPrincipal.`,
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: {
      properties: {
        narrowingConditionKeys: {
          type: "array",
          items: { type: "string" },
          default: DEFAULT_NARROWING_KEYS,
          description:
            "Condition keys that narrow a wildcard principal when a statement requires them (StringEquals, StringLike, ArnEquals, ArnLike, IpAddress; not …IfExists, ForAllValues or negated operators) to hold a concrete value.",
        },
      },
    },
    validateResource: (args, reportViolation) => {
      const keys = args.getConfig<WildcardPrincipalConfig>().narrowingConditionKeys ?? DEFAULT_NARROWING_KEYS;
      validateStatements(args, reportViolation, { holder, reportsUnreadable: true, check: (s) => wildcardPrincipalProblem(s, keys) });
    },
  };
}

export const awsS3BucketpolicyDisallowWildcardPrincipal = wildcardPrincipalPolicy(
  "aws-s3-bucketpolicy-disallow-wildcard-principal",
  "bucket",
  "bucket policies",
);

export const awsS3AccesspointDisallowWildcardPrincipal = wildcardPrincipalPolicy(
  "aws-s3-accesspoint-disallow-wildcard-principal",
  "accessPoint",
  "access point policies",
);
