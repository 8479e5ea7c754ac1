import { type Env } from "@mobile-s3/contract";
import { lazyDynamoDbClient, type DynamoDbClientSource } from "../shared/dynamodb-sdk";
import { errorName, type Logger } from "../shared/log";
import { objectIndex } from "../shared/object-index";
import { s3Store } from "../shared/s3-store";
import { envLogger, envS3Client, readDynamoDbEndpoint } from "../shared/settings";
import { type ObjectStore } from "../shared/store";
import { loadIndexerConfig } from "./config";
import { handleIndexerEvent, type IndexerOutcome } from "./core";

/** What a test, the sandbox or `npm run admin -- reindex` may put in place of what the handler builds. */
export interface IndexerPorts {
  store: ObjectStore;
  dynamodb: DynamoDbClientSource;
  log: Logger;
  /** Milliseconds since the epoch; tests pin it. */
  now: () => number;
}

/**
 * The indexer as Lambda runs it, built once per cold start from `env`: S3's object events make it
 * bring one key's items to what S3 holds now; the scheduled event (or `{"reconcile": {…}}`) rebuilds
 * homes from the bucket and reports the drift it repaired. A failure is thrown, so the invocation is
 * retried (EventBridge's asynchronous invocation), then lands in the failure destination.
 */
export function createIndexerHandler(env: Env, ports: Partial<IndexerPorts> = {}): (event: unknown) => Promise<IndexerOutcome> {
  const config = loadIndexerConfig(env);
  const log = ports.log ?? envLogger("indexer", env);
  const store = ports.store ?? s3Store(envS3Client(env));
  const endpoint = readDynamoDbEndpoint(env);
  const dynamodb = ports.dynamodb ?? lazyDynamoDbClient(endpoint === undefined ? {} : { endpoint });
  const index = objectIndex(dynamodb, config.table);
  const now = ports.now ?? Date.now;
  return async (event) => {
    try {
      return await handleIndexerEvent(event, config, { store, index, log, now });
    } catch (err) {
      log.error("indexing failed; the invocation is retried", { error: errorName(err) });
      throw err;
    }
  };
}
