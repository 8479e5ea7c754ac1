// `npm run plan -- --stack <name> [--config <file>] [--json] [--mock-ids] [--policy-config <file>] [--no-policy]`
// Runs the Pulumi program offline, under mocks, prints what `pulumi up` would create, and runs the
// policy pack over it as `pulumi preview --policy-pack policy` would.
import { parseCommandLine } from "./command-line";
import { checkWithPolicyPack, findingsText, readPolicyConfig } from "./policy-check";
import { planJson, planTable } from "./render";
import { runProgram } from "./run-program";

const USAGE = "usage: npm run plan -- --stack <name> [--config <file>] [--json] [--mock-ids] [--policy-config <file>] [--no-policy]";

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseCommandLine(argv, {
      stack: { type: "string" },
      config: { type: "string" },
      json: { type: "boolean", default: false },
      "mock-ids": { type: "boolean", default: false },
      "policy-config": { type: "string" },
      "no-policy": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
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
        "  --mock-ids  show stable placeholder ids and ARNs instead of [unknown]\n" +
        "  --policy-config  policy pack settings, as for pulumi preview --policy-pack-config\n" +
        "  --no-policy skip the policy pack\n\n" +
        "exit codes: 0 ok, 1 bad config or program error, 2 bad usage, 3 mandatory policy violations\n",
    );
    return 0;
  }
  if (!args.stack) {
    process.stderr.write(`plan: --stack is required\n${USAGE}\n`);
    return 2;
  }
  try {
    const policyConfig = args["policy-config"] ? readPolicyConfig(args["policy-config"]) : {};
    const run = await runProgram({ stack: args.stack, configFile: args.config, preview: !args["mock-ids"] });
    // A preview leaves policy documents that embed new ARNs unknown, and the pack then skips them
    // (as in `pulumi preview`). Offline we can do better: check the run with stable mock values.
    const checked = run.preview && !args["no-policy"] ? await runProgram({ stack: args.stack, configFile: args.config, preview: false }) : run;
    const findings = args["no-policy"] ? undefined : await checkWithPolicyPack(checked, policyConfig);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ ...(planJson(run) as object), ...(findings ? { policy: findings } : {}) }, null, 2)}\n`);
    } else {
      process.stdout.write(`${planTable(run)}\n${findings ? `\n${findingsText(findings, run)}\n` : ""}`);
    }
    return findings && findings.mandatory.length > 0 ? 3 : 0;
  } catch (err) {
    // One line, naming the key: the errors the program raises are written for this.
    process.stderr.write(`plan: ${(err as Error).message.split("\n")[0]}\n`);
    return 1;
  }
}

/**
 * Exits once stdout has taken everything: a pipe is written asynchronously, and `process.exit` right
 * after a large write (the JSON plan is hundreds of KB) would cut it short. The exit itself is needed:
 * the Pulumi runtime leaves handles open.
 */
function exitAfterOutput(code: number): void {
  process.stdout.write("", () => process.exit(code));
}

main(process.argv.slice(2)).then(exitAfterOutput, (err) => {
  process.stderr.write(`plan: ${String(err)}\n`);
  exitAfterOutput(1);
});
