import { ADMIN_ROUTES, type ErrorBody, type RevokedUser, USER_SUB } from "@mobile-s3/contract";
import { type ApiResponse, type AuthenticatedRequest, type HttpContext, jsonBody } from "../shared/api";
import { badRequest, forbidden, notFound } from "../shared/errors";
import { homeOf } from "../shared/keys";
import { type RevocationRecords } from "../shared/revocation";
import { type AdminConfig } from "./config";

/** The user-pool calls a revocation makes (Cognito in AWS; a stand-in in the sandbox and the tests). */
export interface UserSessions {
  /** The user's tenant attribute; undefined when the pool has no such user. */
  tenantOf(sub: string): Promise<string | undefined>;
  /** Ends the user's refresh tokens (AdminUserGlobalSignOut). */
  signOut(sub: string): Promise<void>;
  /** Stops the user signing in again (AdminDisableUser). */
  disable(sub: string): Promise<void>;
}

export interface AdminDeps {
  records: RevocationRecords;
  sessions: UserSessions;
  now: () => number;
}

export type AdminAnswer = RevokedUser | ErrorBody;

/**
 * `cognito:groups`: an array from a verifier, and a string `[a b]` from API Gateway's JWT
 * authorizer, which hands every claim over as a string.
 */
export function groupsOf(claims: Readonly<Record<string, unknown>>): string[] {
  const groups = claims["cognito:groups"];
  if (Array.isArray(groups)) {
    return groups.filter((g): g is string => typeof g === "string");
  }
  if (typeof groups === "string") {
    return groups.replace(/^\[|\]$/g, "").split(/[\s,]+/).filter((g) => g !== "");
  }
  return [];
}

function disableOf(request: AuthenticatedRequest): boolean {
  if (request.body === undefined || request.body === "") {
    return false;
  }
  const body = jsonBody(request);
  const unknown = Object.keys(body).find((k) => k !== "disable");
  if (unknown !== undefined) {
    throw badRequest("UnknownField", `This route takes only "disable", not ${JSON.stringify(unknown.slice(0, 64))}.`);
  }
  if (body.disable !== undefined && typeof body.disable !== "boolean") {
    throw badRequest("InvalidDisable", '"disable" must be true or false.');
  }
  return body.disable === true;
}

/**
 * `POST /v1/admin/users/{sub}/revoke`, by an administrator of the user's own tenant: records the
 * revocation first (every API function refuses the user's older tokens from then on), then
 * disables the user if asked, then signs them out of Cognito (their refresh tokens end).
 */
export async function handleAdminRequest(request: AuthenticatedRequest, { config, deps }: HttpContext<AdminConfig, AdminDeps>): Promise<ApiResponse<AdminAnswer>> {
  if (request.routeKey !== ADMIN_ROUTES[0]) {
    throw notFound("RouteNotFound", `This function does not serve ${request.routeKey}.`);
  }
  const { tenant } = homeOf(request.caller, config.tenantClaim);
  if (!groupsOf(request.caller.claims).includes(config.adminGroup)) {
    throw forbidden("NotAdmin", `Only members of the ${config.adminGroup} group may revoke users.`);
  }
  const sub = request.pathParameters.sub ?? "";
  if (!USER_SUB.test(sub)) {
    throw badRequest("InvalidUser", "The path's {sub} is not a user id.");
  }
  const disable = disableOf(request);
  // Another tenant's user answers as one that does not exist: no way to learn who is in another tenant.
  if ((await deps.sessions.tenantOf(sub)) !== tenant) {
    throw notFound("UserNotFound", "Your tenant has no such user.");
  }
  const at = deps.now();
  await deps.records.revoke(tenant, sub, at);
  if (disable) {
    await deps.sessions.disable(sub);
  }
  await deps.sessions.signOut(sub);
  return { status: 200, body: { sub, revokedAt: new Date(at).toISOString(), disabled: disable } };
}
