import { readFileSync } from "node:fs";
import { analyzerInputs, type Diagnostic, type PolicyPackConfig, PolicyPackProcess } from "./policy-pack";
import { type ProgramRun } from "./run-program";

export interface PolicyFindings {
  mandatory: Diagnostic[];
  advisory: Diagnostic[];
}

/** Reads a policy config file in the format of `pulumi preview --policy-pack-config`. */
export function readPolicyConfig(file: string): PolicyPackConfig {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PolicyPackConfig;
  } catch (err) {
    throw new Error(`cannot read policy config ${file}: ${(err as Error).message}`);
  }
}

/**
 * Runs the project's policy pack over a planned stack the way the engine does: configured as the
 * CLI configures it (the pack's own initial config, then `config` over it), every resource through
 * `analyze` (its inputs), then the whole stack through `analyzeStack`.
 */
export async function checkWithPolicyPack(run: ProgramRun, config: PolicyPackConfig = {}, running?: PolicyPackProcess): Promise<PolicyFindings> {
  const pack = running ?? (await PolicyPackProcess.start());
  try {
    await pack.configure(config);
    const findings: Diagnostic[] = [];
    for (const input of analyzerInputs(run, "inputs")) {
      // The engine attaches a resource-level finding to the resource it analysed.
      findings.push(...(await pack.analyze(input)).map((d) => ({ ...d, urn: d.urn || input.urn })));
    }
    findings.push(...(await pack.analyzeStack(analyzerInputs(run, run.preview ? "inputs" : "outputs"))));
    return {
      mandatory: findings.filter((d) => d.enforcementLevel === "mandatory"),
      advisory: findings.filter((d) => d.enforcementLevel === "advisory"),
    };
  } finally {
    if (!running) {
      await pack.stop();
    }
  }
}

/** Findings grouped by level, each with the policy, the resource and the message's advice. */
export function findingsText(findings: PolicyFindings, run: ProgramRun): string {
  const nameOf = (urn: string) => run.resources.find((r) => r.urn === urn)?.name ?? (urn || "(stack)");
  const section = (level: string, list: Diagnostic[]) => [
    `${level} (${list.length}):`,
    ...(list.length === 0
      ? ["  none"]
      : list.map((d) => `  ${d.policyName}  ${nameOf(d.urn)}\n    ${d.message.split("\n").slice(-1)[0]}`)),
  ];
  return ["Policy pack:", ...section("mandatory", findings.mandatory), ...section("advisory", findings.advisory)].join("\n");
}
