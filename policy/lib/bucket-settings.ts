import { type PolicyResource } from "@pulumi/policy";
import { BUCKET_TYPES, companionsOf, companionsOfAny } from "./s3";
import { known, UNKNOWN } from "./unknown";

type ReportViolation = (message: string, urn?: string) => void;

/** The elements of a list property, skipping the unknown ones; a lone object counts as a list of one. */
export function items(read: () => unknown): unknown[] {
  const value = known(read);
  if (value === UNKNOWN || value === undefined || value === null) {
    return [];
  }
  const list = Array.isArray(value) ? value : [value];
  return Array.from({ length: list.length }, (_, i) => known(() => list[i])).filter((v) => v !== UNKNOWN);
}

/** The strings of a list property (an unknown list, or unknown elements, contribute nothing). */
export function strings(read: () => unknown): string[] {
  return items(read).filter((v): v is string => typeof v === "string");
}

/** The stack's buckets; a stack without any makes a bucket-level stack policy not applicable. */
export function bucketsOrNotApplicable(args: { resources: PolicyResource[]; notApplicable(reason?: string): never }): PolicyResource[] {
  const buckets = args.resources.filter((r) => BUCKET_TYPES.has(r.type));
  if (buckets.length === 0) {
    return args.notApplicable("The stack has no S3 bucket.");
  }
  return buckets;
}

/**
 * Reports, against each bucket of the stack, its companions of `type` (public access block,
 * ownership controls…): the `missing` advice when it has none, and each companion's problem. A
 * stack without buckets makes the policy not applicable.
 */
export function reportCompanions(
  args: { resources: PolicyResource[]; notApplicable(reason?: string): never },
  reportViolation: ReportViolation,
  companion: { type: string; missing: (bucket: PolicyResource) => string; problem: (bucket: PolicyResource, companion: PolicyResource) => string | undefined },
): void {
  for (const bucket of bucketsOrNotApplicable(args)) {
    const companions = companionsOf(bucket, args.resources, companion.type);
    if (companions.length === 0) {
      reportViolation(companion.missing(bucket), bucket.urn);
    }
    for (const c of companions) {
      const found = companion.problem(bucket, c);
      if (found !== undefined) {
        reportViolation(found, bucket.urn);
      }
    }
  }
}

/** How messages name one entry of a list (a CORS or lifecycle rule): by its id, or by its position. */
export function entryLabel(id: unknown, index: number, quoted: (id: string) => string = (v) => `"${v}"`): string {
  return typeof id === "string" && id !== "" ? quoted(id) : `#${index + 1}`;
}

/**
 * What a bucket's check concluded: settled compliant, a finding to report, or not decidable until
 * the preview's unknown values are known.
 */
export type Verdict = { ok: true } | { ok: false; problem: string } | { ok: "unknown" };
export const OK: Verdict = { ok: true };
export const UNDECIDED: Verdict = { ok: "unknown" };
export const problem = (text: string): Verdict => ({ ok: false, problem: text });

/**
 * Settles a bucket-level setting that may live in separate companion resources (v7 style) or
 * inline on the bucket (the legacy `Bucket` / `BucketV2` forms). Companions, when present, are
 * what the provider applies, so they decide; the inline form decides only for buckets without any.
 */
export function settle(
  bucket: PolicyResource,
  resources: PolicyResource[],
  companionTypes: ReadonlySet<string>,
  fromCompanion: (companion: PolicyResource) => Verdict,
  inline: (bucket: PolicyResource) => Verdict,
): Verdict {
  const companions = companionsOfAny(bucket, resources, companionTypes);
  if (companions.length === 0) {
    return inline(bucket);
  }
  return worst(companions.map(fromCompanion), OK);
}

/** The first finding among verdicts, else undecided if any is, else compliant; `none` when there are none. */
export function worst(verdicts: Verdict[], none: Verdict): Verdict {
  if (verdicts.length === 0) {
    return none;
  }
  return verdicts.find((v) => v.ok === false) ?? verdicts.find((v) => v.ok === "unknown") ?? OK;
}

/** Reports each bucket whose setting is settled and wrong; undecided (preview) buckets wait for `pulumi up`. */
export function reportBuckets(buckets: PolicyResource[], verdictOf: (bucket: PolicyResource) => Verdict, reportViolation: ReportViolation): void {
  for (const bucket of buckets) {
    const verdict = verdictOf(bucket);
    if (verdict.ok === false) {
      reportViolation(`Bucket "${bucket.name}" ${verdict.problem}`, bucket.urn);
    }
  }
}
