import { TENANT_ID } from "@mobile-s3/contract";

/**
 * Checks of the values an administrator types, each returning the problem (for a `UsageError`
 * naming the flag) or undefined. Pure: nothing here reads the stack or calls AWS.
 */

/** AdminCreateUser takes usernames of 1-128 characters, and this pool's usernames are e-mail addresses. */
const USERNAME_MAX = 128;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * The address as the user pool will store it. Lower-cased: the program's pool does not set
 * `UsernameConfiguration`, so Cognito compares usernames case-sensitively and `Ann@x.com` would
 * otherwise become a second user beside `ann@x.com`.
 */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function emailProblem(email: string): string | undefined {
  if (email.length > USERNAME_MAX) {
    return `must be at most ${USERNAME_MAX} characters (Cognito's username limit), got ${email.length}`;
  }
  return EMAIL.test(email) ? undefined : `must be an e-mail address such as ann@example.com, got "${email}"`;
}

/** The program's own rule for tenant ids (`infra/tenancy/tenants.ts`): they become key prefixes, tags and S3 names. */
export function tenantProblem(tenant: string): string | undefined {
  return TENANT_ID.test(tenant)
    ? undefined
    : `must be 1-32 lowercase letters, digits or hyphens, not starting or ending with a hyphen (the program's tenant ids), got "${tenant}"`;
}

/** Cognito group names: 1-128 characters; whitespace is refused here because it is always a typo. */
export function groupProblem(group: string): string | undefined {
  return group.length >= 1 && group.length <= 128 && !/\s/.test(group) ? undefined : `must be a user-pool group name (1-128 characters, no spaces), got "${group}"`;
}

export function regionProblem(region: string): string | undefined {
  return /^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(region) ? undefined : `must be an AWS Region such as eu-west-1, got "${region}"`;
}

/** Pool ids are `<region>_<id>` (the DeleteUserPool reference gives the pattern `[\w-]+_[0-9a-zA-Z]+`). */
export function userPoolIdProblem(id: string): string | undefined {
  return /^[\w-]+_[0-9a-zA-Z]+$/.test(id) ? undefined : `must be a user pool id such as eu-west-1_AbC123xyz, got "${id}"`;
}

/** The Region a pool id names, when its prefix is one. */
export function regionOfUserPool(id: string): string | undefined {
  const prefix = id.split("_")[0];
  return regionProblem(prefix) === undefined ? prefix : undefined;
}

export function endpointProblem(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `must be a URL such as http://127.0.0.1:4566, got "${endpoint}"`;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? undefined : `must be an http:// or https:// URL, got "${endpoint}"`;
}
