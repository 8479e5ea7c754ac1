import { isUnknownValueError } from "./unknown";

/** Just enough of the IAM policy grammar to inspect resource policies. */
export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * A policy given as a JSON string or an object. Returns undefined when there is none; throws
 * when it is not JSON, so the rule can say so instead of passing a policy it cannot read.
 */
export function statementsOf(policy: unknown): Statement[] | undefined {
  if (policy === undefined || policy === null || policy === "") {
    return undefined;
  }
  const doc = typeof policy === "string" ? (JSON.parse(policy) as { Statement?: unknown }) : (policy as { Statement?: unknown });
  return asArray(doc.Statement as Statement | Statement[] | undefined);
}

/** True when the statement's principal is everyone (`"*"` or `{"AWS": "*"}` or a list holding "*"). */
export function hasWildcardPrincipal(statement: Statement): boolean {
  const p = statement.Principal;
  if (p === "*") {
    return true;
  }
  if (p !== null && typeof p === "object") {
    return Object.values(p as Record<string, unknown>).some((v) => asArray(v as string | string[]).includes("*"));
  }
  return false;
}

/** Condition keys, lower-cased, used anywhere in the statement's Condition block. */
export function conditionKeys(statement: Statement): string[] {
  return Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block ?? {}).map((k) => k.toLowerCase()));
}

/** The value a condition operator tests for one key, case-insensitively on the key. */
export function conditionValues(statement: Statement, operator: string, key: string): string[] {
  const block = statement.Condition?.[operator];
  if (!block) {
    return [];
  }
  const hit = Object.entries(block).find(([k]) => k.toLowerCase() === key.toLowerCase());
  return hit ? asArray(hit[1] as string | string[]).map(String) : [];
}

/** True when an action list covers every S3 action. */
export function coversAllS3(statement: Statement): boolean {
  return asArray(statement.Action).some((a) => a === "*" || a.toLowerCase() === "s3:*");
}

/**
 * The statements of a policy property, reporting (instead of throwing) a policy that is not JSON.
 * A value unknown in a preview is rethrown, for the caller's `knownOrSkip`.
 */
export function readStatements(policy: unknown, reportViolation: (m: string) => void): Statement[] {
  try {
    return statementsOf(policy) ?? [];
  } catch (err) {
    if (isUnknownValueError(err)) {
      throw err;
    }
    reportViolation("Policy is not valid JSON: fix the document so it can be checked.");
    return [];
  }
}
