import { type DynamoDbClientSource, lazyDynamoDbClient } from "./dynamodb-sdk";
import { objectIndex, type ObjectIndex } from "./object-index";
import { type RuntimeParts } from "./runtime";

/** What a test or the sandbox may give a function in place of the DynamoDB client it builds. */
export interface IndexPorts {
  dynamodb: DynamoDbClientSource;
  index: ObjectIndex;
}

/** The object index of a function whose configuration names its table, over the client the settings describe (built on first use). */
export function indexFrom(parts: RuntimeParts<{ table: string }>, ports: Partial<IndexPorts>): ObjectIndex {
  return ports.index ?? objectIndex(ports.dynamodb ?? lazyDynamoDbClient(parts.settings.dynamodb), parts.config.table);
}
