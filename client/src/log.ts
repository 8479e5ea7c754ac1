import { redact, redactValue } from "@mobile-s3/contract";

/** Structured fields of one log line. */
export type LogFields = Record<string, unknown>;

/** What the app hands the client to hear about retries and progress: any subset of the four levels. */
export interface StorageLogger {
  debug?(message: string, fields?: LogFields): void;
  info?(message: string, fields?: LogFields): void;
  warn?(message: string, fields?: LogFields): void;
  error?(message: string, fields?: LogFields): void;
}

export type Log = Required<StorageLogger>;

/**
 * The logger boundary: every message and field goes through `redact` before the app's logger sees
 * it, so a presigned URL, token or cookie never reaches a log or crash report even if one slips
 * into a message. A logger that throws is ignored: logging must not fail an upload.
 */
export function safeLogger(logger: StorageLogger | undefined): Log {
  const at =
    (level: keyof StorageLogger) =>
    (message: string, fields?: LogFields): void => {
      const write = logger?.[level];
      if (write === undefined) {
        return;
      }
      try {
        write.call(logger, redact(message), fields === undefined ? undefined : (redactValue(fields) as LogFields));
      } catch {
        // An app's logger failing is not the upload's problem.
      }
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
