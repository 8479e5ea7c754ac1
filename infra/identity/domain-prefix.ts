import { NAME_CHARSETS, physicalName, shortHash } from "../naming";

/** Cognito domain prefixes: lowercase letters, digits and hyphens, at most 63, no reserved words. */
const PREFIX_MAX = 63;
const RESERVED = /aws|amazon|cognito/;

/**
 * The default hosted-UI domain prefix, `<app>-<env>-<8 hex digits>`. A prefix is unique per region
 * across every AWS account ("Using the Amazon Cognito domain for the hosted UI"), so `<app>-<env>`
 * alone would make the second adopter's `pulumi up` fail; the hash of account and region keeps each
 * deployment's own prefix stable, readable, and different from every other account's.
 */
export function defaultAuthDomainPrefix(input: { app: string; environment: string; accountId: string; region: string }): string {
  return assertAuthDomainPrefix([input.app, input.environment, shortHash([input.accountId, input.region], ":")].join("-"));
}

export function assertAuthDomainPrefix(prefix: string): string {
  return physicalName({
    parts: [prefix],
    maxLength: PREFIX_MAX,
    charset: NAME_CHARSETS.cognitoDomain,
    refuse: RESERVED,
    message: () => `[authDomainPrefix] must be 1-63 lowercase letters, digits or hyphens without "aws", "amazon" or "cognito", got "${prefix}"`,
  });
}
