/**
 * The IAM policy grammar as this project writes it. Builders return these plain objects so that the
 * program, the tests (through the IAM simulator) and the local sandbox evaluate the very same JSON.
 */
export type Principal =
  | "*"
  | { AWS: string | string[] }
  | { Service: string | string[] }
  | { Federated: string | string[] };

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal?: Principal;
  Action: string | string[];
  /** Not both; trust policies have neither. */
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** Wraps statements into a document, refusing duplicate Sids (AWS rejects them in resource policies). */
export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
  const seen = new Set<string>();
  for (const s of statements) {
    if (seen.has(s.Sid)) {
      throw new Error(`duplicate statement Sid "${s.Sid}" in policy document`);
    }
    seen.add(s.Sid);
    if (s.Resource !== undefined && s.NotResource !== undefined) {
      throw new Error(`statement "${s.Sid}" has both Resource and NotResource`);
    }
  }
  return { Version: "2012-10-17", Statement: statements };
}
