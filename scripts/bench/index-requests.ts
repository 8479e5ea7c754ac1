import { type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { indexTableDefinition } from "../../functions/shared/index-table";
import { type HttpApiEvent, type HttpApiResult } from "../../functions/shared/http-api";
import { type Logger } from "../../functions/shared/log";
import { type HomeRef, objectIndex, type ObjectIndex } from "../../functions/shared/object-index";
import { type HttpHandler } from "../../functions/shared/runtime";
import { s3Client } from "../../functions/shared/s3-client";
import { s3Store } from "../../functions/shared/s3-store";
import { type ObjectStore } from "../../functions/shared/store";
import { createObjectsHandler } from "../../functions/objects/app";
import { createUploadsHandler } from "../../functions/uploads/app";
import { revocationRecords } from "../../functions/shared/revocation";
import { createTable, startLocalDynamoDb } from "../../sandbox/dynamodb";
import { BENCH_REGION, benchFunctionEnvironment } from "./lambda-environment";

/*
 * The uploads and objects functions as Lambda runs them, over a real object index (dynalite, the
 * sandbox's local DynamoDB, with the program's table definition), each request's calls counted:
 * DynamoDB commands at the client's middleware, S3 at the store. The store signs URLs locally (no
 * request) and refuses every S3 request: the routes measured here need none, and a listing would
 * mean the index is not what answers.
 */

export const TENANT = "acme";
/** Bytes a home may keep: well above the largest bench home, so every check passes. */
export const QUOTA_BYTES = 1024 ** 4;
/** The upload the quota check signs: a photo, one signed PUT. */
export const QUOTA_UPLOAD = { path: "camera/IMG_new.jpg", contentType: "image/jpeg", size: 3 * 1024 ** 2 };

/** What one request did: its answer, and the calls it made. */
export interface Served {
  status: number;
  body: Record<string, unknown>;
  /** DynamoDB commands, in order ("UpdateItem", "Query", …). */
  dynamodb: string[];
  /** S3 requests the store was asked for (each refused). */
  s3: string[];
  /** URLs signed locally (no request). */
  signed: number;
}

/** Thrown by the store for an S3 request, which the index is there to avoid. */
export class UnexpectedS3CallError extends Error {
  constructor(operation: string) {
    super(`the function asked S3 for ${operation}; the index section expects no S3 request${/^list/i.test(operation) ? " (and never a listing)" : ""}`);
    this.name = "UnexpectedS3CallError";
  }
}

interface CallLog {
  dynamodb: string[];
  s3: string[];
  signed: number;
}

/** Counts every command the client sends (once per command, whatever its retries). */
function countCommands(client: DynamoDBClient, log: CallLog): void {
  client.middlewareStack.add(
    (next, context) => (args) => {
      log.dynamodb.push((context.commandName ?? "unknown").replace(/Command$/, ""));
      return next(args);
    },
    { step: "initialize", name: "benchCommandCounter" },
  );
}

/** The store the functions get: presigning through the real S3 adapter, any S3 request counted and refused. */
function countingStore(store: ObjectStore, log: CallLog): ObjectStore {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== "function" || typeof name !== "string") {
        return value;
      }
      if (name.startsWith("presign")) {
        return (...args: unknown[]) => {
          log.signed += 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return () => {
        log.s3.push(name);
        return Promise.reject(new UnexpectedS3CallError(name));
      };
    },
  });
}

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The claims API Gateway's JWT authorizer hands a function for one user's ID token (every value a string). */
function event(home: HomeRef, routeKey: string, rawPath: string, request: { query?: Record<string, string>; body?: unknown }): HttpApiEvent {
  return {
    version: "2.0",
    routeKey,
    rawPath,
    isBase64Encoded: false,
    ...(request.query === undefined ? {} : { queryStringParameters: request.query }),
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    requestContext: {
      requestId: "bench",
      http: { method: routeKey.split(" ")[0], path: rawPath },
      authorizer: { jwt: { claims: { sub: home.home, "custom:tenant": home.tenant, token_use: "id", iat: "1764745200", exp: "1764748800" }, scopes: null } },
    },
  };
}

export interface IndexRig {
  /** The index over an uncounted client: seeding and tidying, never measured. */
  index: ObjectIndex;
  /** POST /v1/uploads (by default for a single PUT, `QUOTA_UPLOAD`): the quota check and its promise. */
  quotaCheck(home: HomeRef, upload?: { path: string; contentType: string; size: number }): Promise<Served>;
  /** One page of GET /v1/objects. */
  listPage(home: HomeRef, query: { limit: number; delimiter?: "/"; cursor?: string }): Promise<Served>;
  /** Withdraws the promises the quota checks left, so every check meets the usage item as seeded. */
  releaseReservations(home: HomeRef): Promise<void>;
  close(): Promise<void>;
}

/** Starts dynalite, creates the index table and builds both functions over it. */
export async function startIndexRig(): Promise<IndexRig> {
  const db = await startLocalDynamoDb({ region: BENCH_REGION });
  const seeding = db.client();
  const counted = db.client();
  const s3 = s3Client({ region: BENCH_REGION, credentials: { accessKeyId: "ASIABENCHEXAMPLE0000", secretAccessKey: "bench+secret+key+that+signs+nothing+real", sessionToken: "bench" } });
  try {
    const table = "photos-bench-index";
    await createTable(seeding, indexTableDefinition(table));
    const log: CallLog = { dynamodb: [], s3: [], signed: 0 };
    countCommands(counted, log);
    const store = countingStore(s3Store(s3), log);
    const settings = { INDEX_TABLE: table, REVOCATION_TABLE: table, USER_QUOTA_BYTES: String(QUOTA_BYTES) };
    // The caller's revocation item (one GetItem per user and container every REVOCATION_CACHE_SECONDS,
    // README "Revocation plan") is read uncounted: this rig counts what the index costs a route.
    const ports = { store, dynamodb: counted, log: silent, revocations: revocationRecords(seeding, table) };
    const uploads = createUploadsHandler({ ...benchFunctionEnvironment("uploads"), ...settings }, ports);
    const objects = createObjectsHandler({ ...benchFunctionEnvironment("objects"), ...settings }, ports);
    const index = objectIndex(seeding, table);

    const serve = async (handler: HttpHandler, e: HttpApiEvent): Promise<Served> => {
      log.dynamodb = [];
      log.s3 = [];
      log.signed = 0;
      const result: HttpApiResult = await handler(e);
      return { status: result.statusCode, body: JSON.parse(result.body ?? "{}") as Record<string, unknown>, dynamodb: log.dynamodb, s3: log.s3, signed: log.signed };
    };
    return {
      index,
      quotaCheck: (home, upload = QUOTA_UPLOAD) => serve(uploads, event(home, "POST /v1/uploads", "/v1/uploads", { body: upload })),
      listPage: (home, query) =>
        serve(
          objects,
          event(home, "GET /v1/objects", "/v1/objects", {
            query: {
              limit: String(query.limit),
              ...(query.delimiter === undefined ? {} : { delimiter: query.delimiter }),
              ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
            },
          }),
        ),
      async releaseReservations(home) {
        for (const r of (await index.usage(home)).reservations) {
          await index.release(home, r);
        }
      },
      async close() {
        seeding.destroy();
        counted.destroy();
        s3.destroy();
        await db.close();
      },
    };
  } catch (err) {
    seeding.destroy();
    counted.destroy();
    s3.destroy();
    await db.close();
    throw err;
  }
}
