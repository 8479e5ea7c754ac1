import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, PutBucketVersioningCommand, type S3Client } from "@aws-sdk/client-s3";
import { createIndexerHandler } from "../../functions/indexer/app";
import { type IndexerOutcome } from "../../functions/indexer/core";
import { objectIndex, type ObjectIndex } from "../../functions/shared/object-index";
import { s3Store } from "../../functions/shared/s3-store";
import { type ObjectStore } from "../../functions/shared/store";
import { s3ObjectEvent, type S3ObjectEventKind } from "../../sandbox/s3-events";
import { createIndexTable, dynamoDbClient, useDynamoDb } from "./dynamodb";
import { engineClient, emptyAndDeleteBucket, type S3Engine, useS3Engine } from "./s3-engine";

/**
 * A versioned bucket in the real S3 engine and an object index table in the local DynamoDB, with
 * the indexer built as Lambda builds it: what the functions' tests need to run against the index.
 * `notify` hands the indexer the event S3 would send for a key, as EventBridge would.
 */
export interface IndexWorld {
  engine: S3Engine;
  bucket: string;
  table: string;
  s3: S3Client;
  dynamodb: DynamoDBClient;
  store: ObjectStore;
  index: ObjectIndex;
  /** The environment every function needs for this world (routing, table, endpoints). */
  env: Record<string, string>;
  indexer: (event: unknown) => Promise<IndexerOutcome>;
  /** One "Object Created" event for `key`, as S3 sends it (the indexer reads the rest from S3). */
  notify(key: string, kind?: "created" | "deleted" | "tagsAdded"): Promise<IndexerOutcome>;
  close(): Promise<void>;
}

let sequence = 0;

/**
 * The event S3 sends EventBridge for a change of `key` in `bucket` (the indexer reads the rest from
 * S3), each with a sequencer of its own, as S3 gives every change.
 */
export function objectEvent(bucket: string, key: string, region: string, kind: S3ObjectEventKind = "created") {
  sequence += 1;
  return s3ObjectEvent({
    kind,
    bucket,
    key,
    account: "123456789012",
    region,
    requester: "123456789012",
    sourceIp: "127.0.0.1",
    requestId: `req-${sequence}`,
    sequencer: sequence.toString(16).padStart(16, "0"),
  });
}

export async function startIndexWorld(options: { scanner?: "clamav" | "guardduty"; env?: Record<string, string> } = {}): Promise<IndexWorld> {
  const engine = await useS3Engine();
  const db = await useDynamoDb();
  const s3 = engineClient(engine);
  const bucket = `index-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
  const dynamodb = await dynamoDbClient();
  const table = await createIndexTable(dynamodb);
  const store = s3Store(s3);
  const env = {
    TENANT_ROUTING: JSON.stringify({ pooledBucket: bucket, accessPointArnPrefix: "arn:aws:s3:us-east-1:123456789012:accesspoint/x-", accessPointTenants: [], dedicatedBuckets: {} }),
    INDEX_TABLE: table,
    DYNAMODB_ENDPOINT: db.endpoint,
    SCANNER: options.scanner ?? "clamav",
    S3_ENDPOINT: engine.endpoint,
    ...options.env,
  };
  const indexer = createIndexerHandler(env, { store, dynamodb, log: silentLogger });
  return {
    engine,
    bucket,
    table,
    s3,
    dynamodb,
    store,
    index: objectIndex(dynamodb, table),
    env,
    indexer,
    notify(key, kind = "created") {
      return indexer(objectEvent(bucket, key, engine.region, kind));
    },
    async close() {
      await emptyAndDeleteBucket(s3, bucket).catch(() => undefined);
      s3.destroy();
      dynamodb.destroy();
    },
  };
}

export const silentLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
