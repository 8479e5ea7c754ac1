import * as assert from "node:assert/strict";
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { INDEX_TABLE } from "@mobile-s3/contract";
import { createIndexTable, dynamoDbClient, useDynamoDb } from "./dynamodb";

/**
 * The local DynamoDB the index's tests run against must refuse what DynamoDB refuses (a failed
 * condition, a malformed request), or a test of a conditional write proves nothing.
 */
describe("tests/harness/dynamodb (dynalite on loopback)", function () {
  this.timeout(30_000);
  let client: DynamoDBClient;
  let table: string;
  const { partitionKey: pk, sortKey: sk } = INDEX_TABLE;
  const item = (p: string, s: string, extra: Record<string, { S: string }> = {}) => ({ [pk]: { S: p }, [sk]: { S: s }, ...extra });

  before(async () => {
    client = await dynamoDbClient();
    table = await createIndexTable(client);
  });
  after(() => client?.destroy());

  it("listens on loopback only, one instance per run", async () => {
    const db = await useDynamoDb();
    assert.match(db.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await useDynamoDb()).endpoint, db.endpoint);
  });

  it("creates the index table as indexTableDefinition describes it, ACTIVE, a new name each time", async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    assert.equal(Table?.TableStatus, "ACTIVE");
    assert.deepEqual(Table?.KeySchema?.map((k) => [k.AttributeName, k.KeyType]), [[pk, "HASH"], [sk, "RANGE"]]);
    assert.deepEqual(Table?.LocalSecondaryIndexes?.map((i) => i.IndexName).sort(), Object.keys(INDEX_TABLE.localIndexes).sort());
    assert.deepEqual(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort(), Object.keys(INDEX_TABLE.globalIndexes).sort());
    assert.notEqual(await createIndexTable(client), table);
  });

  it("refuses a conditional write whose condition fails (ConditionalCheckFailedException)", async () => {
    const put = () => client.send(new PutItemCommand({ TableName: table, Item: item("acme/u1", "u"), ConditionExpression: "attribute_not_exists(#pk)", ExpressionAttributeNames: { "#pk": pk } }));
    await put();
    await assert.rejects(put(), ConditionalCheckFailedException);
  });

  it("answers GetItem and Query over the table and a global index", async () => {
    const { byFolder } = INDEX_TABLE.globalIndexes;
    await client.send(new PutItemCommand({ TableName: table, Item: item("acme/u2", "o#a/b.txt", { [byFolder.partitionKey]: { S: "acme/u2/a/" }, [byFolder.sortKey]: { S: "b.txt" } }) }));
    const got = await client.send(new GetItemCommand({ TableName: table, Key: item("acme/u2", "o#a/b.txt"), ConsistentRead: true }));
    assert.equal(got.Item?.[sk]?.S, "o#a/b.txt");
    const folder = await client.send(
      new QueryCommand({ TableName: table, IndexName: "byFolder", KeyConditionExpression: "#fp = :fp", ExpressionAttributeNames: { "#fp": byFolder.partitionKey }, ExpressionAttributeValues: { ":fp": { S: "acme/u2/a/" } } }),
    );
    assert.deepEqual(folder.Items?.map((i) => i[byFolder.sortKey]?.S), ["b.txt"]);
  });

  it("refuses a malformed request as DynamoDB does (ValidationException)", async () => {
    await assert.rejects(client.send(new PutItemCommand({ TableName: table, Item: { [pk]: { S: "only-a-partition-key" } } })), { name: "ValidationException" });
  });

  it("refuses a consistent read of a global index and an item over 400 KB, as DynamoDB does", async () => {
    const { byFolder } = INDEX_TABLE.globalIndexes;
    await assert.rejects(
      client.send(new QueryCommand({ TableName: table, IndexName: "byFolder", ConsistentRead: true, KeyConditionExpression: "#fp = :fp", ExpressionAttributeNames: { "#fp": byFolder.partitionKey }, ExpressionAttributeValues: { ":fp": { S: "x" } } })),
      { name: "ValidationException", message: /Consistent reads are not supported on global secondary indexes/ },
    );
    await assert.rejects(client.send(new PutItemCommand({ TableName: table, Item: item("acme/u4", "u", { big: { S: "x".repeat(401 * 1024) } }) })), { name: "ValidationException", message: /Item size/ });
  });

  it("does not implement transactions (the index uses none: docs/ARCHITECTURE.md, Where the sandbox differs from AWS)", async () => {
    await assert.rejects(client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: table, Item: item("acme/u3", "u") } }] })), { name: "UnknownOperationException" });
  });
});
