import { type Tier, TIERS } from "@mobile-s3/contract";
import { type Profile } from "../../infra/config";
import { runProgram } from "../../offline/run-program";
import { count, ms, ratio } from "./format";
import { BENCH_CONFIG_FILE, BENCH_STACK, capacity, cloudResources, planTier, resourcesPerTenant, type TierPlan, tierConfig } from "./tenants";
import { interleaved } from "./timing";
import { type Bench, type BenchRow, type ProgramTierJson } from "./types";

/** The limits: what a tenant may add, per tier. */
export const RESOURCES_PER_TENANT_LIMIT: Record<Tier, number> = { pooled: 0, accessPoint: 2, bucket: 9 };
/** A 1,000-tenant pooled stack evaluates within this factor of a 1-tenant stack. */
export const POOLED_TIME_RATIO_LIMIT = 1.2;

export interface SizeMeasurement {
  tenants: number;
  resources: number;
  medianMs: number;
  samplesMs: number[];
}

export interface TierMeasurement {
  plan: TierPlan;
  sizes: SizeMeasurement[];
}

/** One evaluation of the program under mocks with `n` tenants of a tier. */
function evaluate(tier: Tier, n: number, profile: Profile) {
  return runProgram({ stack: BENCH_STACK, configFile: BENCH_CONFIG_FILE, config: tierConfig(tier, n, profile) });
}

type ResourceCount = Pick<SizeMeasurement, "tenants" | "resources">;

/** The cloud resources of one evaluation, its time not kept. */
export async function resourcesAt(tier: Tier, n: number, profile: Profile): Promise<ResourceCount> {
  return { tenants: n, resources: cloudResources(await evaluate(tier, n, profile)) };
}

/** Every size of the plan evaluated `runs` times, the sizes taking turns, with their cloud resources. */
export async function measureTier(plan: TierPlan, runs: number, note: (m: string) => void = () => undefined): Promise<TierMeasurement> {
  const sampledSizes = await interleaved(
    runs,
    plan.sizes.map((n) => () => evaluate(plan.tier, n, plan.profile)),
  );
  const sizes = sampledSizes.map(({ medianMs, samplesMs, last }, i) => ({ tenants: plan.sizes[i], resources: cloudResources(last), medianMs, samplesMs }));
  for (const size of sizes) {
    note(`${plan.tier}, ${count(size.tenants)} tenants (${plan.profile} profile): ${count(size.resources)} resources, ${ms(size.medianMs)}`);
  }
  return { plan, sizes };
}

/** Per tenant from the smallest and largest size measured. */
export function perTenantOf(sizes: ResourceCount[]): number {
  const [first, last] = [sizes[0], sizes[sizes.length - 1]];
  return resourcesPerTenant(first.resources, last.resources, last.tenants);
}

/** "1,000", or "250, the most the quotas accept" when a quota stopped the plan there. */
const sizeLabel = (plan: TierPlan, n: number) => `${count(n)}${plan.refusal !== undefined && n === Math.max(...plan.sizes) ? ", the most the quotas accept" : ""}`;

function resourceRow(tier: Tier, profile: Profile, sizes: ResourceCount[], label: string): BenchRow {
  const perTenant = perTenantOf(sizes);
  const limit = RESOURCES_PER_TENANT_LIMIT[tier];
  return {
    measure: `program ${tier}: cloud resources per tenant (${profile} profile, N = 1 → ${label})`,
    value: count(perTenant, 2),
    reference: `${count(sizes[0].resources)} at N = 1`,
    ratio: ratio(perTenant / sizes[0].resources),
    target: limit === 0 ? "0 per tenant" : `≤ ${limit} per tenant`,
    met: perTenant <= limit,
  };
}

