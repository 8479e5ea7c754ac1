import { type DirectClientOptions } from "../../../client/src/direct";

export const REGION = "eu-west-1";
export const ALICE = "a11ce000-0000-4000-8000-000000000001";
export const IDENTITY_ID = `${REGION}:0f1e2d3c-0000-4000-8000-00000000000a`;

/**
 * An ID token as the user pool would issue it, unsigned: direct mode only reads its claims to
 * choose the prefix (the identity pool verifies it; IAM enforces the prefix).
 */
export function idToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "RS256", kid: "test" })}.${part({ token_use: "id", ...claims })}.c2lnbmF0dXJl`;
}

/** Credentials that are never sent anywhere (unit tests sign nothing, or sign only locally). */
export const FAKE_KEYS = { accessKeyId: "AKIDDIRECTTEST", secretAccessKey: "direct-test-secret", sessionToken: "direct-test-session" };

/** Options for a client of user `sub` in `tenant`, counting the calls that would precede any request. */
export function directOptions(overrides: Partial<DirectClientOptions> & { sub?: string; tenant?: string } = {}) {
  const { sub = ALICE, tenant = "acme", ...rest } = overrides;
  const calls = { getToken: 0, credentials: 0 };
  const options: DirectClientOptions = {
    region: REGION,
    identityPoolId: `${REGION}:11111111-2222-4333-8444-555555555555`,
    userPoolId: `${REGION}_TestPool1`,
    getToken: () => {
      calls.getToken++;
      return idToken({ sub, "custom:tenant": tenant });
    },
    storage: { pooledBucket: "pooled-bucket", tenants: {} },
    homeKey: "userSub",
    tenantClaim: "custom:tenant",
    credentials: async () => {
      calls.credentials++;
      return { ...FAKE_KEYS, identityId: IDENTITY_ID, expiration: new Date(Date.now() + 3600_000) };
    },
    ...rest,
  };
  return { options, calls };
}
