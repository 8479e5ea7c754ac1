import { API_FUNCTIONS, type ApiFunctionName, ROUTES } from "@mobile-s3/contract";
import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import * as assert from "node:assert/strict";
import { adminFunction } from "../../../functions/admin/app";
import { type UserSessions } from "../../../functions/admin/core";
import { cdnSessionFunction } from "../../../functions/cdn-session/app";
import { objectsFunction } from "../../../functions/objects/app";
import { proxyFunction } from "../../../functions/proxy/app";
import { type HttpHandler } from "../../../functions/shared/runtime";
import { uploadsFunction } from "../../../functions/uploads/app";
import { functionEnvironment } from "../../../infra/api/function-environment";
import { ENVIRONMENT_INPUT } from "../../infra/api/fixtures";
import { createIndexTable, dynamoDbClient, useDynamoDb } from "../../harness/dynamodb";
import { silentLogger } from "../../harness/object-index";
import { httpApiEvent } from "../fixtures";

/*
 * Per-user revocation (README "Revocation plan") against the local DynamoDB: an administrator
 * revokes a user of their tenant, and every API function refuses that user's older tokens from the
 * next request, while a token issued after the revocation works.
 */

const ADMIN = "0a000000-0000-4000-8000-000000000001";
const ALICE = "0a000000-0000-4000-8000-000000000002";
const EVE = "0a000000-0000-4000-8000-000000000003";
const START = Date.parse("2026-05-01T12:00:00Z");

/** A user pool the test watches: who is in which tenant, and what the admin function asked of it. */
function userPool(tenants: Record<string, string>) {
  const calls: string[] = [];
  const sessions: UserSessions = {
    tenantOf: (sub) => Promise.resolve(tenants[sub]),
    signOut: (sub) => Promise.resolve(void calls.push(`AdminUserGlobalSignOut ${sub}`)),
    disable: (sub) => Promise.resolve(void calls.push(`AdminDisableUser ${sub}`)),
  };
  return { sessions, calls };
}

const claims = (sub: string, tenant: string, iatMs: number, groups?: string) => ({
  sub,
  "custom:tenant": tenant,
  token_use: "id",
  iat: String(Math.floor(iatMs / 1000)),
  exp: String(Math.floor(iatMs / 1000) + 900),
  ...(groups === undefined ? {} : { "cognito:groups": groups }),
});

describe("functions/admin: POST /v1/admin/users/{sub}/revoke (local DynamoDB)", function () {
  this.timeout(30_000);
  let dynamodb: DynamoDBClient;
  let table: string;
  let clock: number;
  let pool: ReturnType<typeof userPool>;
  let handlers: Record<ApiFunctionName, HttpHandler>;

  before(async () => {
    const db = await useDynamoDb();
    dynamodb = await dynamoDbClient();
    table = await createIndexTable(dynamodb);
    const env = (fn: ApiFunctionName) => ({ ...functionEnvironment(fn, { ...ENVIRONMENT_INPUT, indexTableName: table }), DYNAMODB_ENDPOINT: db.endpoint });
    clock = START;
    const now = () => clock;
    pool = userPool({ [ADMIN]: "acme", [ALICE]: "acme", [EVE]: "globex" });
    const ports = { dynamodb, log: silentLogger, now };
    handlers = {
      uploads: uploadsFunction.createHandler(env("uploads"), ports),
      objects: objectsFunction.createHandler(env("objects"), ports),
      "cdn-session": cdnSessionFunction.createHandler(env("cdn-session"), { ...ports, readSecret: () => Promise.reject(new Error("not reached")) }),
      proxy: proxyFunction.createHandler(env("proxy"), ports),
      admin: adminFunction.createHandler(env("admin"), { ...ports, sessions: pool.sessions }),
    };
  });
  after(() => dynamodb?.destroy());

  const call = async (fn: ApiFunctionName, routeKey: string, callerClaims: Record<string, unknown>, extra: { sub?: string; body?: string } = {}) => {
    const event = { ...httpApiEvent(routeKey, callerClaims), pathParameters: extra.sub === undefined ? {} : { sub: extra.sub }, body: extra.body };
    const result = await handlers[fn](event);
    return { status: result.statusCode, body: JSON.parse(result.body ?? "null") as { error?: { code: string }; revokedAt?: string; disabled?: boolean } };
  };
  const revoke = (by: Record<string, unknown>, sub: string, body?: string) => call("admin", "POST /v1/admin/users/{sub}/revoke", by, { sub, ...(body === undefined ? {} : { body }) });

  it("refuses a caller outside the admin group 403, and an administrator of another tenant 404, revoking nobody", async () => {
    assert.equal((await revoke(claims(EVE, "globex", START), ALICE)).body.error?.code, "NotAdmin");
    assert.equal((await revoke(claims(ALICE, "acme", START, "[users]"), ADMIN)).status, 403);
    const otherTenant = await revoke(claims(EVE, "globex", START, "[admins]"), ALICE);
    assert.deepEqual([otherTenant.status, otherTenant.body.error?.code], [404, "UserNotFound"]);
    assert.deepEqual(pool.calls, []);
    assert.equal((await call("objects", "GET /v1/usage", claims(ALICE, "acme", START))).status, 200, "Alice is not revoked");
  });

  it("refuses the revoked user's older token on every route from the next request; a token issued after it works", async () => {
    const old = claims(ALICE, "acme", START);
    // Read and kept by the objects function's container before the revocation.
    assert.equal((await call("objects", "GET /v1/usage", old)).status, 200);
    clock = START + 60_000;
    const revoked = await revoke(claims(ADMIN, "acme", START, "[admins users]"), ALICE);
    assert.deepEqual([revoked.status, revoked.body.revokedAt, revoked.body.disabled], [200, new Date(clock).toISOString(), false]);
    assert.deepEqual(pool.calls, [`AdminUserGlobalSignOut ${ALICE}`]);
    // The containers that had read Alice's item keep it REVOCATION_CACHE_SECONDS (5 s): that is the bound.
    clock += 5_000;
    for (const fn of API_FUNCTIONS) {
      for (const routeKey of ROUTES[fn]) {
        const answer = await call(fn, routeKey, old, { sub: ALICE });
        assert.deepEqual([answer.status, answer.body.error?.code], [401, "TokenRevoked"], `${fn} ${routeKey}`);
      }
    }
    const fresh = claims(ALICE, "acme", clock);
    assert.equal((await call("objects", "GET /v1/usage", fresh)).status, 200, "a token from signing in again");
    assert.equal((await call("objects", "GET /v1/usage", claims(ADMIN, "acme", START))).status, 200, "other users are untouched");
  });

  it("disables the user when asked, and refuses a body it does not understand", async () => {
    pool.calls.length = 0;
    const admin = claims(ADMIN, "acme", START, "[admins]");
    assert.equal((await revoke(admin, ALICE, JSON.stringify({ disable: "yes" }))).body.error?.code, "InvalidDisable");
    assert.equal((await revoke(admin, ALICE, JSON.stringify({ tenant: "globex" }))).body.error?.code, "UnknownField");
    assert.equal((await revoke(admin, "../x")).body.error?.code, "InvalidUser");
    assert.deepEqual(pool.calls, []);
    clock += 1_000;
    const answer = await revoke(admin, ALICE, JSON.stringify({ disable: true }));
    assert.deepEqual([answer.status, answer.body.disabled], [200, true]);
    assert.deepEqual(pool.calls, [`AdminDisableUser ${ALICE}`, `AdminUserGlobalSignOut ${ALICE}`]);
  });
});
