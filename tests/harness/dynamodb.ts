import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { randomBytes } from "node:crypto";
import { indexTableDefinition } from "../../functions/shared/index-table";
import { type LocalDynamoDb } from "../../sandbox/dynamodb";

// Loaded on first use: the root hook imports this file in every run, most of which need no DynamoDB.
const local = () => import("../../sandbox/dynamodb");

let shared: Promise<LocalDynamoDb> | undefined;

/**
 * The local DynamoDB of this test run (dynalite on 127.0.0.1, in memory, the sandbox's own:
 * sandbox/dynamodb.ts), started by the first suite that asks and stopped by the root hook after the
 * last. Suites share it: each creates tables of its own (`createIndexTable`).
 */
export function useDynamoDb(): Promise<LocalDynamoDb> {
  shared ??= local().then((m) => m.startLocalDynamoDb());
  return shared;
}

/** Called by the root hook: stops the shared DynamoDB if a suite started it. */
export async function releaseDynamoDb(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current) {
    await current.then(
      (db) => db.close(),
      () => undefined,
    );
  }
}

/** A client for the shared DynamoDB (dummy credentials, its region); `destroy()` it when done. */
export async function dynamoDbClient(): Promise<DynamoDBClient> {
  return (await useDynamoDb()).client();
}

/**
 * Creates the object index's table (`indexTableDefinition`, what the program and the sandbox
 * create) and waits until it is ACTIVE. Each call gets a table of its own unless `name` is given.
 */
export async function createIndexTable(client: DynamoDBClient, name = `index-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`): Promise<string> {
  await (await local()).createTable(client, indexTableDefinition(name));
  return name;
}
