import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { ESLint } from "eslint";

/*
 * The import boundaries and the no-cycle rule (eslint/boundaries.mjs) run in `npm run lint`; here
 * each is shown failing on a deliberate violation, linted as if it were added to a real file.
 */
const ROOT = path.resolve(__dirname, "../..");

async function problems(file: string, extraImport: string): Promise<{ ruleId: string | null; message: string }[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const text = `${extraImport}\n${readFileSync(path.join(ROOT, file), "utf8")}`;
  const [result] = await eslint.lintText(text, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId?.startsWith("boundaries/")).map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

const rules = (found: { ruleId: string | null }[]) => [...new Set(found.map((p) => p.ruleId))].sort();

describe("eslint/boundaries: import boundaries and cycles", function () {
  this.timeout(120_000);

  it("refuses functions/ importing infra/, pointing to contract/", async () => {
    const found = await problems("functions/shared/errors.ts", 'import { functionPolicy } from "../../infra/api/function-policies";\nvoid functionPolicy;');
    assert.deepEqual(rules(found), ["boundaries/allowed-imports"]);
    assert.match(found[0].message, /functions\/ may not import infra\/ .*through contract\//);
  });

  it("refuses infra/ importing functions/ (type-aware files too)", async () => {
    const found = await problems("infra/naming.ts", 'import { createLogger } from "../functions/shared/log";\nvoid createLogger;');
    assert.deepEqual(rules(found), ["boundaries/allowed-imports"]);
  });

  it("refuses client/ importing functions/, and scripts/ importing tests/", async () => {
    assert.deepEqual(rules(await problems("client/src/errors.ts", 'import { ApiError } from "../../functions/shared/errors";\nvoid ApiError;')), ["boundaries/allowed-imports"]);
    const fromScripts = await problems("scripts/upload-process.ts", 'import { engineClient } from "../tests/harness/s3-engine";\nvoid engineClient;');
    assert.deepEqual(rules(fromScripts), ["boundaries/allowed-imports"]);
    assert.match(fromScripts[0].message, /out of tests\//);
  });

  it("keeps contract/ free of dependencies: no package, no Node built-in, no other folder", async () => {
    const found = await problems("contract/keys.ts", 'import { createHash } from "node:crypto";\nimport { homeOf } from "../functions/shared/keys";\nvoid createHash; void homeOf;');
    // functions/shared/keys.ts imports the contract: the second line is a crossing and a cycle.
    assert.deepEqual(rules(found), ["boundaries/allowed-imports", "boundaries/no-cycle"]);
    assert.ok(found.some((p) => /no dependencies: it may not import node:crypto/.test(p.message)));
    assert.ok(found.some((p) => /contract\/keys\.ts → functions\/shared\/keys\.ts → .*contract\/keys\.ts/.test(p.message)), JSON.stringify(found));
  });

  it("refuses a cycle inside one folder", async () => {
    // functions/shared/keys.ts imports ./errors; errors importing ./keys closes the loop.
    const found = await problems("functions/shared/errors.ts", 'import { homeOf } from "./keys";\nvoid homeOf;');
    assert.deepEqual(rules(found), ["boundaries/no-cycle"]);
    assert.match(found[0].message, /functions\/shared\/errors\.ts → functions\/shared\/keys\.ts → functions\/shared\/errors\.ts/);
  });

  it("accepts what the boundaries allow: the contract by name, and assemblies importing the parts", async () => {
    assert.deepEqual(await problems("functions/shared/errors.ts", 'import { ENV } from "@mobile-s3/contract";\nvoid ENV;'), []);
    assert.deepEqual(await problems("sandbox/routes.ts", 'import { createLogger } from "../functions/shared/log";\nvoid createLogger;'), []);
  });
});
