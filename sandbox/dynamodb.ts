import { CreateTableCommand, type CreateTableCommandInput, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { type AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { type StackConfig } from "../infra/config";
import { type ProgramRun } from "../offline/run-program";

/*
 * DynamoDB on loopback for the object index: dynalite (DynamoDB's JSON protocol over LevelDB, in
 * memory here), which validates requests as DynamoDB does and implements what the index uses:
 * single-item conditional writes, GetItem, Query over the table and its indexes. What it does not
 * do is listed in docs/ARCHITECTURE.md ("Where the sandbox differs from AWS").
 */

/** dynalite checks that requests are signed, not by whom. */
export const LOCAL_DYNAMODB_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  region: string;
  /** A new client for it; the caller destroys it. */
  client(): DynamoDBClient;
  /** Stops it (its data is in memory: gone). */
  close(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 on a free port; tables become ACTIVE at once. */
export async function startLocalDynamoDb(options: { region?: string } = {}): Promise<LocalDynamoDb> {
  const region = options.region ?? "us-east-1";
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  return {
    endpoint,
    region,
    client: () => new DynamoDBClient({ endpoint, region, credentials: LOCAL_DYNAMODB_CREDENTIALS }),
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Clients keep idle connections open; the server would wait for them.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** Creates the table and waits until it is ACTIVE, as `pulumi up` does before anything uses it. */
export async function createTable(client: DynamoDBClient, definition: CreateTableCommandInput, timeoutMs = 10_000): Promise<void> {
  await client.send(new CreateTableCommand(definition));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: definition.TableName }));
    if (Table?.TableStatus === "ACTIVE") {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`table ${definition.TableName} is still ${Table?.TableStatus ?? "unknown"} after ${timeoutMs} ms`);
    }
    await sleep(20);
  }
}

const TABLE = "aws:dynamodb/table:Table";

/**
 * The index table's name: the one the program gives its table when it plans one (its physical
 * name under mocks), else `<app>-<environment>-index`.
 */
export function indexTableName(run: ProgramRun, config: Pick<StackConfig, "app" | "environment">): string {
  const planned = run.resources.filter((r) => r.type === TABLE);
  if (planned.length > 1) {
    throw new Error(`the program plans ${planned.length} DynamoDB tables (${planned.map((t) => t.name).join(", ")}); the sandbox knows only the object index`);
  }
  const table = planned[0];
  const name = [table?.outputs.name, table?.inputs.name, table?.id].find((v): v is string => typeof v === "string" && v !== "");
  return name ?? `${config.app}-${config.environment}-index`;
}
