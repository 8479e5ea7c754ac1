import * as assert from "node:assert/strict";
import { policies } from "../../policy/policies";
import { type AnalysisResult, policyPackForSuite } from "../harness/policy-pack";
import { allCases } from "./cases";
import { type PolicyCase, type PolicyCases } from "./cases/types";

/**
 * Every policy of the pack, shown its cases through the real analyzer protocol: the pack runs as
 * the engine runs it, is configured as the CLI configures it, and answers analyze / analyzeStack.
 */
describe("policy pack rules (every policy, over gRPC)", function () {
  this.timeout(120_000);
  const pack = policyPackForSuite();

  async function run(table: PolicyCases, c: PolicyCase): Promise<AnalysisResult> {
    await pack().configure(c.config ?? {});
    if (table.kind === "stack") {
      return pack().analyzeWholeStack(c.resources);
    }
    const results = await Promise.all(c.resources.map((r) => pack().analyzeResource(r)));
    return {
      diagnostics: results.flatMap((r) => r.diagnostics),
      notApplicable: results.flatMap((r) => r.notApplicable),
    };
  }

  it("has a case table for every policy of the pack, and a policy for every table", () => {
    assert.deepEqual(allCases.map((t) => t.policy).sort(), policies.map((p) => p.name).sort());
  });

  for (const table of allCases) {
    describe(table.policy, () => {
      it("is shown at least three non-compliant cases, one compliant and one not applicable", () => {
        assert.ok(table.nonCompliant.length >= 3, `${table.nonCompliant.length} non-compliant cases`);
        assert.ok(table.compliant.length >= 1);
        assert.ok(table.notApplicable.length >= 1);
      });

      for (const c of table.nonCompliant) {
        it(`reports: ${c.label}`, async () => {
          const { diagnostics } = await run(table, c);
          const mine = diagnostics.filter((d) => d.policyName === table.policy);
          assert.ok(mine.length >= 1, `no violation of ${table.policy}; got ${JSON.stringify(diagnostics.map((d) => d.policyName))}`);
          for (const d of mine) {
            // The message says what to change and names the resource it is about.
            const named = c.resources.some((r) => d.message.includes(r.name) || d.urn === r.urn);
            assert.ok(named, `message names no resource: ${d.message}`);
          }
        });
      }

      for (const c of table.compliant) {
        it(`accepts: ${c.label}`, async () => {
          const { diagnostics } = await run(table, c);
          assert.deepEqual(diagnostics.filter((d) => d.policyName === table.policy), []);
        });
      }

      for (const c of table.notApplicable) {
        it(`is not applicable to: ${c.label}`, async () => {
          const { diagnostics, notApplicable } = await run(table, c);
          assert.deepEqual(diagnostics.filter((d) => d.policyName === table.policy), []);
          assert.ok(notApplicable.some((n) => n.policyName === table.policy), `not reported not applicable: ${JSON.stringify(notApplicable)}`);
        });
      }

      if (table.remediation) {
        const { input, expected } = table.remediation;
        it("remediates a violating resource into a compliant one", async () => {
          await pack().configure({ [table.policy]: { enforcementLevel: "remediate" } });
          const fixes = (await pack().remediate(input)).filter((f) => f.policyName === table.policy);
          assert.equal(fixes.length, 1);
          assert.deepEqual(fixes[0].properties, expected);
          await pack().configure({});
          const after = await pack().analyze({ ...input, properties: fixes[0].properties });
          assert.deepEqual(after.filter((d) => d.policyName === table.policy), [], "the remediated resource complies");
        });
      }
    });
  }
});
