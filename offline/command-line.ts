import { parseArgs, type ParseArgsConfig } from "node:util";

/** The command line was wrong; the message says what to change. The commands exit with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * `argv` parsed strictly against `options` (an unknown option or a missing value is a
 * `UsageError`), for every command of the repository: plan, sandbox, bench, admin.
 */
export function parseCommandLine<O extends Options, P extends boolean = false>(argv: string[], options: O, allowPositionals?: P) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: (allowPositionals ?? false) as P });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
