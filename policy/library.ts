// The policy pack as a library, for organisations that compose a pack of their own. index.ts is the
// runnable pack (`pulumi preview --policy-pack policy`); this entry starts nothing when imported.
import { type EnforcementLevel, PolicyPack, type PolicyPackArgs, type PolicyPackConfig } from "@pulumi/policy";
import { policies } from "./policies";
import * as hardening from "./rules/hardening";
import * as publicAccess from "./rules/public-access";
import { type SecurityPolicy } from "./rules/tls/cloudfront-viewer";
import { type TlsFloor } from "./rules/tls/bucket-tls-policy";
import * as tls from "./rules/tls";
import * as wildcard from "./rules/wildcard";

export * from "./rules/hardening";
export * from "./rules/public-access";
export * from "./rules/tls";
export * from "./rules/wildcard";
export { withCheapNotApplicable } from "./lib/not-applicable";
export { policies };
export type { SecurityPolicy, TlsFloor };

type Family = typeof publicAccess & typeof wildcard & typeof tls & typeof hardening;
type FamilyList = "publicAccessPolicies" | "wildcardPolicies" | "tlsPolicies" | "hardeningPolicies";

/** A policy's key in `MobileS3GuardArgs`: the camelCase name it is exported under (`awsKmsKeyEnableRotation`). */
export type MobileS3PolicyKey = Exclude<keyof Family, FamilyList>;

/**
 * The settings each configurable policy reads (its config schema; every one has a default). Keys
 * are the policies' camelCase names; the values are what a policy config file would set for them.
 */
export interface MobileS3GuardSettings {
  awsS3BucketpolicyDisallowWildcardPrincipal: { narrowingConditionKeys?: string[] };
  awsS3AccesspointDisallowWildcardPrincipal: { narrowingConditionKeys?: string[] };
  awsIamPolicyDisallowS3WildcardResources: { actionsAllowedOnAnyResource?: string[] };
  awsIamPolicyattachmentDisallowS3WildcardManagedPolicies: { disallowedManagedPolicies?: string[] };
  awsS3BucketMissingTlsPolicy: { minimumTlsVersion?: TlsFloor; acceleratedMinimumTlsVersion?: TlsFloor };
  awsCloudfrontDistributionEnforceMinimumTls: { minimumProtocolVersion?: SecurityPolicy; allowDefaultCertificate?: boolean };
  awsS3BucketEnableSseKms: { requireCustomerManagedKey?: boolean };
  awsKmsKeyEnableRotation: { maxRotationPeriodDays?: number };
  awsS3BucketEnforceAbortIncompleteUploads: { maxDaysAfterInitiation?: number };
  awsCognitoUserpoolclientDisallowTenantWrite: { tenantAttributes?: string[] };
  awsLambdaFunctionDisallowEnvCredentials: { allowedVariables?: string[] };
  awsLambdaFunctionEnforcePresignTtlCap: { variableNames?: string[]; maxSeconds?: number };
}

type SettingsOf<K extends MobileS3PolicyKey> = K extends keyof MobileS3GuardSettings ? MobileS3GuardSettings[K] : Record<never, never>;

/** One policy's entry: a level, or an object with an optional level and the policy's settings. */
export type MobileS3PolicyArgs<S = Record<never, never>> = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & S);

/**
 * Enforcement levels and settings in the style of AWSGuard: `all` sets every policy's level, and a
 * policy's own entry (by its camelCase name) wins over `all`. Policies not named keep their own
 * level (the public-access, wildcard and TLS families mandatory, hardening advisory) unless `all` is set.
 */
export type MobileS3GuardArgs = { all?: EnforcementLevel } & { [K in MobileS3PolicyKey]?: MobileS3PolicyArgs<SettingsOf<K>> };

