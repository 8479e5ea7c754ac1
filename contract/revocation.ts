/*
 * Revocation (README "Revocation plan"): the settings and records that end credentials before
 * they expire, as the program writes them and the functions and the admin CLI read them.
 */

/** An ISO 8601 instant in UTC to the second, optionally with milliseconds: `2026-05-01T12:00:00Z`. */
const UTC_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;

/**
 * Milliseconds since the epoch of an ISO 8601 UTC instant (`YYYY-MM-DDTHH:MM:SS[.sss]Z`), or
 * undefined when the text is not one or names no real date (`2026-02-30T…`). Only `Z`: IAM's
 * `DateLessThan` compares the same text, so no offset is left to be read two ways.
 */
export function parseUtcInstant(text: string): number | undefined {
  const match = UTC_INSTANT.exec(text);
  if (!match) {
    return undefined;
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== text.slice(0, 19)) {
    return undefined;
  }
  return ms;
}

/**
 * How long an API function's container keeps what it read of a user's revocation item: the bound
 * on how long a revoked token still works after `POST /v1/admin/users/{sub}/revoke`.
 */
export const REVOCATION_CACHE_SECONDS = 5;

/** The user-pool group whose members administer their own tenant's users (`cognito:groups`). */
export const DEFAULT_ADMIN_GROUP = "admins";
