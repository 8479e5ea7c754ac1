import type * as ClientDynamoDB from "@aws-sdk/client-dynamodb";
import { type DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";

/*
 * The DynamoDB SDK, loaded on first use like the S3 SDK (s3-sdk.ts): a request that never reaches the
 * object index does not pay for loading it. Only types are imported at module scope.
 */

export type DynamoDbModule = typeof ClientDynamoDB;

let dynamoModule: Promise<DynamoDbModule> | undefined;

/** `@aws-sdk/client-dynamodb`, loaded by the first caller and shared with every later one. */
export function loadDynamoDb(): Promise<DynamoDbModule> {
  dynamoModule ??= import("@aws-sdk/client-dynamodb");
  return dynamoModule;
}

/** A client already built (sandbox, tests, benchmarks), or a function that builds one on first use (the functions). */
export type DynamoDbClientSource = DynamoDBClient | (() => Promise<DynamoDBClient>);

/** The client `config` describes, built by the first call and shared; a failed build is not remembered. */
export function lazyDynamoDbClient(config: DynamoDBClientConfig = {}): () => Promise<DynamoDBClient> {
  let client: Promise<DynamoDBClient> | undefined;
  return () => {
    client ??= loadDynamoDb()
      .then(({ DynamoDBClient }) => new DynamoDBClient(config))
      .catch((err: unknown) => {
        client = undefined;
        throw err;
      });
    return client;
  };
}

/** The SDK module (for its commands) and the client, both resolved on first use. */
export function dynamoDbConnection(source: DynamoDbClientSource): () => Promise<{ sdk: DynamoDbModule; client: DynamoDBClient }> {
  const client = typeof source === "function" ? source : () => Promise.resolve(source);
  return async () => {
    const [sdk, resolved] = await Promise.all([loadDynamoDb(), client()]);
    return { sdk, client: resolved };
  };
}

/** DynamoDB refused a write because its condition did not hold ("Condition expressions"). */
export const isConditionFailure = (err: unknown) => (err as { name?: string } | null)?.name === "ConditionalCheckFailedException";

/** A conditional write: true when DynamoDB applied it, false when its condition did not hold; any other failure is thrown. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isConditionFailure(err)) {
      return false;
    }
    throw err;
  }
}
