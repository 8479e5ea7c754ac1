import { INDEX_TABLE } from "@mobile-s3/contract";

/**
 * The object index's table as DynamoDB's CreateTable takes it: the layout of INDEX_TABLE, every index
 * projecting all attributes (a listing page is then one Query, never a Query plus reads). The program
 * declares the same table (infra/object-index/), with point-in-time recovery, encryption under a
 * customer managed key and deletion protection, which CreateTable sets elsewhere; the sandbox and the
 * tests create this definition in their local engine.
 */
export function indexTableDefinition(tableName: string) {
  const { partitionKey, sortKey, localIndexes, globalIndexes } = INDEX_TABLE;
  const attributes = [partitionKey, sortKey, ...Object.values(localIndexes), ...new Set(Object.values(globalIndexes).flatMap((g) => [g.partitionKey, g.sortKey]))];
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: attributes.map((AttributeName) => ({ AttributeName, AttributeType: "S" as const })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: "HASH" as const },
      { AttributeName: sortKey, KeyType: "RANGE" as const },
    ],
    LocalSecondaryIndexes: Object.entries(localIndexes).map(([IndexName, attribute]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: partitionKey, KeyType: "HASH" as const },
        { AttributeName: attribute, KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "ALL" as const },
    })),
    GlobalSecondaryIndexes: Object.entries(globalIndexes).map(([IndexName, keys]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: keys.partitionKey, KeyType: "HASH" as const },
        { AttributeName: keys.sortKey, KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "ALL" as const },
    })),
  };
}
