import { isUnknownValueError } from "./unknown";

/** Just enough of the IAM policy grammar to inspect resource and identity policies. */
export interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A policy that parses but is not an IAM policy document (a number, a list, statements that are not objects). */
export class NotAPolicyDocumentError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = "NotAPolicyDocumentError";
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * A policy given as a JSON string (hand-written, `JSON.stringify`, or the `json` of
 * `aws.iam.getPolicyDocument`) or as an object. Returns undefined when there is none; throws when it
 * is not JSON or not a policy document, so the rule can say so instead of passing a policy it cannot read.
 */
export function statementsOf(policy: unknown): Statement[] | undefined {
  if (policy === undefined || policy === null || policy === "") {
    return undefined;
  }
  const doc: unknown = typeof policy === "string" ? JSON.parse(policy) : policy;
  if (!isObject(doc)) {
    throw new NotAPolicyDocumentError("it is not a JSON object with a Statement");
  }
  const statements = asArray(doc.Statement as unknown);
  if (!statements.every(isObject)) {
    throw new NotAPolicyDocumentError("its Statement holds entries that are not objects");
  }
  return statements as Statement[];
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

/** One test of a Condition block: `{ operator: { key: values } }` flattened. */
export interface ConditionTest {
  operator: string;
  key: string;
  values: string[];
}

/** Every test of the statement's Condition block; all of them must hold for the statement to apply. */
export function conditionTests(statement: Statement): ConditionTest[] {
  return Object.entries(statement.Condition ?? {}).flatMap(([operator, block]) =>
    Object.entries(block ?? {}).map(([key, values]) => ({ operator, key, values: asArray(values as unknown).map(String) })),
  );
}

/** True when an action list covers every S3 action. */
export function coversAllS3(statement: Statement): boolean {
  return asArray(statement.Action).some((a) => a === "*" || a.toLowerCase() === "s3:*");
}

/**
 * The statements of a policy property, reporting (instead of throwing) a policy that is not JSON or
 * not a policy document. `subject` names what holds the policy in the message (e.g. `Bucket policy "p"`).
 * A value unknown in a preview is rethrown, for the caller's `knownOrSkip`.
 */
export function readStatements(policy: unknown, reportViolation: (m: string) => void, subject = "Policy"): Statement[] {
  try {
    return statementsOf(policy) ?? [];
  } catch (err) {
    if (isUnknownValueError(err)) {
      throw err;
    }
    reportViolation(
      err instanceof NotAPolicyDocumentError
        ? `${subject} is not an IAM policy document (${err.message}): fix the document so it can be checked.`
        : `${subject} is not valid JSON: fix the document so it can be checked.`,
    );
    return [];
  }
}

/** How messages name a statement: its Sid, or its position when it has none. */
export function statementLabel(statement: Statement, index: number): string {
  return typeof statement.Sid === "string" && statement.Sid !== "" ? `statement "${statement.Sid}"` : `statement #${index + 1} (no Sid)`;
}

/**
 * Policy variables (`${aws:PrincipalTag/tenant}`, `${cognito-identity.amazonaws.com:sub}`, and the
 * escapes `${*}` `${?}` `${$}`) each stand for one value resolved per request, never a pattern, so
 * they are masked by one ordinary character before looking for wildcards.
 */
export function maskVariables(value: string): string {
  return value.replace(/\$\{[^}]*\}/g, "v");
}

const WILDCARD = /[*?]/;

/** True when the value holds a `*` or `?` wildcard outside policy variables. */
export function hasWildcard(value: string): boolean {
  return WILDCARD.test(maskVariables(value));
}

/** True when the value is nothing but wildcards (`*`, `?*`…): it matches anything. */
export function isWildcardOnly(value: string): boolean {
  const masked = maskVariables(value);
  return masked.length > 0 && /^[*?]+$/.test(masked) && masked.includes("*");
}

/** Case-insensitive IAM glob match (`*` any run, `?` one character). */
export function globMatches(pattern: string, text: string): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, "i").test(text);
}

function splitAction(action: string): { service: string; name: string | undefined } {
  const colon = action.indexOf(":");
  return colon < 0 ? { service: action, name: undefined } : { service: action.slice(0, colon), name: action.slice(colon + 1) };
}

/** True when the action pattern (`*`, `s3:*`, `S3:*`…) matches every action of `service`. */
export function actionCoversService(action: string, service: string): boolean {
  const { service: s, name } = splitAction(action);
  return name === undefined ? isWildcardOnly(s) : globMatches(s, service) && isWildcardOnly(name);
}

/** True when the action pattern matches at least some action of `service` (`s3:GetObject`, `s3:Get*`, `*`). */
export function actionTouchesService(action: string, service: string): boolean {
  const { service: s, name } = splitAction(action);
  return name === undefined ? isWildcardOnly(s) : globMatches(s, service);
}

/** The strings of a policy element that may be a string or a list (`Action`, `Resource`…); anything else is ignored. */
export function stringsOf(value: unknown): string[] {
  return asArray(value as unknown).filter((v): v is string => typeof v === "string");
}
