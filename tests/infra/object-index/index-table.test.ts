import * as assert from "node:assert/strict";
import { indexTableDefinition } from "../../../functions/shared/index-table";
import { tableKeyPolicy } from "../../../infra/kms/key-policy";
import { ObjectIndexTable, type ObjectIndexTableArgs } from "../../../infra/object-index/index-table";
import { TYPE } from "../../../offline/resource-types";
import { MOCK_ACCOUNT_ID, onlyOfType, type ProgramRun, type RegisteredResource, runUnderMocks } from "../../harness/program";

const NAME = "mobile-s3-prod-index";
const T = { ...TYPE, component: "mobile-s3:object-index:ObjectIndexTable" };
const ROLES = ["uploads", "objects", "proxy", "indexer"].map((fn) => `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/mobile-s3-prod-api-${fn}-abc1234`);
const TAGS = { app: "mobile-s3", env: "prod", owner: "platform-team", "managed-by": "pulumi" };

function build(args: ObjectIndexTableArgs = { keyUserArns: ROLES, tags: TAGS }): Promise<ProgramRun> {
  return runUnderMocks(
    () => {
      const index = new ObjectIndexTable(NAME, args);
      return { tableName: index.tableName, tableArn: index.tableArn, kmsKeyArn: index.kmsKeyArn };
    },
    { stack: "prod" },
  );
}

interface TableInputs {
  attributes: { name: string; type: string }[];
  hashKey: string;
  rangeKey: string;
  billingMode: string;
  localSecondaryIndexes: { name: string; rangeKey: string; projectionType: string }[];
  globalSecondaryIndexes: { name: string; keySchemas: { attributeName: string; keyType: string }[]; projectionType: string }[];
}

/** Lists whose order means nothing to DynamoDB, by name. */
function byName<V extends { AttributeName?: string; IndexName?: string }>(values: readonly V[]): V[] {
  const name = (v: V) => v.AttributeName ?? v.IndexName ?? "";
  return [...values].sort((a, b) => name(a).localeCompare(name(b)));
}

/** The planned table in CreateTable's terms, as `indexTableDefinition` (the sandbox's CreateTable input) writes them. */
function asCreateTable(table: RegisteredResource) {
  const t = table.inputs as unknown as TableInputs;
  const partitionThen = (sortKey: string) => [
    { AttributeName: t.hashKey, KeyType: "HASH" },
    { AttributeName: sortKey, KeyType: "RANGE" },
  ];
  return {
    TableName: table.outputs.name,
    BillingMode: t.billingMode,
    AttributeDefinitions: byName(t.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type }))),
    KeySchema: partitionThen(t.rangeKey),
    LocalSecondaryIndexes: byName(t.localSecondaryIndexes.map((l) => ({ IndexName: l.name, KeySchema: partitionThen(l.rangeKey), Projection: { ProjectionType: l.projectionType } }))),
    GlobalSecondaryIndexes: byName(
      t.globalSecondaryIndexes.map((g) => ({
        IndexName: g.name,
        KeySchema: g.keySchemas.map((k) => ({ AttributeName: k.attributeName, KeyType: k.keyType })),
        Projection: { ProjectionType: g.projectionType },
      })),
    ),
  };
}

