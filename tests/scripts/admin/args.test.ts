import * as assert from "node:assert/strict";
import { parseAdminArgs } from "../../../scripts/admin/args";
import { UsageError } from "../../../scripts/admin/errors";

describe("scripts/admin/args", () => {
  it("reads users create with its defaults: the invitation is e-mailed, no groups, the selected stack", () => {
    assert.deepEqual(parseAdminArgs(["users", "create", "--email", " Ann@Example.COM ", "--tenant", "acme"]), {
      kind: "create",
      email: "ann@example.com",
      tenant: "acme",
      groups: [],
      invitation: "email",
      temporaryPasswordFromStdin: false,
      source: { stack: undefined, stackOutputsFile: undefined, region: undefined, userPoolId: undefined, endpoint: undefined },
    });
  });

  it("takes repeated --group once each, --suppress-invite, stdin and every stack option", () => {
    const cmd = parseAdminArgs([
      "users", "create", "--email", "ann@example.com", "--tenant", "acme", "--group", "a", "--group", "b", "--group", "a",
      "--suppress-invite", "--temporary-password-from-stdin", "--stack-outputs", "out.json", "--region", "eu-west-1",
      "--user-pool-id", "eu-west-1_Abc123", "--endpoint", "http://127.0.0.1:9229",
    ]);
    assert.equal(cmd.kind, "create");
    if (cmd.kind !== "create") return;
    assert.deepEqual(cmd.groups, ["a", "b"]);
    assert.equal(cmd.invitation, "suppress");
    assert.equal(cmd.temporaryPasswordFromStdin, true);
    assert.deepEqual(cmd.source, { stack: undefined, stackOutputsFile: "out.json", region: "eu-west-1", userPoolId: "eu-west-1_Abc123", endpoint: "http://127.0.0.1:9229" });
  });

  it("reads users get, users set-tenant (whatever follows) and --help", () => {
    assert.deepEqual(parseAdminArgs(["users", "get", "--email", "ann@example.com", "--stack", "prod"]), {
      kind: "get",
      email: "ann@example.com",
      source: { stack: "prod", stackOutputsFile: undefined, region: undefined, userPoolId: undefined, endpoint: undefined },
    });
    assert.deepEqual(parseAdminArgs(["users", "set-tenant", "--email", "ann@example.com", "--tenant", "b"]), { kind: "set-tenant" });
    assert.deepEqual(parseAdminArgs(["users", "create", "--help"]), { kind: "help" });
  });

  const create = ["users", "create", "--email", "ann@example.com", "--tenant", "acme"];
  const refused: [string, string[], RegExp][] = [
    ["no command", [], /name a command/],
    ["an unknown noun", ["groups", "create"], /unknown command "groups create"/],
    ["an unknown verb", ["users", "delete"], /unknown command "users delete"/],
    ["a stray positional", [...create, "extra"], /unexpected argument "extra"/],
    ["an unknown option", [...create, "--force"], /Unknown option '--force'/],
    ["an option of another command", ["users", "get", "--email", "ann@example.com", "--tenant", "acme"], /--tenant is not an option of users get/],
    ["a missing --email", ["users", "create", "--tenant", "acme"], /--email is required/],
    ["an e-mail without a domain", ["users", "create", "--email", "ann@", "--tenant", "acme"], /--email must be an e-mail address/],
    ["an e-mail without a dot in the domain", ["users", "create", "--email", "ann@localhost", "--tenant", "acme"], /--email must be an e-mail address/],
    ["an e-mail over Cognito's 128 characters", ["users", "create", "--email", `${"a".repeat(120)}@example.com`, "--tenant", "acme"], /at most 128 characters/],
    ["a tenant id with an underscore", ["users", "create", "--email", "ann@example.com", "--tenant", "ac_me"], /--tenant must be 1-32 lowercase/],
    ["a tenant id of 33 characters", ["users", "create", "--email", "ann@example.com", "--tenant", "a".repeat(33)], /--tenant must be 1-32 lowercase/],
    ["a group with a space", [...create, "--group", "up loaders"], /--group must be a user-pool group name/],
    ["both invitation flags", [...create, "--send-invite", "--suppress-invite"], /exclude each other/],
    ["--stack with --stack-outputs", [...create, "--stack", "prod", "--stack-outputs", "x.json"], /--stack and --stack-outputs exclude each other/],
    ["an empty --stack", [...create, "--stack", " "], /--stack needs a value/],
    ["a malformed --region", [...create, "--region", "europe"], /--region must be an AWS Region/],
    ["a malformed --user-pool-id", [...create, "--user-pool-id", "pool"], /--user-pool-id must be a user pool id/],
    ["an --endpoint that is no URL", [...create, "--endpoint", "localhost:4566"], /--endpoint must be an http/],
  ];
  for (const [label, argv, message] of refused) {
    it(`refuses ${label} with a UsageError saying what to change`, () => {
      assert.throws(() => parseAdminArgs(argv), (err: unknown) => err instanceof UsageError && message.test(err.message));
    });
  }
});
