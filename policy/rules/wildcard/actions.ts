import { type ResourceValidationPolicy } from "@pulumi/policy";
import { actionCoversService, type Statement, stringsOf } from "../../lib/policy-document";
import { type PolicyHolder, validateStatements } from "../../lib/policy-holders";

const quoted = (values: string[]) => values.map((v) => `"${v}"`).join(", ");

/** Action patterns of the statement that match every S3 action (`*`, `s3:*`, `S3:*`…); `s3:Get*` does not. */
function everyS3Action(statement: Statement): string[] {
  return stringsOf(statement.Action).filter((a) => actionCoversService(a, "s3"));
}

/** Resource policies: an Allow never lists every S3 action and never grants by exclusion (NotAction). */
function resourcePolicyProblems(statement: Statement): string[] {
  if (statement.Effect !== "Allow") {
    return [];
  }
  const problems: string[] = [];
  if (statement.NotAction !== undefined) {
    problems.push(
      `allows every action except ${quoted(stringsOf(statement.NotAction))} (NotAction): replace NotAction with an Action list of the S3 actions needed.`,
    );
  }
  const wildcards = everyS3Action(statement);
  if (wildcards.length > 0) {
    problems.push(`allows ${quoted(wildcards)}, every S3 action: list only the actions needed (e.g. "s3:GetObject", "s3:PutObject").`);
  }
  return problems;
}

/**
 * Identity policies: the same, except that a NotAction which itself excludes every S3 action grants
 * nothing in S3 and is left to other checks.
 */
function identityPolicyProblems(statement: Statement): string[] {
  if (statement.Effect !== "Allow") {
    return [];
  }
  const problems: string[] = [];
  const notActions = stringsOf(statement.NotAction);
  if (statement.NotAction !== undefined && !notActions.some((a) => actionCoversService(a, "s3"))) {
    problems.push(
      `allows every action except ${quoted(notActions)} (NotAction), S3 included: replace NotAction with an Action list of the S3 actions needed.`,
    );
  }
  const wildcards = everyS3Action(statement);
  if (wildcards.length > 0) {
    problems.push(`allows ${quoted(wildcards)}, every S3 action: list only the actions needed (e.g. "s3:GetObject", "s3:PutObject").`);
  }
  return problems;
}

function wildcardActionsPolicy(
  name: string,
  holder: PolicyHolder,
  description: string,
  check: (s: Statement) => string[],
  reportsUnreadable: boolean,
): ResourceValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: (args, reportViolation) => validateStatements(args, reportViolation, { holder, reportsUnreadable, check }),
  };
}

// Resource policies that cannot be read are reported by the wildcard-principal policies, once.
export const awsS3BucketpolicyDisallowWildcardActions = wildcardActionsPolicy(
  "aws-s3-bucketpolicy-disallow-wildcard-actions",
  "bucket",
  "Checks that bucket policies never allow every S3 action (\"s3:*\" or \"*\") and never allow through NotAction.",
  resourcePolicyProblems,
  false,
);

export const awsS3AccesspointDisallowWildcardActions = wildcardActionsPolicy(
  "aws-s3-accesspoint-disallow-wildcard-actions",
  "accessPoint",
  "Checks that access point policies never allow every S3 action (\"s3:*\" or \"*\") and never allow through NotAction.",
  resourcePolicyProblems,
  false,
);

// Identity policies that cannot be read are reported here, once.
export const awsIamPolicyDisallowS3WildcardActions = wildcardActionsPolicy(
  "aws-iam-policy-disallow-s3-wildcard-actions",
  "identity",
  "Checks that IAM identity policies never allow every S3 action (\"s3:*\" or \"*\"), directly or through a NotAction that leaves S3 in.",
  identityPolicyProblems,
  true,
);
