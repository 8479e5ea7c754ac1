import * as pulumi from "@pulumi/pulumi";
import { CONFIG_SCHEMA, type ConfigKeyName, parseStackConfig, type StackConfig } from "./config";
import { stackResourceName } from "./naming";
import { HardenedBucket } from "./storage/hardened-bucket";

/** What the stack exports. Nothing here is secret; later capabilities add the app's config. */
export interface ProgramOutputs {
  storage: {
    bucketName: pulumi.Output<string>;
    bucketArn: pulumi.Output<string>;
    kmsKeyArn: pulumi.Output<string>;
  };
}

/** Reads this stack's config through the Pulumi runtime (the CLI, or the offline runner). */
export function readStackConfig(): StackConfig {
  const config = new pulumi.Config();
  const keys = Object.keys(CONFIG_SCHEMA) as ConfigKeyName[];
  const raw = new Map(keys.map((k) => [k, config.get(k)]));
  return parseStackConfig((k) => raw.get(k), pulumi.getStack());
}

/** Builds every resource for one stack. `infra/index.ts` and the offline runner both call this. */
export function buildProgram(config: StackConfig): ProgramOutputs {
  const tags = { app: config.app, env: config.environment, owner: config.owner, "managed-by": "pulumi" };

  const storage = new HardenedBucket(stackResourceName(config.app, config.environment, "storage"), {
    lifecycle: config.lifecycle,
    forceDestroy: config.forceDestroy,
    tags,
  });

  return {
    storage: { bucketName: storage.bucketName, bucketArn: storage.bucketArn, kmsKeyArn: storage.kmsKeyArn },
  };
}

/** The whole program: config in, resources and outputs out. */
export function program(): ProgramOutputs {
  return buildProgram(readStackConfig());
}
