import * as assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CONFIG_SCHEMA } from "../infra/config";
import { policies } from "../policy/policies";
import { PROJECT_ROOT, readProjectFile, readStackFile } from "../offline/stack-config";

const SECRET_LOOKING_KEY = /secret|password|passphrase|token|private.?key|credential|access.?key/i;
const SECRET_LOOKING_VALUE = /(AKIA|ASIA)[A-Z0-9]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

describe("project files", () => {
  const stackFiles = readdirSync(PROJECT_ROOT).filter((f) => /^Pulumi\.[a-z0-9-]+\.yaml$/.test(f));

  it("Pulumi.yaml runs infra/index.ts with the TypeScript nodejs runtime and npm", () => {
    const doc = parse(readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8"));
    assert.deepEqual(doc.runtime, { name: "nodejs", options: { typescript: true, packagemanager: "npm" } });
    assert.equal(readProjectFile().main, "infra/index.ts");
    assert.ok(existsSync(path.join(PROJECT_ROOT, "infra/index.ts")));
    for (const [key, schema] of Object.entries(readProjectFile().config)) {
      assert.ok(schema.description && schema.default !== undefined, `${key} has a description and a default`);
    }
  });

  it("ships a dev stack and a prod example", () => {
    assert.deepEqual(stackFiles.sort(), ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]);
  });

  it("keeps no secret in clear in any stack file", () => {
    const secretKeys = Object.entries(readProjectFile().config)
      .filter(([, schema]) => schema.secret)
      .map(([key]) => key);
    for (const file of stackFiles) {
      const text = readFileSync(path.join(PROJECT_ROOT, file), "utf8");
      assert.doesNotMatch(text, SECRET_LOOKING_VALUE, file);
      for (const [key, value] of Object.entries(readStackFile(path.join(PROJECT_ROOT, file)))) {
        const name = key.split(":").pop()!;
        if (SECRET_LOOKING_KEY.test(name) || secretKeys.includes(name)) {
          assert.ok(value !== null && typeof value === "object" && "secure" in value, `${file}: ${key} must be set with --secret`);
        }
      }
    }
  });

  it("makes policy/ a Pulumi policy pack with its own versioned package", () => {
    const manifest = parse(readFileSync(path.join(PROJECT_ROOT, "policy/PulumiPolicy.yaml"), "utf8"));
    assert.equal(manifest.runtime, "nodejs");
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "policy/package.json"), "utf8"));
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    assert.ok(pkg.dependencies["@pulumi/policy"] && pkg.dependencies["@pulumi/pulumi"]);
    const root = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
    assert.deepEqual(root.workspaces, ["contract", "policy"]);
  });

  it("runs on the functions' Node.js 22, in the project and in the policy pack", () => {
    for (const file of ["package.json", "policy/package.json"]) {
      const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, file), "utf8")) as { engines?: { node?: string } };
      assert.match(pkg.engines?.node ?? "", /^>=22\./, file);
    }
    assert.match(readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8"), /Node\.js 22/);
  });

  it("pins typescript to ~5.9 (7.x breaks ts-node and @pulumi/pulumi)", () => {
    const root = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8"));
    assert.match(root.devDependencies.typescript, /^~5\.9\./);
  });

  it("documents every config key in docs/CONFIGURATION.md's reference", () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, "docs/CONFIGURATION.md"), "utf8");
    for (const key of Object.keys(CONFIG_SCHEMA)) {
      assert.match(readme, new RegExp(`^\\| \`mobile-s3:${key}\` \\|`, "m"), key);
    }
  });

  it("lists every policy of the pack in docs/POLICY-PACK.md", () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, "docs/POLICY-PACK.md"), "utf8");
    for (const p of policies) {
      assert.match(readme, new RegExp(`^\\| \`${p.name}\` \\|`, "m"), p.name);
    }
  });

  it("has CI run exactly the README's test command", () => {
    const ci = readFileSync(path.join(PROJECT_ROOT, ".ci/run"), "utf8");
    const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    assert.match(ci, /^npm test$/m);
    // Node 22 first, as the README's two commands do.
    assert.match(ci, /^node_dir="\$\(bash scripts\/node\/provision\.sh\)"$/m);
    assert.match(readme, /^export PATH="\$\(bash scripts\/node\/provision\.sh\):\$PATH" && npm ci && npm test$/m);
    assert.match(readme, /^export PATH="\$\(bash scripts\/node\/provision\.sh\):\$PATH" && npm ci && npm start$/m);
  });
});