/** Every policy of the pack, as run (see `withCheapNotApplicable`), by its camelCase key. */
export const policiesByKey = ((): Record<MobileS3PolicyKey, (typeof policies)[number]> => {
  const byName = new Map(policies.map((p) => [p.name, p]));
  const families: Record<string, unknown>[] = [publicAccess, wildcard, tls, hardening];
  const entries = families.flatMap((family) =>
    Object.entries(family).flatMap(([key, value]) => {
      const policy = !Array.isArray(value) && typeof value === "object" && value !== null ? byName.get((value as { name?: string }).name ?? "") : undefined;
      return policy === undefined ? [] : [[key, policy] as const];
    }),
  );
  return Object.fromEntries(entries) as Record<MobileS3PolicyKey, (typeof policies)[number]>;
})();

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

function checkLevel(level: unknown, where: string): EnforcementLevel {
  if (!LEVELS.includes(level as EnforcementLevel)) {
    throw new Error(`${where}: ${JSON.stringify(level)} is not an enforcement level (${LEVELS.join(", ")})`);
  }
  return level as EnforcementLevel;
}

/**
 * The pack's initial config for the given args, keyed by policy name as a policy config file is
 * (`{ all: "mandatory", "aws-kms-key-enable-rotation": "advisory" }`); undefined when nothing is set.
 * An entry with settings always carries a level (its own, else `all`, else the policy's): the
 * analyzer protocol has no "level not set", and the CLI reads an entry without one as advisory.
 * Unknown policies and settings are refused here rather than ignored.
 */
export function mobileS3GuardConfig(args: MobileS3GuardArgs = {}): PolicyPackConfig | undefined {
  const { all, ...perPolicy } = args;
  const config: PolicyPackConfig = {};
  if (all !== undefined) {
    config.all = checkLevel(all, "all");
  }
  for (const [key, entry] of Object.entries(perPolicy) as [string, MobileS3PolicyArgs<Record<string, unknown>> | undefined][]) {
    if (entry === undefined) {
      continue;
    }
    const policy = (policiesByKey as Record<string, (typeof policies)[number] | undefined>)[key];
    if (policy === undefined) {
      throw new Error(`MobileS3Guard has no policy "${key}": name policies by their camelCase export (e.g. awsKmsKeyEnableRotation)`);
    }
    if (typeof entry === "string") {
      config[policy.name] = checkLevel(entry, key);
      continue;
    }
    const { enforcementLevel, ...settings } = entry;
    const schema = policy.configSchema?.properties ?? {};
    for (const setting of Object.keys(settings)) {
      if (!(setting in schema)) {
        throw new Error(`${key} has no setting "${setting}"${Object.keys(schema).length > 0 ? ` (it has ${Object.keys(schema).join(", ")})` : ""}`);
      }
    }
    const level = enforcementLevel ?? all ?? policy.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL;
    config[policy.name] = { enforcementLevel: checkLevel(level, key), ...settings };
  }
  return Object.keys(config).length === 0 ? undefined : config;
}

/** The level of a policy that sets none (every policy of this pack sets its own). */
const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

const DEFAULT_NAME = "mobile-s3-guard";

/**
 * The pack's every policy, with enforcement levels and settings set through the pack's initial
 * config, as AWSGuard does. A policy config file (`--policy-pack-config`) still applies over it.
 *
 * ```typescript
 * new MobileS3Guard({ all: "mandatory", awsKmsKeyEnableRotation: "advisory" });
 * new MobileS3Guard("acme-s3", { awsS3BucketMissingAccessLogging: "disabled", awsKmsKeyEnableRotation: { maxRotationPeriodDays: 180 } });
 * ```
 */
export class MobileS3Guard extends PolicyPack {
  constructor(args?: MobileS3GuardArgs);
  constructor(name: string, args?: MobileS3GuardArgs, packArgs?: Omit<PolicyPackArgs, "policies">);
  constructor(nameOrArgs?: string | MobileS3GuardArgs, args?: MobileS3GuardArgs, packArgs: Omit<PolicyPackArgs, "policies"> = {}) {
    const [name, guardArgs] = typeof nameOrArgs === "string" ? [nameOrArgs, args] : [DEFAULT_NAME, nameOrArgs];
    super(
      name,
      {
        description: "Keeps S3 used by mobile apps private, TLS-only and free of wildcard grants.",
        enforcementLevel: PACK_ENFORCEMENT_LEVEL,
        ...packArgs,
        policies,
      },
      mobileS3GuardConfig(guardArgs),
    );
  }
}
