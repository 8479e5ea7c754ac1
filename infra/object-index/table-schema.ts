import { INDEX_TABLE } from "@mobile-s3/contract";

/** The object index's keys and indexes in `aws.dynamodb.Table`'s terms (plain values, every one a string). */
export interface IndexTableSchema {
  attributes: { name: string; type: "S" }[];
  hashKey: string;
  rangeKey: string;
  localSecondaryIndexes: { name: string; rangeKey: string; projectionType: "ALL" }[];
  globalSecondaryIndexes: { name: string; keySchemas: { attributeName: string; keyType: "HASH" | "RANGE" }[]; projectionType: "ALL" }[];
}

/**
 * The table's layout from `INDEX_TABLE` (contract/object-index.ts), the one description the sandbox's
 * CreateTable also reads: the home partition and item sort key, the two local indexes over a home's
 * objects and the three global indexes over one folder's entries, each projecting every attribute
 * (a listing page is one Query, never a Query and then reads). Global indexes are declared by
 * `keySchemas`, the provider's successor to their deprecated `hashKey`/`rangeKey`.
 */
export function indexTableSchema(): IndexTableSchema {
  const { partitionKey, sortKey, localIndexes, globalIndexes } = INDEX_TABLE;
  const keyed = [partitionKey, sortKey, ...Object.values(localIndexes), ...Object.values(globalIndexes).flatMap((g) => [g.partitionKey, g.sortKey])];
  return {
    // DynamoDB refuses an attribute defined twice, or defined and used by no key.
    attributes: [...new Set(keyed)].map((name) => ({ name, type: "S" })),
    hashKey: partitionKey,
    rangeKey: sortKey,
    localSecondaryIndexes: Object.entries(localIndexes).map(([name, rangeKey]) => ({ name, rangeKey, projectionType: "ALL" })),
    globalSecondaryIndexes: Object.entries(globalIndexes).map(([name, keys]) => ({
      name,
      keySchemas: [
        { attributeName: keys.partitionKey, keyType: "HASH" },
        { attributeName: keys.sortKey, keyType: "RANGE" },
      ],
      projectionType: "ALL",
    })),
  };
}
