/** Reports bytes sent as an upload's parts complete. */
export interface Progress {
  /** `bytes` more have been sent; `note` says which part, for instance. */
  advance(bytes: number, note?: string): void;
  /** The upload is over (complete or failed): the bar leaves the line. */
  end(): void;
}

export type ProgressFactory = (label: string, totalBytes: number) => Progress;

const WIDTH = 30;
const MIB = 1024 * 1024;

/** Reports nothing: the flow's default, and what tests use when they do not watch. */
export const silentProgress: ProgressFactory = () => ({ advance: () => undefined, end: () => undefined });

/**
 * A progress bar on `stream` (stderr by default, so stdout stays the readable summary). On a
 * terminal it redraws one line; in a log or CI it writes one line per update.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): ProgressFactory {
  return (label, totalBytes) => {
    let sent = 0;
    const draw = (note: string) => {
      const share = totalBytes === 0 ? 1 : Math.min(1, sent / totalBytes);
      const filled = Math.round(share * WIDTH);
      const bar = `${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}`;
      const line = `${label} [${bar}] ${(sent / MIB).toFixed(1)}/${(totalBytes / MIB).toFixed(1)} MiB ${Math.round(share * 100)
        .toString()
        .padStart(3)}%${note ? `  ${note}` : ""}`;
      stream.write(stream.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
    };
    draw("");
    return {
      advance(bytes, note = "") {
        sent += bytes;
        draw(note);
      },
      end() {
        if (stream.isTTY) {
          stream.write("\n");
        }
      },
    };
  };
}
