import { ConfigurationError, type Env, ENV, homePartition, INDEX_TABLE, parseUtcInstant, REVOCATION_SORT_KEY, TENANT_ID, USER_SUB } from "@mobile-s3/contract";
import { type Caller } from "./api";
import { conditionally, dynamoDbConnection, type DynamoDbClientSource } from "./dynamodb-sdk";
import { ApiError } from "./errors";

/*
 * Refusing ID tokens before they expire (README "Revocation plan"). A Cognito ID token stays valid
 * to its `exp` whatever happens to the user, so every API function checks its issue time (`iat`)
 * against the stack's emergency instant (SESSIONS_REVOKED_BEFORE) before the core runs.
 */

/** SESSIONS_REVOKED_BEFORE as milliseconds since the epoch; undefined when unset or empty. */
export function readSessionsRevokedBefore(env: Env): number | undefined {
  const text = env[ENV.sessionsRevokedBefore]?.trim();
  if (text === undefined || text === "") {
    return undefined;
  }
  const instant = parseUtcInstant(text);
  if (instant === undefined) {
    throw new ConfigurationError(ENV.sessionsRevokedBefore, `must be an ISO 8601 UTC instant such as 2026-05-01T12:00:00Z, got "${text}"`);
  }
  return instant;
}

/** When the token was issued, in milliseconds (`iat` is a NumericDate: a number, or a decimal string from the authorizer). */
export function issuedAtMs(claims: Readonly<Record<string, unknown>>): number {
  const iat = Number(claims.iat);
  if (!Number.isFinite(iat)) {
    throw new ApiError(401, "InvalidToken", "Your token carries no issue time (iat): sign in again.");
  }
  return iat * 1000;
}

/** The answer to a token issued before a revocation. */
export const tokenRevoked = () => new ApiError(401, "TokenRevoked", "Your session was revoked: sign in again.");

/**
 * Refuses a caller whose token was issued before `revokedBefore`. `iat` has a resolution of one
 * second, so a token issued in the same second as the revocation is refused too (conservative).
 */
export function checkIssuedAfter(caller: Caller, revokedBefore: number | undefined): void {
  if (revokedBefore !== undefined && issuedAtMs(caller.claims) < revokedBefore) {
    throw tokenRevoked();
  }
}

/*
 * Per-user revocation: `POST /v1/admin/users/{sub}/revoke` (and `npm run admin -- users revoke`)
 * writes `revokedAt` into the user's revocation item (`r` in partition `<tenant>/<sub>`), and every
 * API function refuses their tokens issued before it. The check is one GetItem per request, kept
 * per container for REVOCATION_CACHE_SECONDS: that is how long a revoked token may still be served.
 */

/** A user's revocation item: when it was revoked (ms since the epoch), if ever. */
export interface RevocationRecords {
  revokedAt(tenant: string, sub: string): Promise<number | undefined>;
  /** Records a revocation at `at`; an earlier one is moved forward, a later one kept. */
  revoke(tenant: string, sub: string, at: number): Promise<void>;
}

export function revocationRecords(source: DynamoDbClientSource, table: string): RevocationRecords {
  const connect = dynamoDbConnection(source);
  const key = (tenant: string, sub: string) => ({
    [INDEX_TABLE.partitionKey]: { S: homePartition(tenant, sub) },
    [INDEX_TABLE.sortKey]: { S: REVOCATION_SORT_KEY },
  });
  return {
    async revokedAt(tenant, sub) {
      const { sdk, client } = await connect();
      const out = await client.send(
        new sdk.GetItemCommand({ TableName: table, Key: key(tenant, sub), ProjectionExpression: "revokedAt", ConsistentRead: true }),
      );
      const at = out.Item?.revokedAt?.N;
      return at === undefined ? undefined : Number(at);
    },
    async revoke(tenant, sub, at) {
      const { sdk, client } = await connect();
      await conditionally(() =>
        client.send(
          new sdk.UpdateItemCommand({
            TableName: table,
            Key: key(tenant, sub),
            UpdateExpression: "SET revokedAt = :at",
            // Two revocations racing: the later instant wins, whichever lands last.
            ConditionExpression: "attribute_not_exists(revokedAt) OR revokedAt < :at",
            ExpressionAttributeValues: { ":at": { N: String(at) } },
          }),
        ),
      );
    },
  };
}

/** `records` with what each user's item said kept for `ttlMs` per container (REVOCATION_CACHE_SECONDS). */
export function cachedRevocations(records: RevocationRecords, ttlMs: number, now: () => number = Date.now): RevocationRecords {
  const seen = new Map<string, { at: number | undefined; readAt: number }>();
  return {
    async revokedAt(tenant, sub) {
      const id = homePartition(tenant, sub);
      const hit = seen.get(id);
      if (hit !== undefined && now() - hit.readAt < ttlMs) {
        return hit.at;
      }
      const at = await records.revokedAt(tenant, sub);
      // Bounded: a container never holds more than it served within one lifetime of an entry.
      if (seen.size >= 10_000) {
        seen.clear();
      }
      seen.set(id, { at, readAt: now() });
      return at;
    },
    async revoke(tenant, sub, at) {
      await records.revoke(tenant, sub, at);
      seen.delete(homePartition(tenant, sub));
    },
  };
}

/** What the runtime checks every caller against. */
export interface RevocationPolicy {
  /** SESSIONS_REVOKED_BEFORE, in ms. */
  sessionsRevokedBefore?: number;
  /** Users' revocation items, and the claim naming the caller's tenant (their partition). */
  users?: { records: RevocationRecords; tenantClaim: string };
}

/**
 * Throws `401 TokenRevoked` for a caller whose token an emergency or a per-user revocation ended. A
 * caller without a usable tenant claim is let through to the core, which refuses it (`NoTenant`).
 */
export async function checkNotRevoked(caller: Caller, policy: RevocationPolicy): Promise<void> {
  checkIssuedAfter(caller, policy.sessionsRevokedBefore);
  if (policy.users === undefined) {
    return;
  }
  const tenant = caller.claims[policy.users.tenantClaim];
  if (typeof tenant !== "string" || !TENANT_ID.test(tenant) || !USER_SUB.test(caller.sub)) {
    return;
  }
  checkIssuedAfter(caller, await policy.users.records.revokedAt(tenant, caller.sub));
}
