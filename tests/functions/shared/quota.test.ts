import { MAX_RESERVATIONS } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ApiError } from "../../../functions/shared/errors";
import { type HomeRef, objectIndex, type ObjectIndex, type Reservation } from "../../../functions/shared/object-index";
import { MAX_OPEN_UPLOADS, reserveOrRefuse } from "../../../functions/shared/quota";
import { createIndexTable, dynamoDbClient } from "../../harness/dynamodb";

const NOW = Date.parse("2026-06-01T12:00:00Z");
let homes = 0;
const freshHome = (): HomeRef => ({ tenant: "acme", home: `0a11ce00-0000-4000-8000-${String(++homes).padStart(12, "0")}` });

const put = (id: string, bytes: number, extra: Partial<Reservation> = {}): Reservation => ({
  id,
  kind: "put",
  path: `${id}.jpg`,
  bytes,
  createdAt: NOW - 1000,
  expiresAt: NOW + 60_000,
  ...extra,
});
const multipart = (id: string, bytes: number): Reservation => ({ ...put(id, bytes), kind: "multipart", path: `${id}.mp4`, expiresAt: NOW + 86_400_000 });

const refusedWith = (status: number, code: string) => (err: unknown) => err instanceof ApiError && err.status === status && err.code === code;

/**
 * The quota's check and promise (functions/shared/quota.ts) over the object index in a local
 * DynamoDB: one conditional update of the home's usage item (docs/OBJECT-INDEX.md, "Quota"). The
 * API-level guarantees are proven through the handlers in tests/functions/uploads/quota.test.ts.
 */
