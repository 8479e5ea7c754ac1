import { parseCommandLine, UsageError } from "../../offline/command-line";
import { SECTION_NAMES, type SectionName } from "./sections";

export const USAGE = "usage: npm run bench -- [--quick] [--json <file>] [--only <section,...>] [--help]";

export const HELP = `${USAGE}

  --quick   smaller sizes and fewer repetitions (the whole run stays under 3 minutes)
  --json    also write the figures, the table and the machine to this file
  --only    run only these sections, comma-separated: ${SECTION_NAMES.join(", ")}
  --help    print this text

Prints one table (measure | value | reference | ratio | target | met) on stdout, progress on stderr.
exit codes: 0 measured (even when targets are missed), 1 a section failed, 2 bad usage
`;

export interface BenchArgs {
  quick: boolean;
  json?: string;
  /** In run order, whatever order --only named them in. */
  sections: SectionName[];
  help: boolean;
}

export { UsageError };

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseCommandLine(argv, {
      quick: { type: "boolean", default: false },
      json: { type: "string" },
      only: { type: "string" },
      help: { type: "boolean", default: false },
  });
  if (values.json !== undefined && values.json.trim() === "") {
    throw new UsageError("--json needs a file name");
  }
  return { quick: values.quick ?? false, json: values.json, sections: onlySections(values.only), help: values.help ?? false };
}

function onlySections(only: string | undefined): SectionName[] {
  if (only === undefined) {
    return [...SECTION_NAMES];
  }
  const named = only.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const unknown = named.filter((s) => !(SECTION_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0 || named.length === 0) {
    throw new UsageError(`--only takes section names from ${SECTION_NAMES.join(", ")}, got "${only}"`);
  }
  return SECTION_NAMES.filter((s) => named.includes(s));
}
