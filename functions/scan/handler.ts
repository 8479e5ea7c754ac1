import { createLogger, readLogLevel } from "../shared/log";
import { handleObjectCreated, loadScanConfig } from "./core";

// Read once per cold start: a missing setting fails the init, not every event.
const config = loadScanConfig(process.env);
const log = createLogger("scan", readLogLevel(process.env));

/** EventBridge target: one S3 "Object Created" event per invocation. */
export async function handler(event: unknown): Promise<void> {
  handleObjectCreated(event, config, log);
}
