/**
 * What the sandbox tells the person who started it. Progress and notes go to stdout, warnings to
 * stderr; the one `ready {…}` line scripts read is written by `ready-line.ts`, never through here.
 */
export interface Progress {
  /** A step of the start, with the seconds since it began: `[sandbox   1.2s] engine up`. */
  step(message: string): void;
  /** Something the local run does differently from AWS, one line each. */
  note(message: string): void;
  /** Something the person must not miss (no malware scanning, say), framed to stand out. */
  warn(lines: string[]): void;
}

export function consoleProgress(now: () => number = Date.now): Progress {
  const start = now();
  const seconds = () => ((now() - start) / 1000).toFixed(1).padStart(5);
  return {
    step: (message) => process.stdout.write(`[sandbox ${seconds()}s] ${message}\n`),
    note: (message) => process.stdout.write(`[sandbox] note: ${message}\n`),
    warn: (lines) => {
      const bar = "!".repeat(100);
      process.stderr.write(`${bar}\n${lines.map((l) => `!! ${l}`).join("\n")}\n${bar}\n`);
    },
  };
}
