import { createIndexerHandler } from "./app";

// Module scope: configuration and logger once per cold start; the S3 and DynamoDB clients (and their
// SDKs) with the first call that needs them.
const indexer = createIndexerHandler(process.env);

/**
 * EventBridge target: one S3 object event (Object Created, Object Deleted, Object Tags Added or
 * Deleted), or the scheduled reconciliation, per invocation. A failure is thrown so EventBridge's
 * asynchronous invocation retries it.
 */
export async function handler(event: unknown): Promise<void> {
  await indexer(event);
}
