import { checkPathSegments, homePrefix, keyWithin, MAX_KEY_BYTES, TENANT_ID, USER_SUB } from "@mobile-s3/contract";
import { type Caller } from "./api";
import { badRequest, forbidden } from "./errors";

/** Where a signed-in user's objects live: `tenants/{tenant}/home/{sub}/`. */
export interface Home {
  tenant: string;
  sub: string;
  /** `tenants/{tenant}/home/{sub}/` */
  prefix: string;
}

/** The caller's home, from verified claims only. Nothing the request body says can change it. */
export function homeOf(caller: Caller, tenantClaim: string): Home {
  const tenant = caller.claims[tenantClaim];
  if (typeof tenant !== "string" || tenant === "") {
    throw forbidden("NoTenant", `Your token carries no ${tenantClaim} claim; ask an administrator to assign you to a tenant.`);
  }
  if (!TENANT_ID.test(tenant)) {
    throw forbidden("InvalidTenant", `Your token's ${tenantClaim} claim is not a valid tenant id.`);
  }
  if (!USER_SUB.test(caller.sub)) {
    throw forbidden("InvalidSubject", "Your token's sub claim is not a valid user id.");
  }
  return { tenant, sub: caller.sub, prefix: homePrefix(tenant, caller.sub) };
}

function checkSegments(path: unknown, what: string, allowTrailingSlash: boolean): string {
  const checked = checkPathSegments(path, allowTrailingSlash);
  if ("problem" in checked) {
    throw badRequest(checked.problem.code, `${what} ${checked.problem.rule}.`);
  }
  return checked.path;
}

/**
 * The one way any handler turns a caller's relative path into an object key. It refuses anything
 * that could leave the home: traversal, absolute paths, backslashes, control characters,
 * percent-encoding, Unicode look-alike separators (after NFC and NFKC), overlong names and
 * reserved segments.
 */
export function userKey(home: Home, relativePath: string): string {
  if (relativePath === "" || relativePath === undefined) {
    throw badRequest("InvalidPath", "path is required: the object's path relative to your home, such as photos/cat.jpg.");
  }
  const key = keyWithin(home.prefix, checkSegments(relativePath, "path", false));
  if (key === undefined) {
    throw badRequest("PathTooLong", `path is too long: the full key must be at most ${MAX_KEY_BYTES} bytes.`);
  }
  return key;
}

/** A listing prefix under the home: "" (everything) or a path, optionally ending with "/". */
export function userPrefix(home: Home, relativePrefix: string | undefined): string {
  if (relativePrefix === undefined || relativePrefix === "") {
    return home.prefix;
  }
  return `${home.prefix}${checkSegments(relativePrefix, "prefix", true)}`;
}

/** The caller-facing path of a key in their home. */
export function relativePath(home: Home, key: string): string {
  if (!key.startsWith(home.prefix)) {
    throw new Error("key outside the caller's home");
  }
  return key.slice(home.prefix.length);
}
