// `npm run plan -- --stack <name> [--config <file>] [--json] [--mock-ids]`
// Runs the Pulumi program offline, under mocks, and prints what `pulumi up` would create.
import { parseArgs } from "node:util";
import { planJson, planTable } from "./render";
import { runProgram } from "./run-program";

const USAGE = "usage: npm run plan -- --stack <name> [--config <file>] [--json] [--mock-ids]";

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        stack: { type: "string" },
        config: { type: "string" },
        json: { type: "boolean", default: false },
        "mock-ids": { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`plan: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(
      `${USAGE}\n\n` +
        "  --stack     stack name; reads Pulumi.<stack>.yaml (required)\n" +
        "  --config    read the stack's config from this file instead (same format)\n" +
        "  --json      print {resources:[{urn,type,name,parent,id,inputs,outputs}], outputs}\n" +
        "  --mock-ids  show stable placeholder ids and ARNs instead of [unknown]\n",
    );
    return 0;
  }
  if (!args.stack) {
    process.stderr.write(`plan: --stack is required\n${USAGE}\n`);
    return 2;
  }
  try {
    const run = await runProgram({ stack: args.stack, configFile: args.config, preview: !args["mock-ids"] });
    process.stdout.write(args.json ? `${JSON.stringify(planJson(run), null, 2)}\n` : `${planTable(run)}\n`);
    return 0;
  } catch (err) {
    // One line, naming the key: the errors the program raises are written for this.
    process.stderr.write(`plan: ${(err as Error).message.split("\n")[0]}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`plan: ${String(err)}\n`);
    process.exit(1);
  },
);