describe("functions/shared/quota (reserveOrRefuse, over a local DynamoDB)", function () {
  this.timeout(60_000);
  let dynamodb: DynamoDBClient;
  let table: string;
  let index: ObjectIndex;

  before(async () => {
    dynamodb = await dynamoDbClient();
    table = await createIndexTable(dynamodb);
    index = objectIndex(dynamodb, table);
  });
  after(() => dynamodb?.destroy());

  it("records promises up to the quota exactly, and refuses the byte past it with 403 QuotaExceeded", async () => {
    const home = freshHome();
    await reserveOrRefuse(index, home, put("a", 600), { quotaBytes: 1000 }, NOW);
    await assert.rejects(reserveOrRefuse(index, home, put("b", 401), { quotaBytes: 1000 }, NOW), refusedWith(403, "QuotaExceeded"));
    await reserveOrRefuse(index, home, put("c", 400), { quotaBytes: 1000 }, NOW);
    const usage = await index.usage(home);
    assert.deepEqual([usage.reservedBytes, usage.storedBytes, usage.reservations.map((r) => r.id).sort()], [1000, 0, ["a", "c"]]);
  });

  it("refuses a single promise larger than the whole quota, in an empty home", async () => {
    await assert.rejects(reserveOrRefuse(index, freshHome(), put("huge", 1001), { quotaBytes: 1000 }, NOW), refusedWith(403, "QuotaExceeded"));
  });

  it("releases the home's lapsed promises when refused, then accepts what fits once they are gone", async () => {
    const home = freshHome();
    // An expired URL's promise (past its expiry and grace) still holds 900 bytes of the item.
    await index.reserve(home, put("expired", 900, { createdAt: NOW - 3_600_000, expiresAt: NOW - 1 }), {});
    await index.reserve(home, put("live", 50), {});
    await reserveOrRefuse(index, home, put("new", 900), { quotaBytes: 1000 }, NOW);
    const usage = await index.usage(home);
    assert.deepEqual(usage.reservations.map((r) => r.id).sort(), ["live", "new"]);
    assert.equal(usage.reservedBytes, 950);
  });

  it("still refuses when the lapsed promises freed too little, and keeps the live ones", async () => {
    const home = freshHome();
    await index.reserve(home, put("expired", 100, { expiresAt: NOW - 1 }), {});
    await index.reserve(home, put("live", 800), {});
    await assert.rejects(reserveOrRefuse(index, home, put("new", 300), { quotaBytes: 1000 }, NOW), refusedWith(403, "QuotaExceeded"));
    assert.deepEqual((await index.usage(home)).reservations.map((r) => r.id), ["live"]);
  });

  it(`caps open multipart uploads at ${MAX_OPEN_UPLOADS} (409 TooManyOpenUploads), single PUTs not counted, and an abort frees a slot`, async () => {
    const home = freshHome();
    for (let i = 0; i < MAX_OPEN_UPLOADS; i++) {
      await reserveOrRefuse(index, home, multipart(`m${i}`, 10), { maxOpenUploads: MAX_OPEN_UPLOADS }, NOW);
    }
    await assert.rejects(reserveOrRefuse(index, home, multipart("one-more", 10), { maxOpenUploads: MAX_OPEN_UPLOADS }, NOW), refusedWith(409, "TooManyOpenUploads"));
    await reserveOrRefuse(index, home, put("single", 10), { maxOpenUploads: MAX_OPEN_UPLOADS }, NOW);
    assert.equal(await index.release(home, (await index.usage(home)).reservations.find((r) => r.id === "m0")!), true);
    await reserveOrRefuse(index, home, multipart("one-more", 10), { maxOpenUploads: MAX_OPEN_UPLOADS }, NOW);
    assert.equal((await index.usage(home)).openUploads, MAX_OPEN_UPLOADS);
  });

  it("a completed multipart upload is no longer open, and releasing it does not count it closed twice", async () => {
    const home = freshHome();
    const r = multipart("done", 10);
    await reserveOrRefuse(index, home, r, { maxOpenUploads: MAX_OPEN_UPLOADS }, NOW);
    await index.markCompleted(home, r, undefined);
    await index.markCompleted(home, r, undefined);
    assert.equal((await index.usage(home)).openUploads, 0, "a retried completion closes it once");
    const completed = (await index.usage(home)).reservations.find((x) => x.id === "done")!;
    assert.equal(completed.completed, true);
    assert.equal(await index.release(home, completed), true);
    assert.equal(await index.release(home, completed), false, "already gone");
    const usage = await index.usage(home);
    assert.deepEqual([usage.openUploads, usage.reservedBytes], [0, 0]);
  });

  it("a promise refused while a concurrent release makes room is tried again, not answered with another limit's error", async () => {
    const home = freshHome();
    const blocker = put("blocker", 900);
    await index.reserve(home, blocker, {});
    // The first conditional write fails on the quota; before its refusal is explained, another
    // request's promise ends (its upload arrived and was counted, or was aborted).
    let raced = false;
    const racing = new Proxy(dynamodb, {
      get(target, name) {
        if (name !== "send") {
          return Reflect.get(target, name);
        }
        return async (command: { input: { UpdateExpression?: string } }) => {
          try {
            return await target.send(command as never);
          } catch (err) {
            if (!raced && (err as Error).name === "ConditionalCheckFailedException" && command.input.UpdateExpression?.startsWith("SET reservations.")) {
              raced = true;
              await index.release(home, blocker);
            }
            throw err;
          }
        };
      },
    });
    await reserveOrRefuse(objectIndex(racing, table), home, put("single", 200), { quotaBytes: 1000 }, NOW);
    assert.ok(raced, "the race happened");
    assert.deepEqual((await index.usage(home)).reservations.map((r) => r.id), ["single"]);
  });

  it(`holds at most ${MAX_RESERVATIONS} promises per home (409 TooManyPendingUploads)`, async () => {
    const home = freshHome();
    for (let i = 0; i < MAX_RESERVATIONS; i++) {
      assert.equal(await index.reserve(home, put(`p${i}`, 1), {}), undefined);
    }
    await assert.rejects(reserveOrRefuse(index, home, put("past", 1), {}, NOW), refusedWith(409, "TooManyPendingUploads"));
  });
});
