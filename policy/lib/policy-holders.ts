import { type ReportViolation, type ResourceValidationArgs } from "@pulumi/policy";
import { readStatements, type Statement, statementLabel } from "./policy-document";
import { knownOrSkip } from "./unknown";

/** The three kinds of policy document the wildcard family reads, by the resources that carry them. */
export type PolicyHolder = "bucket" | "accessPoint" | "identity";

/** Resource token → how messages name a resource of that type. */
const HOLDERS: Record<PolicyHolder, Record<string, string>> = {
  bucket: {
    "aws:s3/bucketPolicy:BucketPolicy": "Bucket policy",
    // The inline `policy` of the bucket resource itself (deprecated in v7, still accepted).
    "aws:s3/bucket:Bucket": "Bucket",
    "aws:s3/bucketV2:BucketV2": "Bucket",
    "aws:s3control/bucketPolicy:BucketPolicy": "S3 on Outposts bucket policy",
  },
  accessPoint: {
    "aws:s3/accessPoint:AccessPoint": "Access point",
    "aws:s3control/accessPointPolicy:AccessPointPolicy": "Access point policy",
    "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": "Object Lambda access point policy",
    "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy": "Multi-Region access point policy",
  },
  identity: {
    "aws:iam/rolePolicy:RolePolicy": "Role policy",
    "aws:iam/policy:Policy": "IAM policy",
    "aws:iam/userPolicy:UserPolicy": "User policy",
    "aws:iam/groupPolicy:GroupPolicy": "Group policy",
    "aws:iam/role:Role": "Role",
  },
};

const NOT_APPLICABLE: Record<PolicyHolder, string> = {
  bucket: "Only S3 bucket policies (BucketPolicy, a bucket's inline policy, S3 on Outposts bucket policies) are checked.",
  accessPoint: "Only S3 access point policies (AccessPoint, AccessPointPolicy, Object Lambda and Multi-Region access point policies) are checked.",
  identity: "Only IAM identity policies (Policy, RolePolicy, UserPolicy, GroupPolicy, a role's inline policies) are checked.",
};

/** One policy document on a resource: how messages name it, and how to read it (may be unknown in a preview). */
interface PolicyProperty {
  subject: string;
  read: () => unknown;
}

function policyProperties(args: ResourceValidationArgs, kind: string): PolicyProperty[] {
  const subject = `${kind} "${args.name}"`;
  switch (args.type) {
    case "aws:iam/role:Role": {
      const inline = knownOrSkip(() => args.props.inlinePolicies as unknown);
      if (!Array.isArray(inline)) {
        return [];
      }
      // By index: mapping the proxy would read an element unknown in a preview and abandon the rest.
      return Array.from({ length: inline.length }, (_, i) => {
        const name = knownOrSkip(() => (inline[i] as { name?: unknown }).name);
        return {
          subject: `${subject}, inline policy ${typeof name === "string" && name !== "" ? `"${name}"` : `#${i + 1}`}`,
          read: () => (inline[i] as { policy?: unknown }).policy,
        };
      });
    }
    case "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy":
      return [{ subject, read: () => (args.props.details as { policy?: unknown } | undefined)?.policy }];
    default:
      return [{ subject, read: () => args.props.policy as unknown }];
  }
}

export interface StatementCheck {
  holder: PolicyHolder;
  /**
   * Whether this policy reports a document it cannot read. One policy per holder kind does, so a
   * broken document is reported once rather than by every policy of the family.
   */
  reportsUnreadable: boolean;
  /** What is wrong with one statement, each phrase starting with a verb and saying what to change. */
  check: (statement: Statement) => string | string[] | undefined;
}

/**
 * Runs `check` over every statement of every policy document the resource carries. Other resource
 * types are reported not applicable. A document or statement still unknown in a preview is skipped,
 * not flagged: `pulumi up` analyses again with the real values.
 */
export function validateStatements(args: ResourceValidationArgs, reportViolation: ReportViolation, spec: StatementCheck): void {
  const kind = HOLDERS[spec.holder][args.type];
  if (kind === undefined) {
    args.notApplicable(NOT_APPLICABLE[spec.holder]);
  }
  for (const property of policyProperties(args, kind)) {
    const report = spec.reportsUnreadable ? (m: string) => reportViolation(m, args.urn) : () => undefined;
    const statements = knownOrSkip(() => readStatements(property.read(), report, property.subject)) ?? [];
    statements.forEach((statement, i) => {
      const problems = knownOrSkip(() => spec.check(statement)) ?? [];
      const label = knownOrSkip(() => statementLabel(statement, i)) ?? `statement #${i + 1}`;
      for (const problem of typeof problems === "string" ? [problems] : problems) {
        reportViolation(`${property.subject}, ${label} ${problem}`, args.urn);
      }
    });
  }
}
