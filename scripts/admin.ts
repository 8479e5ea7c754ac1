// `npm run admin -- users create --email <address> --tenant <id> [--group <name>]... [--send-invite | --suppress-invite]
//    [--temporary-password-from-stdin] [--stack <name> | --stack-outputs <file>] [--region <r>] [--user-pool-id <id>] [--endpoint <url>]`
//    npm run admin -- reindex [--tenant <id> [--home <id>]] [--function-name <name>] [<stack options>]
// Creates a deployed stack's first users with their tenant, as a platform engineer after `pulumi up`,
// and runs the object index's reconciliation on demand.
import { HELP, parseAdminArgs, USAGE } from "./admin/args";
import { UserDirectory } from "./admin/cognito";
import { AdminError, UsageError } from "./admin/errors";
import { loadTarget } from "./admin/stack-outputs";
import { reindex } from "./admin/reindex";
import { readTemporaryPassword } from "./admin/temporary-password";
import { type AdminIo, createUser, getUser, SET_TENANT_REFUSAL } from "./admin/users";

const io: AdminIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`admin: warning: ${line}\n`),
};

async function main(argv: string[]): Promise<number> {
  try {
    const command = parseAdminArgs(argv);
    if (command.kind === "help") {
      process.stdout.write(HELP);
      return 0;
    }
    if (command.kind === "set-tenant") {
      process.stderr.write(`admin: ${SET_TENANT_REFUSAL}\n`);
      return 2;
    }
    // Usage problems with stdin come before the stack is read or anything is sent.
    const temporaryPassword = command.kind === "create" && command.temporaryPasswordFromStdin ? await readTemporaryPassword(process.stdin) : undefined;
    const target = await loadTarget(command.source);
    if (command.kind === "reindex") {
      await reindex(command, target, io);
      return 0;
    }
    const directory = new UserDirectory({ region: target.region, userPoolId: target.userPoolId, endpoint: command.source.endpoint });
    if (command.kind === "create") {
      await createUser(command, target, directory, io, temporaryPassword);
    } else {
      await getUser(command, target, directory, io);
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`admin: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    // AdminErrors are written as one line for this; anything else is cut to its first line, never dumped.
    const message = err instanceof AdminError ? err.message : String((err as Error)?.message ?? err).split("\n")[0];
    process.stderr.write(`admin: ${message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`admin: ${String(err)}\n`);
    process.exit(1);
  },
);
