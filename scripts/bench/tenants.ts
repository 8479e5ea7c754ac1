import { type Tier } from "@mobile-s3/contract";
import * as path from "node:path";
import { type Profile } from "../../infra/config";
import { checkQuotas } from "../../infra/quotas";
import { type ProgramRun } from "../../offline/run-program";
import { parseResolvedConfig, PROJECT_ROOT, resolveStackConfig } from "../../offline/stack-config";

/** Every tier in one stack, full profile: the example the tiers are measured from, its tenants replaced. */
export const BENCH_CONFIG_FILE = path.join(PROJECT_ROOT, "examples/multi-tenant.yaml");
/** Short on purpose: it becomes the environment in every bucket and access point name. */
export const BENCH_STACK = "bench";

/** The profiles a tier may be measured in, preferred first: full is the one with every component. */
export const PROFILES: readonly Profile[] = ["full", "minimal"];

/** `n` tenants of one tier, as the `tenants` config lists them. */
export function tenantEntries(tier: Tier, n: number): string[] {
  return Array.from({ length: n }, (_, i) => (tier === "pooled" ? `t${i + 1}` : `t${i + 1}:${tier}`));
}

/** Config laid over the example for `n` tenants of one tier. */
export function tierConfig(tier: Tier, n: number, profile: Profile): Record<string, unknown> {
  return { tenants: tenantEntries(tier, n), profile };
}

/**
 * Why the program would refuse this many tenants, or undefined when it accepts them: the program's
 * own config parsing and quota checks (`checkQuotas`), without building anything.
 */
export function quotaRefusal(tier: Tier, n: number, profile: Profile): string | undefined {
  try {
    checkQuotas(parseResolvedConfig(resolveStackConfig({ stack: BENCH_STACK, configFile: BENCH_CONFIG_FILE, overrides: tierConfig(tier, n, profile) })));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export interface Capacity {
  /** The most tenants of the tier, up to the asked number, that the program accepts; 0 if not even one. */
  tenants: number;
  /** Why one more is refused, when the quotas stopped short of the asked number. */
  refusal?: string;
}

/** Binary search over `quotaRefusal`: each quota only tightens as tenants are added. */
export function capacity(tier: Tier, profile: Profile, upTo: number, refusal = quotaRefusal): Capacity {
  const atMost = refusal(tier, upTo, profile);
  if (atMost === undefined) {
    return { tenants: upTo };
  }
  let accepted = 0;
  let refused = upTo;
  let reason = atMost;
  while (refused - accepted > 1) {
    const mid = Math.floor((accepted + refused) / 2);
    const why = refusal(tier, mid, profile);
    if (why === undefined) {
      accepted = mid;
    } else {
      refused = mid;
      reason = why;
    }
  }
  return { tenants: accepted, refusal: reason };
}

export interface TierPlan {
  tier: Tier;
  profile: Profile;
  /** Tenant counts to measure, ascending, starting at 1. */
  sizes: number[];
  /** Set when the largest asked size was refused by a quota. */
  refusal?: string;
}

/**
 * A later profile is chosen only when it accepts at least this many times the tenants: a handful
 * more is not worth measuring a tier without the components the full profile adds.
 */
export const PROFILE_SWITCH_FACTOR = 2;

/**
 * Which profile and sizes measure a tier: the asked sizes, capped at what the quotas accept. The
 * full profile, unless another accepts far more tenants: the bucket tier stops at 24 in the full
 * profile (one CloudFront origin each) but goes on to the pooled bucket policy's limit without a CDN.
 */
export function planTier(tier: Tier, asked: number[], refusal = quotaRefusal): TierPlan {
  const largest = Math.max(...asked);
  let best: (Capacity & { profile: Profile }) | undefined;
  for (const profile of PROFILES) {
    if (best !== undefined && best.tenants === largest) {
      break;
    }
    const cap = { ...capacity(tier, profile, largest, refusal), profile };
    if (best === undefined || cap.tenants >= Math.max(1, best.tenants * PROFILE_SWITCH_FACTOR)) {
      best = cap;
    }
  }
  if (best === undefined || best.tenants < 1) {
    throw new Error(`no profile accepts a single ${tier} tenant: ${best?.refusal ?? "no profiles"}`);
  }
  const sizes = [...new Set([1, ...asked.map((n) => Math.min(n, best.tenants))])].sort((a, b) => a - b);
  return { tier, profile: best.profile, sizes, ...(best.refusal !== undefined ? { refusal: best.refusal } : {}) };
}

/**
 * Resources the cloud would hold: custom resources only. The stack and the components are Pulumi's
 * bookkeeping, and providers are configuration, not something AWS creates.
 */
export function cloudResources(run: Pick<ProgramRun, "resources">): number {
  return run.resources.filter((r) => r.custom && r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:")).length;
}

/** What each tenant after the first adds. */
export function resourcesPerTenant(atOne: number, atN: number, n: number): number {
  if (n <= 1) {
    throw new Error(`resources per tenant needs more than one tenant, got ${n}`);
  }
  return (atN - atOne) / (n - 1);
}