describe("infra/object-index/index-table (component under mocks)", () => {
  let run: ProgramRun;
  before(async () => (run = await build()));
  const table = () => onlyOfType(run, T.table);
  const key = () => onlyOfType(run, T.key);

  it("parents the table and its key to the mobile-s3:object-index:ObjectIndexTable component, and nothing else", () => {
    const component = onlyOfType(run, T.component);
    assert.equal(component.name, NAME);
    assert.deepEqual(run.resources.filter((r) => r.custom).map((r) => `${r.type} ${r.parent === component.urn ? "child" : r.parent}`).sort(), [
      `${T.table} child`,
      `${T.key} child`,
    ]);
  });

  it("has exactly the keys and indexes the sandbox creates (functions/shared/index-table.ts), every attribute a string, every index projecting all", () => {
    const definition = indexTableDefinition(table().outputs.name as string);
    assert.deepEqual(asCreateTable(table()), {
      ...definition,
      AttributeDefinitions: byName(definition.AttributeDefinitions),
      LocalSecondaryIndexes: byName(definition.LocalSecondaryIndexes),
      GlobalSecondaryIndexes: byName(definition.GlobalSecondaryIndexes),
    });
    // What the design names: the home partition and item sort key, two local and three global indexes.
    assert.deepEqual([definition.LocalSecondaryIndexes.length, definition.GlobalSecondaryIndexes.length], [2, 3]);
  });

  it("bills on demand and keeps 35 days of point-in-time recovery", () => {
    assert.equal(table().inputs.billingMode, "PAY_PER_REQUEST");
    assert.deepEqual(table().inputs.pointInTimeRecovery, { enabled: true, recoveryPeriodInDays: 35 });
    assert.equal(table().inputs.readCapacity, undefined);
    assert.equal(table().inputs.streamEnabled, undefined, "no stream: the indexer follows S3's events, not the table's");
  });

  it("Customer-managed encryption: encrypts with its own rotating key, not aws/dynamodb nor the AWS owned key", () => {
    assert.deepEqual(table().inputs.serverSideEncryption, { enabled: true, kmsKeyArn: key().outputs.arn });
    assert.deepEqual(table().propertyDependencies.serverSideEncryption, [key().urn]);
    assert.equal(key().name, `${NAME}-key`);
    assert.equal(key().inputs.enableKeyRotation, true);
    assert.equal(key().inputs.deletionWindowInDays, 30);
  });

  it("lets only the named roles use the key, through DynamoDB: the policy tableKeyPolicy builds for this account and region", () => {
    assert.deepEqual(JSON.parse(key().inputs.policy as string), tableKeyPolicy({ partition: "aws", accountId: MOCK_ACCOUNT_ID, region: "eu-west-1", keyUserArns: ROLES }));
  });

  it("outside throwaway stacks: deletion protection on, and pulumi destroy keeps the table and its key", () => {
    assert.equal(table().inputs.deletionProtectionEnabled, true);
    assert.equal(table().retainOnDelete, true);
    assert.equal(key().retainOnDelete, true);
  });

  it("in a throwaway stack (forceDestroy): deletion protection off, and destroy deletes both", async () => {
    const throwaway = await build({ keyUserArns: ROLES, forceDestroy: true });
    assert.equal(onlyOfType(throwaway, T.table).inputs.deletionProtectionEnabled, false);
    assert.equal(onlyOfType(throwaway, T.table).retainOnDelete, false);
    assert.equal(onlyOfType(throwaway, T.key).retainOnDelete, false);
  });

  it("tags the table and the key", () => {
    assert.deepEqual(table().inputs.tags, TAGS);
    assert.deepEqual(key().inputs.tags, TAGS);
  });

  it("outputs the table's name and ARN and the key's ARN, also as the component's outputs", () => {
    assert.deepEqual(run.outputs, { tableName: table().outputs.name, tableArn: table().outputs.arn, kmsKeyArn: key().outputs.arn });
    assert.match(run.outputs.tableArn as string, new RegExp(`^arn:aws:dynamodb:eu-west-1:${MOCK_ACCOUNT_ID}:table/${NAME}-[0-9a-f]{7}$`));
    assert.deepEqual(onlyOfType(run, T.component).outputs, run.outputs);
  });

  it("takes a transform per child", async () => {
    const transformed = await build({ keyUserArns: ROLES, transform: { table: { tableClass: "STANDARD_INFREQUENT_ACCESS" }, key: { deletionWindowInDays: 7 } } });
    assert.equal(onlyOfType(transformed, T.table).inputs.tableClass, "STANDARD_INFREQUENT_ACCESS");
    assert.equal(onlyOfType(transformed, T.table).inputs.billingMode, "PAY_PER_REQUEST", "the rest of the component's args stay");
    assert.equal(onlyOfType(transformed, T.key).inputs.deletionWindowInDays, 7);
  });

  for (const days of [0, 36, 1.5]) {
    it(`refuses a recovery period of ${days} days, naming the argument`, async () => {
      await assert.rejects(build({ recoveryPeriodDays: days }), /\[recoveryPeriodDays\] must be an integer from 1 to 35/);
    });
  }
});
