import { type LogLevel } from "@mobile-s3/contract";
import { createLogger, type Logger, type LogSink } from "../functions/shared/log";

/**
 * The functions' structured log lines, one per line, as a person reads them:
 * `[scan] INFO object scanned clean {"bucket":…,"key":…}`. They have passed the functions' own
 * redaction (no token, signature or cookie) before they get here. Warnings and errors go to stderr.
 */
function lineSink(): LogSink {
  const write = (stream: NodeJS.WriteStream) => (line: unknown) => {
    const { level, service, message, ...fields } = line as Record<string, unknown>;
    const rest = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
    stream.write(`[${String(service)}] ${String(level)} ${String(message)}${rest}\n`);
  };
  return { debug: write(process.stdout), info: write(process.stdout), warn: write(process.stderr), error: write(process.stderr) };
}

export function functionLogger(service: string, level: LogLevel): Logger {
  return createLogger(service, level, lineSink());
}
