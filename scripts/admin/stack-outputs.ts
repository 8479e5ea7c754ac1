import { readFile } from "node:fs/promises";
import { type StackSource } from "./args";
import { AdminError } from "./errors";
import { pulumiStackOutputs } from "./pulumi-cli";
import { regionOfUserPool, regionProblem, userPoolIdProblem } from "./validation";

/**
 * What the admin commands need from a deployed stack: the fields of its `appConfig` output
 * (`AppConfig` in infra/program.ts) that say where the user pool is and how tenants are named.
 */
export interface AdminTarget {
  region: string;
  userPoolId: string;
  /** The user-pool attribute holding the tenant, e.g. `custom:tenant`. */
  tenantClaim: string;
  pooledBucket?: string;
  /** Tenants with an access point or bucket of their own; any other tenant id uses the pooled bucket. */
  tenants: Record<string, { tier: string; bucket: string }>;
  /** The object index's indexer function (full profile), which `reindex` invokes. */
  indexerFunction?: string;
  /** Where the outputs came from, for messages: a file name or `pulumi stack output`. */
  origin: string;
}

type Overrides = Pick<StackSource, "region" | "userPoolId">;

/** Reads the stack's outputs (a file, or the Pulumi CLI) and applies --region / --user-pool-id. */
export async function loadTarget(source: StackSource, readOutputs: typeof pulumiStackOutputs = pulumiStackOutputs): Promise<AdminTarget> {
  if (source.stackOutputsFile !== undefined) {
    return targetFromStackOutputs(await readJsonFile(source.stackOutputsFile), source.stackOutputsFile, source);
  }
  const origin = `pulumi stack output${source.stack === undefined ? "" : ` --stack ${source.stack}`}`;
  return targetFromStackOutputs(await readOutputs(source.stack), origin, source);
}

/**
 * The target named by `pulumi stack output --json` (an object with `appConfig`) or by
 * `pulumi stack output appConfig --json` (the `appConfig` itself). Throws an `AdminError` naming
 * the missing or malformed field.
 */
export function targetFromStackOutputs(outputs: unknown, origin: string, overrides: Overrides = {}): AdminTarget {
  const appConfig = isRecord(outputs) && isRecord(outputs.appConfig) ? outputs.appConfig : isRecord(outputs) && "userPoolId" in outputs ? outputs : undefined;
  if (appConfig === undefined) {
    throw new AdminError(`${origin} has no appConfig output: it must be the JSON of \`pulumi stack output --json\` of a stack this project deployed`);
  }
  const field = (name: string): string | undefined => (typeof appConfig[name] === "string" && appConfig[name] !== "" ? (appConfig[name] as string) : undefined);
  const missing = (name: string, flag?: string) =>
    new AdminError(`${origin}: appConfig.${name} is missing or not a string${flag ? ` (or pass ${flag})` : ""}; was the stack deployed with \`pulumi up\`?`);

  const region = overrides.region ?? field("region");
  const userPoolId = overrides.userPoolId ?? field("userPoolId");
  const tenantClaim = field("tenantClaim");
  if (region === undefined) throw missing("region", "--region");
  if (userPoolId === undefined) throw missing("userPoolId", "--user-pool-id");
  if (tenantClaim === undefined) throw missing("tenantClaim");
  for (const [name, problem] of [
    ["region", regionProblem(region)],
    ["userPoolId", userPoolIdProblem(userPoolId)],
    ["tenantClaim", /^custom:[A-Za-z0-9_]{1,20}$/.test(tenantClaim) ? undefined : `must be a custom attribute such as custom:tenant, got "${tenantClaim}"`],
  ] as const) {
    if (problem !== undefined) {
      throw new AdminError(`${origin}: appConfig.${name} ${problem}`);
    }
  }
  const poolRegion = regionOfUserPool(userPoolId);
  if (poolRegion !== undefined && poolRegion !== region) {
    throw new AdminError(`user pool ${userPoolId} is in ${poolRegion} but the region is ${region}: pass --region ${poolRegion} or the right --user-pool-id`);
  }

  const storage = isRecord(appConfig.storage) ? appConfig.storage : {};
  const tenants: AdminTarget["tenants"] = {};
  for (const [id, route] of Object.entries(isRecord(storage.tenants) ? storage.tenants : {})) {
    if (isRecord(route)) {
      tenants[id] = { tier: String(route.tier), bucket: String(route.bucket) };
    }
  }
  return {
    region,
    userPoolId,
    tenantClaim,
    ...(typeof storage.pooledBucket === "string" ? { pooledBucket: storage.pooledBucket } : {}),
    tenants,
    ...(indexerFunctionOf(outputs) === undefined ? {} : { indexerFunction: indexerFunctionOf(outputs) }),
    origin,
  };
}

/** The `objectIndex.indexerFunction` output beside `appConfig` (full profile), if the outputs hold it. */
function indexerFunctionOf(outputs: unknown): string | undefined {
  const index = isRecord(outputs) && isRecord(outputs.objectIndex) ? outputs.objectIndex : undefined;
  return typeof index?.indexerFunction === "string" && index.indexerFunction !== "" ? index.indexerFunction : undefined;
}

async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new AdminError(`--stack-outputs ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); write it with \`pulumi stack output --json > ${file}\``, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AdminError(`--stack-outputs ${file} is not JSON: write it with \`pulumi stack output --json > ${file}\``, { cause: err });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
