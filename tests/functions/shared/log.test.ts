import * as assert from "node:assert/strict";
import { createLogger, type LogSink, readLogLevel } from "../../../functions/shared/log";

function sink() {
  const lines: [string, unknown][] = [];
  const write = (level: string) => (line: unknown) => lines.push([level, line]);
  return { lines, sink: { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") } as LogSink };
}

describe("functions/shared/log", () => {
  it("writes one object per line with level, service and message, at the configured level and above", () => {
    const { lines, sink: out } = sink();
    const log = createLogger("scan", "WARN", out);
    log.debug("d");
    log.info("i");
    log.warn("w", { bucket: "b" });
    log.error("e");
    assert.deepEqual(lines, [
      ["warn", { bucket: "b", level: "WARN", service: "scan", message: "w" }],
      ["error", { level: "ERROR", service: "scan", message: "e" }],
    ]);
  });

  it("never lets a field overwrite the level, service or message", () => {
    const { lines, sink: out } = sink();
    createLogger("uploads", "DEBUG", out).info("real", { message: "forged", level: "DEBUG" });
    assert.deepEqual(lines[0][1], { level: "INFO", service: "uploads", message: "real" });
  });

  it("reads LOG_LEVEL as Powertools does: absent is INFO, case does not matter, anything else is refused", () => {
    assert.equal(readLogLevel({}), "INFO");
    assert.equal(readLogLevel({ LOG_LEVEL: "debug" }), "DEBUG");
    assert.throws(() => readLogLevel({ LOG_LEVEL: "verbose" }), /LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR, got "verbose"/);
  });
});
