import { ConfigurationError, DEFAULT_ADMIN_GROUP, type Env, ENV, requireString } from "@mobile-s3/contract";
import { readTenantClaim } from "../shared/settings";

export interface AdminConfig {
  /** The table of users' revocation items (REVOCATION_TABLE: the object index). */
  table: string;
  /** The user pool whose users it signs out (USER_POOL_ID). */
  userPoolId: string;
  /** The `cognito:groups` entry of tenant administrators (ADMIN_GROUP). @default "admins" */
  adminGroup: string;
  /** The verified claim naming the caller's tenant, and the user attribute naming the target's (TENANT_CLAIM). */
  tenantClaim: string;
  /** A Cognito-compatible endpoint (COGNITO_ENDPOINT, tests); AWS's when undefined. */
  cognitoEndpoint?: string;
}

const TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
// "<region>_<id>", as Cognito names pools.
const USER_POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
// A Cognito group name: 1-128 characters without whitespace (the admin function splits on it).
const GROUP = /^[^\s,[\]]{1,128}$/;

export function loadAdminConfig(env: Env): AdminConfig {
  const table = requireString(env, ENV.revocationTable).trim();
  if (!TABLE.test(table)) {
    throw new ConfigurationError(ENV.revocationTable, `must name a DynamoDB table, got "${table}"`);
  }
  const userPoolId = requireString(env, ENV.userPoolId).trim();
  if (!USER_POOL_ID.test(userPoolId)) {
    throw new ConfigurationError(ENV.userPoolId, `must be a user pool id such as eu-west-1_AbCdEf123, got "${userPoolId}"`);
  }
  const adminGroup = env[ENV.adminGroup]?.trim() || DEFAULT_ADMIN_GROUP;
  if (!GROUP.test(adminGroup)) {
    throw new ConfigurationError(ENV.adminGroup, `must be a user-pool group name (no whitespace, commas or brackets), got "${adminGroup}"`);
  }
  const endpoint = env[ENV.cognitoEndpoint]?.trim();
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new ConfigurationError(ENV.cognitoEndpoint, `must be an http(s) URL, got "${endpoint}"`);
  }
  return { table, userPoolId, adminGroup, tenantClaim: readTenantClaim(env), ...(endpoint ? { cognitoEndpoint: endpoint } : {}) };
}