function timeRows(m: TierMeasurement): BenchRow[] {
  const [one, ...more] = m.sizes;
  const largest = more[more.length - 1];
  return more.map((size) => {
    const value = size.medianMs / one.medianMs;
    const judged = m.plan.tier === "pooled" && size === largest;
    return {
      measure: `program ${m.plan.tier}: mock evaluation (${m.plan.profile} profile, N = ${sizeLabel(m.plan, size.tenants)})`,
      value: ms(size.medianMs),
      reference: `${ms(one.medianMs)} at N = 1`,
      ratio: ratio(value),
      target: judged ? `≤ ${POOLED_TIME_RATIO_LIMIT.toFixed(2)}×` : "",
      ...(judged ? { met: value <= POOLED_TIME_RATIO_LIMIT } : {}),
    };
  });
}

export interface ProgramBenchSettings {
  /** Tenant counts to measure per tier (capped where a quota refuses them). */
  asked: number[];
  /** Evaluations per size; the median counts. */
  runs: number;
}

export const PROGRAM_SETTINGS: Record<"quick" | "full", ProgramBenchSettings> = {
  quick: { asked: [1, 100], runs: 3 },
  full: { asked: [1, 100, 1000], runs: 5 },
};

/**
 * Section 1, program cost per tenant: resources and mock evaluation time for 1, 100 and 1,000
 * tenants of each tier (quick: 1 and 100), each size the median of several evaluations.
 */
export const benchProgram: Bench<Record<string, ProgramTierJson>> = (options) =>
  programBench(options.quick ? PROGRAM_SETTINGS.quick : PROGRAM_SETTINGS.full)(options);

/** The section with its sizes and repetitions chosen (tests use tiny ones). */
export const programBench = ({ asked, runs }: ProgramBenchSettings): Bench<Record<string, ProgramTierJson>> => async ({ note }) => {
  note(`warming up (module loading and JIT), then ${runs} evaluations per size`);
  await runProgram({ stack: BENCH_STACK, configFile: BENCH_CONFIG_FILE, config: tierConfig("pooled", 1, "full") });

  const json: Record<string, ProgramTierJson> = {};
  const rows: BenchRow[] = [];
  for (const tier of TIERS) {
    const plan = planTier(tier, asked);
    if (plan.refusal !== undefined) {
      note(`${tier}: measured up to ${count(Math.max(...plan.sizes))} tenants (${plan.profile} profile); one more is refused: ${plan.refusal}`);
    }
    const measured = await measureTier(plan, runs, note);
    const largest = measured.sizes[measured.sizes.length - 1];
    const tierRows = [resourceRow(tier, plan.profile, measured.sizes, sizeLabel(plan, largest.tenants))];
    const tierJson: ProgramTierJson = {
      resourcesPerTenant: perTenantOf(measured.sizes),
      ratio1000to1: largest.medianMs / measured.sizes[0].medianMs,
      profile: plan.profile,
      tenants: largest.tenants,
      ...(plan.refusal !== undefined ? { refusal: plan.refusal } : {}),
      sizes: measured.sizes,
    };

    // Timed in another profile for its larger N; count the full profile too, where tenants cost the most.
    if (plan.profile !== "full") {
      const full = capacity(tier, "full", Math.max(...asked));
      if (full.tenants > 1) {
        const sizes = [await resourcesAt(tier, 1, "full"), await resourcesAt(tier, full.tenants, "full")];
        const fullPerTenant = perTenantOf(sizes);
        tierRows.push(resourceRow(tier, "full", sizes, `${count(full.tenants)}${full.refusal !== undefined ? ", the most the quotas accept" : ""}`));
        tierJson.fullProfile = { tenants: full.tenants, resourcesPerTenant: fullPerTenant, ...(full.refusal ? { refusal: full.refusal } : {}) };
        // The headline figure is the costlier profile's: the limit holds for both.
        tierJson.resourcesPerTenant = Math.max(tierJson.resourcesPerTenant, fullPerTenant);
      }
    }
    json[tier] = tierJson;
    rows.push(...tierRows, ...timeRows(measured));
  }
  return { json, rows };
};
