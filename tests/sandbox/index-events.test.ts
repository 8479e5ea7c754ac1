import * as assert from "node:assert/strict";
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ENV, type FunctionRouting, TENANTS_ROOT } from "@mobile-s3/contract";
import { createIndexerHandler } from "../../functions/indexer/app";
import { type Logger } from "../../functions/shared/log";
import { objectIndex } from "../../functions/shared/object-index";
import { s3Store } from "../../functions/shared/s3-store";
import { indexedObjectEventsPattern } from "../../infra/object-index/event-pattern";
import { type BusFaults, EventBus, type EventPattern, seededFaults } from "../../sandbox/event-bus";
import { createIndexTable, dynamoDbClient } from "../harness/dynamodb";
import { type GatewayWorld, homeOf, startWorld, subOf } from "./iam-gateway/fixture";

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The sandbox's wiring of the object index, end to end on the engine: requests through the IAM
 * gateway → S3's events → the EventBridge stand-in (with seeded faults) → the indexer → DynamoDB.
 * Events may come twice, late or not at all (EventBridge delivers at least once, in no promised
 * order); the indexer re-reads S3 for the key each names, so duplicates and reordering change
 * nothing, and a reconciliation repairs what a lost event left behind.
 */
describe("sandbox: S3 events → bus → indexer, under lost, duplicated and reordered events", function () {
  this.timeout(120_000);
  let world: GatewayWorld;
  let dynamodb: DynamoDBClient;
  let uploads: S3Client;
  let objects: S3Client;

  before(async () => {
    dynamodb = await dynamoDbClient();
  });
  after(async () => {
    await world?.close();
    dynamodb?.destroy();
  });

  /** A world whose events go through a bus with `faults` to an indexer on a table of its own. */
  async function wire(faults: BusFaults) {
    const bus = new EventBus({ faults, retryDelaysMs: [5, 10] });
    await world?.close();
    world = await startWorld({ onS3Event: (event) => bus.publish(event), versioned: true });
    uploads = world.client(world.roles.uploads);
    objects = world.client(world.roles.objects);
    const table = await createIndexTable(dynamodb);
    const routing: FunctionRouting = { pooledBucket: world.pooled, accessPointArnPrefix: "", accessPointTenants: [], dedicatedBuckets: { initech: world.dedicated } };
    const env = { [ENV.tenantRouting]: JSON.stringify(routing), [ENV.indexTable]: table, [ENV.scanner]: "clamav", [ENV.logLevel]: "ERROR" };
    const indexer = createIndexerHandler(env, { store: s3Store(world.client(world.roles.indexer)), dynamodb, log: quiet });
    bus.addTarget({ name: "indexer", pattern: indexedObjectEventsPattern([world.pooled, world.dedicated], TENANTS_ROOT) as EventPattern, invoke: indexer });
    return { bus, indexer, index: objectIndex(dynamodb, table) };
  }

  /** Writes, overwrites and deletes in two homes of two tiers; then waits until every event was handled. */
  async function churn(bus: EventBus): Promise<void> {
    for (const [tenant, bucket] of [["acme", world.pooled], ["initech", world.dedicated]] as const) {
      const home = homeOf(tenant, "u1");
      for (let i = 0; i < 12; i++) {
        await uploads.send(new PutObjectCommand({ Bucket: bucket, Key: `${home}photos/${i}.txt`, Body: `v1 of ${i}` }));
      }
      for (let i = 0; i < 4; i++) {
        await uploads.send(new PutObjectCommand({ Bucket: bucket, Key: `${home}photos/${i}.txt`, Body: `version two of ${i}` }));
      }
      for (let i = 8; i < 12; i++) {
        await objects.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${home}photos/${i}.txt` }));
      }
    }
    await world.gateway.settled();
    await bus.drain();
  }

  /** What S3 holds in a home, and what the index says it holds: path → size and ETag. */
  async function compare(index: ReturnType<typeof objectIndex>, tenant: string, bucket: string) {
    const home = homeOf(tenant, "u1");
    const listed = await world.admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: home }));
    const inS3 = Object.fromEntries((listed.Contents ?? []).map((o) => [o.Key!.slice(home.length), `${o.Size} ${o.ETag!.replace(/"/g, "")}`]));
    const indexed = Object.fromEntries((await index.objectsOf({ tenant, home: subOf(tenant, "u1") })).map((o) => [o.path, `${o.size} ${o.etag.replace(/"/g, "")}`]));
    return { inS3, indexed };
  }

  it("duplicated and reordered events: the index holds exactly what S3 holds", async () => {
    const { bus, index } = await wire(seededFaults({ seed: 2024, duplicate: 0.3, maxDelayMs: 40 }));
    await churn(bus);
    assert.ok(bus.stats.duplicated > 0, "some events came twice");
    for (const [tenant, bucket] of [["acme", world.pooled], ["initech", world.dedicated]] as const) {
      const { inS3, indexed } = await compare(index, tenant, bucket);
      assert.equal(Object.keys(inS3).length, 8);
      assert.deepEqual(indexed, inS3, tenant);
    }
  });

  it("10% of events lost: the index misses them until a reconciliation repairs it", async () => {
    const { bus, indexer, index } = await wire(seededFaults({ seed: 7, drop: 0.1, duplicate: 0.1, maxDelayMs: 20 }));
    await churn(bus);
    assert.ok(bus.stats.dropped > 0, "this seed loses events");
    const before = await Promise.all([compare(index, "acme", world.pooled), compare(index, "initech", world.dedicated)]);
    assert.ok(before.some(({ inS3, indexed }) => JSON.stringify(inS3) !== JSON.stringify(indexed)), "a lost event leaves the index behind S3");
    for (const tenant of ["acme", "initech"]) {
      await indexer({ reconcile: { tenant } });
    }
    for (const [tenant, bucket] of [["acme", world.pooled], ["initech", world.dedicated]] as const) {
      const { inS3, indexed } = await compare(index, tenant, bucket);
      assert.deepEqual(indexed, inS3, tenant);
    }
  });
});
