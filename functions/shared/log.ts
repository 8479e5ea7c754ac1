import { ConfigurationError, type Env, ENV, LOG_LEVELS, type LogLevel, redact } from "@mobile-s3/contract";

/**
 * Structured fields of one log line. Only scalars: callers name each value they log, so a request,
 * its headers (the JWT), a presigned URL or a cookie never reaches a log by accident
 * (No secrets in logs).
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Where log lines go: the console in Lambda (which forwards them to the function's log group). */
export type LogSink = Pick<Console, "debug" | "info" | "warn" | "error">;

/** Reads `LOG_LEVEL` as Powertools does; absent means INFO. */
export function readLogLevel(env: Env): LogLevel {
  const value = env[ENV.logLevel];
  if (value === undefined || value === "") {
    return "INFO";
  }
  const level = value.toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigurationError(ENV.logLevel, `must be one of ${LOG_LEVELS.join(", ")}, got "${value}"`);
  }
  return level as LogLevel;
}

/** Masks tokens, signatures, credentials and cookies; the same rules the app-side client applies. */
export { redact };

/** An error for a log line, by name only: an SDK error's message may quote a request. */
export function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

function redactFields(fields: LogFields): LogFields {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === "string" ? redact(v) : v]));
}

/**
 * A logger writing one object per line, `{ level, service, message, ...fields }`, at `level` and
 * above. Every string is passed through `redact` (No secrets in logs: nothing logs presigned URLs,
 * JWTs or cookies).
 */
export function createLogger(service: string, level: LogLevel, sink: LogSink = console): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at =
    (lineLevel: LogLevel, write: (line: object) => void) =>
    (message: string, fields: LogFields = {}): void => {
      if (LOG_LEVELS.indexOf(lineLevel) >= threshold) {
        write({ ...redactFields(fields), level: lineLevel, service, message: redact(message) });
      }
    };
  return {
    debug: at("DEBUG", (line) => sink.debug(line)),
    info: at("INFO", (line) => sink.info(line)),
    warn: at("WARN", (line) => sink.warn(line)),
    error: at("ERROR", (line) => sink.error(line)),
  };
}
