import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { type CognitoStandIn, startCognitoStandIn } from "./cognito-stand-in";

const ROOT = path.resolve(__dirname, "../../..");
const REGION = "eu-west-1";
const POOL = "eu-west-1_AdminTest1";
const KEY = { accessKeyId: "TESTKEY-ADMIN-CLI", secretAccessKey: "admin-cli-test-secret-never-printed" };
const PASSWORD = "Temp-Passw0rd!for-tests";

/** The JSON of `pulumi stack output --json` for a deployed full-profile stack (AppConfig in infra/program.ts). */
function stackOutputs(overrides: Record<string, unknown> = {}) {
  return {
    appConfig: {
      region: REGION,
      profile: "full",
      userPoolId: POOL,
      userPoolClientId: "client123",
      identityPoolId: `${REGION}:00000000-0000-0000-0000-000000000000`,
      authDomain: `mobile-s3-prod-1a2b3c4d.auth.${REGION}.amazoncognito.com`,
      homeKey: "userSub",
      tenantClaim: "custom:tenant",
      apiUrl: "https://api.invalid",
      storage: {
        pooledBucket: "mobile-s3-prod-storage-5948de7",
        tenants: { globex: { tier: "accessPoint", bucket: "mobile-s3-prod-storage-5948de7", accessPointArn: "arn:aws:s3:eu-west-1:111122223333:accesspoint/globex" } },
      },
      ...overrides,
    },
    storage: { bucketName: "mobile-s3-prod-storage-5948de7" },
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run admin -- …` as a user would (the same node command), as a child process so the
 * stand-in in this process answers it. The environment holds only what the test gives: the static
 * key, no AWS config files and no instance metadata, so nothing but 127.0.0.1 is ever reached.
 */
function admin(args: string[], options: { env?: Record<string, string | undefined>; stdin?: string } = {}): Promise<Run> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: tmp,
    AWS_ACCESS_KEY_ID: KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey,
    AWS_CONFIG_FILE: path.join(tmp, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
  };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "scripts/admin.ts", ...args], { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

let tmp: string;
let standIn: CognitoStandIn;
let outputsFile: string;

const against = (...args: string[]) => [...args, "--endpoint", standIn.url, "--stack-outputs", outputsFile];
const created = (run: Run) => JSON.parse(run.stdout.trim()) as Record<string, unknown>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("scripts/admin.ts (npm run admin) against a local Cognito stand-in", function () {
  this.timeout(60_000);

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), "mobile-s3-admin-"));
    outputsFile = path.join(tmp, "stack.json");
    writeFileSync(outputsFile, JSON.stringify(stackOutputs()));
    standIn = await startCognitoStandIn({ region: REGION, ...KEY, pools: [{ id: POOL, customAttributes: ["tenant"], groups: ["uploaders", "reviewers"] }] });
  });
  after(async () => {
    await standIn?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });
  afterEach(function () {
    // Every request any test made was signed for cognito-idp in eu-west-1 with the test key.
    const rejected = standIn.requests.filter((r) => r.rejected !== undefined);
    assert.deepEqual(rejected, [], `${this.currentTest?.title}: the stand-in refused requests`);
  });

  it("creates the user with a verified e-mail and the tenant claim, adds the groups, and prints sub and status as one JSON line", async () => {
    const run = await admin(against("users", "create", "--email", "Ann@Example.com", "--tenant", "globex", "--group", "uploaders", "--group", "reviewers"));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "");
    assert.equal(run.stdout.split("\n").length, 2, "one line and its newline");
    const line = created(run);
    assert.match(String(line.sub), UUID);
    assert.deepEqual({ ...line, sub: "[uuid]" }, {
      email: "ann@example.com",
      sub: "[uuid]",
      status: "FORCE_CHANGE_PASSWORD",
      tenant: "globex",
      groups: ["uploaders", "reviewers"],
      invitation: "sent",
    });

    const user = standIn.user(POOL, "ann@example.com")!;
    assert.deepEqual(user.attributes, { sub: line.sub, email: "ann@example.com", email_verified: "true", "custom:tenant": "globex" });
    assert.deepEqual([...user.groups], ["uploaders", "reviewers"]);
    assert.equal(user.temporaryPassword, undefined, "Cognito generates the temporary password");
    assert.deepEqual(standIn.invitations.at(-1), { poolId: POOL, to: "ann@example.com", mediums: ["EMAIL"] });
    assert.ok(!run.stdout.includes(KEY.secretAccessKey) && !run.stderr.includes(KEY.secretAccessKey));
  });

  it("refuses a user that already exists with exit 1, saying so, and leaves their tenant as it was", async () => {
    await admin(against("users", "create", "--email", "bob@example.com", "--tenant", "globex"));
    const run = await admin(against("users", "create", "--email", "bob@example.com", "--tenant", "initech"));
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    const errors = run.stderr.split("\n").filter((line) => line.startsWith("admin: ") && !line.startsWith("admin: warning: "));
    assert.equal(errors.length, 1, run.stderr);
    assert.match(errors[0], /^admin: a user with e-mail bob@example\.com already exists in user pool eu-west-1_AdminTest1 \(eu-west-1\); nothing was changed\. Their tenant is not overwritten: another tenant would move their home prefix/);
    assert.equal(standIn.user(POOL, "bob@example.com")!.attributes["custom:tenant"], "globex");
  });

  const usage: [string, string[], RegExp][] = [
    ["a malformed e-mail", ["--email", "bob@", "--tenant", "globex"], /^admin: --email must be an e-mail address such as ann@example\.com, got "bob@"\nusage: npm run admin/],
    ["an e-mail with a space", ["--email", "bo b@example.com", "--tenant", "globex"], /^admin: --email must be an e-mail address/],
    ["a tenant id with capitals", ["--email", "carol@example.com", "--tenant", "Globex"], /^admin: --tenant must be 1-32 lowercase letters, digits or hyphens.*got "Globex"/],
    ["a tenant id ending in a hyphen", ["--email", "carol@example.com", "--tenant", "acme-"], /^admin: --tenant must be 1-32 lowercase letters/],
    ["a missing --tenant", ["--email", "carol@example.com"], /^admin: --tenant is required/],
    ["both invitation flags", ["--email", "carol@example.com", "--tenant", "acme", "--send-invite", "--suppress-invite"], /exclude each other/],
  ];
  for (const [label, args, message] of usage) {
    it(`refuses ${label} with exit 2 and the usage, sending no request`, async () => {
      const before = standIn.requests.length;
      const run = await admin(against("users", "create", ...args));
      assert.equal(run.code, 2);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, "");
      assert.equal(standIn.requests.length, before, "no request reached Cognito");
    });
  }

  it("warns, without failing, about a tenant the stack gives no access point or bucket, and creates the user", async () => {
    const run = await admin(against("users", "create", "--email", "dave@example.com", "--tenant", "acme"));
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /^admin: warning: tenant "acme" has no access point or bucket of its own in this stack .*objects go to the pooled bucket mobile-s3-prod-storage-5948de7\./,
    );
    assert.equal(created(run).tenant, "acme");
    assert.equal(standIn.user(POOL, "dave@example.com")!.attributes["custom:tenant"], "acme");
  });

  it("takes the temporary password from a pipe with --suppress-invite: no e-mail, and the password is never printed", async () => {
    const invitations = standIn.invitations.length;
    const run = await admin(against("users", "create", "--email", "erin@example.com", "--tenant", "globex", "--suppress-invite", "--temporary-password-from-stdin"), {
      stdin: `${PASSWORD}\n`,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(created(run).invitation, "suppressed");
    assert.equal(standIn.user(POOL, "erin@example.com")!.temporaryPassword, PASSWORD);
    assert.equal(standIn.invitations.length, invitations, "Cognito sent nothing");
    assert.ok(!run.stdout.includes(PASSWORD) && !run.stderr.includes(PASSWORD));
  });

  it("creates nobody when a --group does not exist", async () => {
    const run = await admin(against("users", "create", "--email", "frank@example.com", "--tenant", "globex", "--group", "uploaders", "--group", "admins"));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^admin: group "admins" does not exist in user pool eu-west-1_AdminTest1 \(eu-west-1\); nobody was created\. Create it/);
    assert.equal(standIn.user(POOL, "frank@example.com"), undefined);
  });

  it("says so when the pool does not have the stack's tenant attribute, and creates nobody", async () => {
    const file = path.join(tmp, "other-claim.json");
    writeFileSync(file, JSON.stringify(stackOutputs({ tenantClaim: "custom:org" })));
    const run = await admin(["users", "create", "--email", "gina@example.com", "--tenant", "globex", "--endpoint", standIn.url, "--stack-outputs", file]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /refused the attributes \(Attributes did not conform to the schema: Type for attribute \{custom:org\} could not be determined\): it must have the tenant attribute custom:org/);
    assert.equal(standIn.user(POOL, "gina@example.com"), undefined);
  });

  it("says which pool does not exist when --user-pool-id names an unknown one", async () => {
    const run = await admin(against("users", "create", "--email", "hal@example.com", "--tenant", "globex", "--user-pool-id", "eu-west-1_Missing99"));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^admin: user pool eu-west-1_Missing99 \(eu-west-1\) does not exist: check --stack/);
  });

  it("prints an existing user's sub, tenant, status and groups with users get, and exit 1 for an unknown one", async () => {
    const made = created(await admin(against("users", "create", "--email", "ivy@example.com", "--tenant", "globex", "--group", "reviewers")));
    const run = await admin(against("users", "get", "--email", "IVY@example.com"));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { email: "ivy@example.com", sub: made.sub, tenant: "globex", status: "FORCE_CHANGE_PASSWORD", enabled: true, groups: ["reviewers"] });

    const unknown = await admin(against("users", "get", "--email", "nobody@example.com"));
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^admin: no user with e-mail nobody@example\.com in user pool eu-west-1_AdminTest1/);
  });

  it("refuses users set-tenant by design with exit 2, explaining what an administrator must do instead", async () => {
    const before = standIn.requests.length;
    const run = await admin(against("users", "set-tenant", "--email", "ann@example.com", "--tenant", "initech"));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /refused by design.*tenants\/<tenant>\/home\/<home>\/.*copy their objects.*admin-update-user-attributes.*admin-user-global-sign-out/);
    assert.equal(standIn.requests.length, before);
  });

  describe("finding the stack without --stack-outputs", () => {
    it("says to install the Pulumi CLI or pass --stack-outputs when pulumi is not on PATH", async () => {
      const before = standIn.requests.length;
      const run = await admin(["users", "create", "--email", "jan@example.com", "--tenant", "globex", "--endpoint", standIn.url], { env: { PATH: path.join(tmp, "empty-bin") } });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^admin: the Pulumi CLI \(`pulumi`\) is not on PATH: install it \(https:\/\/www\.pulumi\.com\/docs\/install\/\) or pass --stack-outputs <file>/);
      assert.equal(run.stderr.split("\n").length, 2, "one line");
      assert.equal(standIn.requests.length, before);
    });

    it("runs `pulumi stack output --json --stack <name>` and uses its appConfig", async () => {
      const bin = path.join(tmp, "fake-pulumi-bin");
      const argsFile = path.join(tmp, "pulumi-args");
      mkdirSync(bin, { recursive: true });
      // Only shell builtins: PATH holds nothing but this directory.
      writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho "$@" > '${argsFile}'\nprintf '%s\\n' '${JSON.stringify(stackOutputs())}'\n`);
      chmodSync(path.join(bin, "pulumi"), 0o755);

      const run = await admin(["users", "create", "--email", "kim@example.com", "--tenant", "globex", "--stack", "prod", "--endpoint", standIn.url], { env: { PATH: bin } });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(readFileSync(argsFile, "utf8").trim(), "stack output --json --stack prod");
      assert.equal(standIn.user(POOL, "kim@example.com")!.attributes["custom:tenant"], "globex");
    });

    it("passes on the first line of pulumi's own error with exit 1", async () => {
      const bin = path.join(tmp, "failing-pulumi-bin");
      mkdirSync(bin, { recursive: true });
      writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho "error: no stack named 'staging' found" >&2\nexit 255\n`);
      chmodSync(path.join(bin, "pulumi"), 0o755);
      const run = await admin(["users", "get", "--email", "kim@example.com", "--stack", "staging", "--endpoint", standIn.url], { env: { PATH: bin } });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^admin: `pulumi stack output --json --stack staging` failed: error: no stack named 'staging' found \(check `pulumi login` and --stack/);
    });
  });

  it("says to sign in when the default credential chain finds no credentials", async () => {
    const before = standIn.requests.length;
    const run = await admin(against("users", "get", "--email", "ann@example.com"), { env: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined } });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^admin: no AWS credentials found: sign in first/);
    assert.equal(standIn.requests.length, before);
  });
});
