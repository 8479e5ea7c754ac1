import { parseCommandLine } from "../../offline/command-line";
import { UsageError } from "./errors";
import { emailProblem, endpointProblem, groupProblem, normaliseEmail, regionProblem, tenantProblem, userPoolIdProblem } from "./validation";

export const USAGE = `usage: npm run admin -- users create --email <address> --tenant <id> [--group <name>]... [--send-invite | --suppress-invite] [--temporary-password-from-stdin] [<stack options>]
       npm run admin -- users get --email <address> [<stack options>]
       npm run admin -- users set-tenant    (refused by design; prints what to do instead)
       npm run admin -- reindex [--tenant <id> [--home <id>]] [--function-name <name>] [<stack options>]`;

export const HELP = `${USAGE}

Creates the users of a deployed stack's Cognito user pool, each with their tenant in the pool's
tenant claim (appConfig.tenantClaim, e.g. custom:tenant), which users themselves cannot change.

users create
  --email <address>                 the user's e-mail, which is also their username (lower-cased)
  --tenant <id>                     their tenant: 1-32 lowercase letters, digits or hyphens. A tenant
                                    without an access point or bucket of its own in the stack
                                    (appConfig.storage.tenants) is warned about: it uses the pooled bucket
  --group <name>                    add them to this existing user-pool group (repeatable)
  --send-invite                     Cognito e-mails the invitation with a temporary password (default)
  --suppress-invite                 no e-mail; give them the temporary password yourself
  --temporary-password-from-stdin   read the temporary password from a pipe instead of letting
                                    Cognito generate one (it must meet the pool's password policy)
  Prints {"email","sub","status","tenant","groups","invitation"} as one JSON line. A user that
  already exists is left as it is (exit 1): their tenant is never overwritten.

users get --email <address>         prints {"email","sub","tenant","status","enabled","groups"}

reindex                             runs the object index's reconciliation now, as its schedule does:
                                    rebuilds the homes of the scope from the buckets (every version) and
                                    prints {"scope","reconciled":{…what it repaired…}} as one JSON line
  --tenant <id>                     only this tenant's homes (default: every home)
  --home <id>                       only this home of --tenant (a user-pool sub or identity id)
  --function-name <name>            the indexer function (default: the objectIndex.indexerFunction output)
  It invokes the stack's indexer function (lambda:InvokeFunction), which runs with its own role;
  --endpoint then names a Lambda-compatible endpoint.

stack options (where the user pool is)
  --stack <name>                    read \`pulumi stack output --json --stack <name>\` (default: the
                                    selected stack); needs the Pulumi CLI and \`pulumi login\`
  --stack-outputs <file>            read that JSON from a file instead (no Pulumi CLI needed)
  --region <region>                 override appConfig.region
  --user-pool-id <id>               override appConfig.userPoolId
  --endpoint <url>                  a Cognito-compatible endpoint instead of AWS (local stand-ins)

AWS credentials come from the default chain (AWS_PROFILE with \`aws sso login\`, an assumed role,
environment variables); they need cognito-idp:AdminCreateUser, AdminAddUserToGroup, GetGroup,
AdminGetUser and AdminListGroupsForUser on the pool. Nothing printed holds a credential, token or
temporary password.

exit codes: 0 ok, 1 failed (stack, credentials or Cognito; one line on stderr), 2 bad usage
`;

/** Where the user pool is: a stack's outputs, read by the Pulumi CLI or from a file, and overrides. */
export interface StackSource {
  stack?: string;
  stackOutputsFile?: string;
  region?: string;
  userPoolId?: string;
  endpoint?: string;
}

export const Invitation = { email: "email", suppress: "suppress" } as const;
export type Invitation = (typeof Invitation)[keyof typeof Invitation];

export interface CreateUserCommand {
  kind: "create";
  email: string;
  tenant: string;
  groups: string[];
  invitation: Invitation;
  temporaryPasswordFromStdin: boolean;
  source: StackSource;
}

export interface GetUserCommand {
  kind: "get";
  email: string;
  source: StackSource;
}

export interface ReindexCommand {
  kind: "reindex";
  tenant?: string;
  home?: string;
  functionName?: string;
  source: StackSource;
}

export type AdminCommand = { kind: "help" } | { kind: "set-tenant" } | CreateUserCommand | GetUserCommand | ReindexCommand;

const STACK_OPTIONS = ["stack", "stack-outputs", "region", "user-pool-id", "endpoint"] as const;
const OPTIONS_OF: Record<"create" | "get" | "reindex", readonly string[]> = {
  create: ["email", "tenant", "group", "send-invite", "suppress-invite", "temporary-password-from-stdin", ...STACK_OPTIONS],
  get: ["email", ...STACK_OPTIONS],
  reindex: ["tenant", "home", "function-name", ...STACK_OPTIONS],
};

const HOME_ID = /^(?:[A-Za-z0-9-]{1,128}|(?=.{1,55}$)[\w-]+:[0-9a-f-]+)$/;
const FUNCTION_NAME = /^[A-Za-z0-9_:.-]{1,170}$/;

