import * as pulumi from "@pulumi/pulumi";
import { CONFIG_SCHEMA, type ConfigKeyName, parseStackConfig, type StackConfig } from "./config";
import { fullProfile } from "./profiles/full";
import { minimalProfile } from "./profiles/minimal";
import { type ProgramOutputs } from "./profiles/stack";
import { checkQuotas } from "./quotas";

export { type AppConfig, type ProgramOutputs } from "./profiles/stack";

/** The stack profiles, by the name `profile` takes in the stack's config. */
export const PROFILES: Record<StackConfig["profile"], (config: StackConfig) => ProgramOutputs> = {
  minimal: minimalProfile,
  full: fullProfile,
};

/** Reads this stack's config through the Pulumi runtime (the CLI, or the offline runner). */
export function readStackConfig(): StackConfig {
  const config = new pulumi.Config();
  const keys = Object.keys(CONFIG_SCHEMA) as ConfigKeyName[];
  const raw = new Map(keys.map((k) => [k, config.get(k)]));
  return parseStackConfig((k) => raw.get(k), pulumi.getStack());
}

/**
 * Builds every resource for one stack: checks the AWS limits its config can reach (Limits checked at
 * plan time), then assembles the profile it names. `infra/index.ts` and the offline runner both call this.
 */
export function buildProgram(config: StackConfig): ProgramOutputs {
  checkQuotas(config);
  return PROFILES[config.profile](config);
}

/** The whole program: config in, resources and outputs out. */
export function program(): ProgramOutputs {
  return buildProgram(readStackConfig());
}
