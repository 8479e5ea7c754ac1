import { createHash } from "node:crypto";

/** Cognito domain prefixes: lowercase letters, digits and hyphens, at most 63, no reserved words. */
const PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED = /aws|amazon|cognito/;

/**
 * The default hosted-UI domain prefix, `<app>-<env>-<8 hex digits>`. A prefix is unique per region
 * across every AWS account ("Using the Amazon Cognito domain for the hosted UI"), so `<app>-<env>`
 * alone would make the second adopter's `pulumi up` fail; the hash of account and region keeps each
 * deployment's own prefix stable, readable, and different from every other account's.
 */
export function defaultAuthDomainPrefix(input: { app: string; environment: string; accountId: string; region: string }): string {
  const digest = createHash("sha256").update(`${input.accountId}:${input.region}`).digest("hex").slice(0, 8);
  return assertAuthDomainPrefix(`${input.app}-${input.environment}-${digest}`);
}

export function assertAuthDomainPrefix(prefix: string): string {
  if (!PREFIX.test(prefix) || RESERVED.test(prefix)) {
    throw new Error(
      `[authDomainPrefix] must be 1-63 lowercase letters, digits or hyphens without "aws", "amazon" or "cognito", got "${prefix}"`,
    );
  }
  return prefix;
}
