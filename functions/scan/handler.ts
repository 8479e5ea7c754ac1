import { createScanHandler } from "./app";

// Module scope: configuration, logger, S3 client and scanner are built once per cold start.
const scan = createScanHandler(process.env);

/** EventBridge target: one S3 "Object Created" event per invocation. */
export async function handler(event: unknown): Promise<void> {
  await scan(event);
}
