import { execFile } from "node:child_process";
import { AdminError } from "./errors";

const INSTALL = "https://www.pulumi.com/docs/install/";

/**
 * The stack's outputs as `pulumi stack output --json [--stack <name>]` prints them, run in the
 * current directory (the project's, under `npm run`). Secrets stay `[secret]`: nothing here asks
 * for `--show-secrets`, and the admin commands need none.
 */
export function pulumiStackOutputs(stack: string | undefined, command = "pulumi"): Promise<unknown> {
  const args = ["stack", "output", "--json", ...(stack === undefined ? [] : ["--stack", stack])];
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === "ENOENT") {
        reject(new AdminError(`the Pulumi CLI (\`${command}\`) is not on PATH: install it (${INSTALL}) or pass --stack-outputs <file> with the JSON of \`pulumi stack output --json\``));
        return;
      }
      if (err) {
        const reason = firstLine(stderr) ?? err.message;
        reject(new AdminError(`\`pulumi ${args.join(" ")}\` failed: ${reason} (check \`pulumi login\` and --stack, or pass --stack-outputs <file>)`, { cause: err }));
        return;
      }
      try {
        resolve(JSON.parse(stdout));
      } catch (parseError) {
        reject(new AdminError(`\`pulumi ${args.join(" ")}\` printed no JSON: ${firstLine(stdout) ?? "nothing"}`, { cause: parseError }));
      }
    });
  });
}

function firstLine(text: string): string | undefined {
  return text
    .split("\n")
    .map((line) => line.trim())
    .find((line) => line !== "");
}
