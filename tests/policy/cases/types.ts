import { type AnalyzerInput, type PolicyPackConfig } from "../../harness/policy-pack";

/** One situation a policy is shown: the resources the engine would send, and optional pack config. */
export interface PolicyCase {
  label: string;
  /** Resource policies: each resource is sent to `analyze`. Stack policies: all go to one `analyzeStack`. */
  resources: AnalyzerInput[];
  /** Pack config for this case only (schema defaults apply to everything else). */
  config?: PolicyPackConfig;
}

/**
 * Everything one policy is shown, in the shape the runner (tests/policy/rules.test.ts) drives over
 * the real analyzer protocol. Every policy of the pack must have a table, with at least three
 * non-compliant cases that each break one thing, one compliant case, and one unrelated resource
 * type that the policy reports as not applicable.
 */
export interface PolicyCases {
  policy: string;
  kind: "resource" | "stack";
  nonCompliant: PolicyCase[];
  compliant: PolicyCase[];
  notApplicable: PolicyCase[];
  /** Remediable policies: what the remediation turns a violating resource into. */
  remediation?: { input: AnalyzerInput; expected: Record<string, unknown> };
}
