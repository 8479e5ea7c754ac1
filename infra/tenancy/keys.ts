/**
 * Object keys, the same in every tier: `tenants/{tenant}/home/{home}/…`. The control plane, the IAM
 * policies, the sandbox and the client all build keys here, so the direct (STS) path and the
 * presigned path address the same objects.
 */
export const TENANTS_ROOT = "tenants/";

export function tenantPrefix(tenant: string): string {
  return `${TENANTS_ROOT}${tenant}/`;
}

export function homePrefix(tenant: string, home: string): string {
  return `${tenantPrefix(tenant)}home/${home}/`;
}

/** Policy variables AWS resolves per request from the caller's STS session. */
export const TENANT_VARIABLE = "${aws:PrincipalTag/tenant}";
export const HOME_VARIABLES = {
  /** The user-pool `sub`, carried into the session as the `home` principal tag. */
  userSub: "${aws:PrincipalTag/home}",
  /** The identity pool's identity id (the seed's keying). */
  identityId: "${cognito-identity.amazonaws.com:sub}",
} as const;
