// `npm run bench -- [--quick] [--json <file>] [--only <section,...>]`
// Measures the performance claims side by side in one run, each figure against a reference taken in
// the same run, and prints one table (see scripts/bench/types.ts for the shapes).
import { writeFileSync } from "node:fs";
import { HELP, parseBenchArgs, USAGE, UsageError } from "./bench/args";
import { machineInfo, machineLine } from "./bench/machine";
import { buildReport } from "./bench/report";
import { runSections } from "./bench/run";
import { SECTIONS } from "./bench/sections";
import { formatTable } from "./bench/table";

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseBenchArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bench: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }

  const machine = machineInfo();
  const note = (message: string) => process.stderr.write(`bench ${message}\n`);
  note(`${args.quick ? "quick run" : "full run"} of ${args.sections.join(", ")} on ${machineLine(machine)}`);
  const outcomes = await runSections(
    args.sections.map((name) => SECTIONS[name]),
    { quick: args.quick, note },
  );

  const rows = outcomes.flatMap((o) => o.rows);
  process.stdout.write(`${machineLine(machine)}${args.quick ? " — quick" : ""}\n\n${formatTable(rows)}\n`);
  if (args.json !== undefined) {
    writeFileSync(args.json, `${JSON.stringify(buildReport(machine, args.quick, outcomes), null, 2)}\n`);
    note(`wrote ${args.json}`);
  }
  // A missed target is a measurement, not a failure; a section that could not measure is.
  return outcomes.some((o) => o.error !== undefined) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  // Exit explicitly: a section may leave a gRPC channel or the Pulumi runtime holding the loop open.
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench: ${String(err)}\n`);
    process.exit(1);
  },
);