export function parseAdminArgs(argv: string[]): AdminCommand {
  const { values, positionals } = parseCommandLine(
    argv,
    {
        email: { type: "string" },
        tenant: { type: "string" },
        group: { type: "string", multiple: true },
        "send-invite": { type: "boolean" },
        "suppress-invite": { type: "boolean" },
        "temporary-password-from-stdin": { type: "boolean" },
        stack: { type: "string" },
        "stack-outputs": { type: "string" },
        region: { type: "string" },
        "user-pool-id": { type: "string" },
        endpoint: { type: "string" },
        home: { type: "string" },
        "function-name": { type: "string" },
        help: { type: "boolean", short: "h" },
    },
    true,
  );
  if (values.help) {
    return { kind: "help" };
  }
  const [noun, verb, ...extra] = positionals;
  if (noun === "reindex") {
    return reindexCommand(values, positionals.slice(1));
  }
  if (noun !== "users" || verb === undefined) {
    throw new UsageError(noun === undefined ? "name a command, e.g. users create" : `unknown command "${positionals.join(" ")}"; commands: users create, users get, users set-tenant, reindex`);
  }
  if (verb === "set-tenant") {
    return { kind: "set-tenant" };
  }
  if (verb !== "create" && verb !== "get") {
    throw new UsageError(`unknown command "users ${verb}"; commands: users create, users get, users set-tenant`);
  }
  if (extra.length > 0) {
    throw new UsageError(`unexpected argument "${extra[0]}" (values go after their flag, e.g. --email ann@example.com)`);
  }
  const stray = Object.keys(values).find((name) => !OPTIONS_OF[verb].includes(name));
  if (stray !== undefined) {
    throw new UsageError(`--${stray} is not an option of users ${verb}`);
  }

  const source = stackSource(values);
  const email = normaliseEmail(required(values.email, "--email"));
  check("--email", emailProblem(email));
  if (verb === "get") {
    return { kind: "get", email, source };
  }

  const tenant = required(values.tenant, "--tenant");
  check("--tenant", tenantProblem(tenant));
  const groups = [...new Set(values.group ?? [])];
  for (const group of groups) {
    check("--group", groupProblem(group));
  }
  if (values["send-invite"] && values["suppress-invite"]) {
    throw new UsageError("--send-invite and --suppress-invite exclude each other; give one (the default is --send-invite)");
  }
  return {
    kind: "create",
    email,
    tenant,
    groups,
    invitation: values["suppress-invite"] ? Invitation.suppress : Invitation.email,
    temporaryPasswordFromStdin: values["temporary-password-from-stdin"] ?? false,
    source,
  };
}

function reindexCommand(values: Record<string, unknown>, extra: string[]): ReindexCommand {
  if (extra.length > 0) {
    throw new UsageError(`unexpected argument "${extra[0]}" (values go after their flag, e.g. --tenant acme)`);
  }
  const stray = Object.keys(values).find((name) => !OPTIONS_OF.reindex.includes(name));
  if (stray !== undefined) {
    throw new UsageError(`--${stray} is not an option of reindex`);
  }
  const tenant = values.tenant === undefined ? undefined : required(values.tenant as string, "--tenant");
  if (tenant !== undefined) {
    check("--tenant", tenantProblem(tenant));
  }
  const home = values.home === undefined ? undefined : required(values.home as string, "--home");
  if (home !== undefined && tenant === undefined) {
    throw new UsageError("--home needs --tenant: a home is reconciled within its tenant");
  }
  if (home !== undefined && !HOME_ID.test(home)) {
    throw new UsageError("--home must be a user-pool sub (a UUID) or an identity id (<region>:<uuid>)");
  }
  const functionName = values["function-name"] === undefined ? undefined : required(values["function-name"] as string, "--function-name");
  if (functionName !== undefined && !FUNCTION_NAME.test(functionName)) {
    throw new UsageError("--function-name must be a Lambda function name or ARN");
  }
  return {
    kind: "reindex",
    ...(tenant === undefined ? {} : { tenant }),
    ...(home === undefined ? {} : { home }),
    ...(functionName === undefined ? {} : { functionName }),
    source: stackSource(values),
  };
}

function stackSource(values: Record<string, unknown>): StackSource {
  const text = (name: string): string | undefined => {
    const value = values[name] as string | undefined;
    if (value !== undefined && value.trim() === "") {
      throw new UsageError(`--${name} needs a value`);
    }
    return value?.trim();
  };
  const source: StackSource = {
    stack: text("stack"),
    stackOutputsFile: text("stack-outputs"),
    region: text("region"),
    userPoolId: text("user-pool-id"),
    endpoint: text("endpoint"),
  };
  if (source.stack !== undefined && source.stackOutputsFile !== undefined) {
    throw new UsageError("--stack and --stack-outputs exclude each other: the file already names its stack");
  }
  if (source.region !== undefined) {
    check("--region", regionProblem(source.region));
  }
  if (source.userPoolId !== undefined) {
    check("--user-pool-id", userPoolIdProblem(source.userPoolId));
  }
  if (source.endpoint !== undefined) {
    check("--endpoint", endpointProblem(source.endpoint));
  }
  return source;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === "") {
    throw new UsageError(`${flag} is required`);
  }
  return value.trim();
}

function check(flag: string, problem: string | undefined): void {
  if (problem !== undefined) {
    throw new UsageError(`${flag} ${problem}`);
  }
}
