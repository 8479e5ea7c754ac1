import { type PolicyResource, type StackValidationPolicy } from "@pulumi/policy";
import { bucketsOrNotApplicable, entryLabel, items, OK, problem, reportBuckets, settle, UNDECIDED, type Verdict } from "../../lib/bucket-settings";
import { known, type Known, UNKNOWN } from "../../lib/unknown";

export const LIFECYCLE_TYPES = new Set([
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
]);

interface AbortConfig {
  maxDaysAfterInitiation: number;
}

/** True when a filter value narrows the rule (a non-empty prefix, a tag, a size bound…). */
function narrows(value: unknown): Known<boolean> {
  // Providers report unset size bounds as 0 (or "0").
  if (value === undefined || value === null || value === "" || value === 0 || value === "0" || value === false) {
    return false;
  }
  if (typeof value !== "object") {
    return true;
  }
  const obj = value as Record<string, unknown>;
  let undecided = false;
  for (const key of Object.keys(obj)) {
    const child = known(() => obj[key]);
    const result = child === UNKNOWN ? UNKNOWN : narrows(child);
    if (result === true) {
      return true;
    }
    undecided ||= result === UNKNOWN;
  }
  return undecided ? UNKNOWN : false;
}

/** One lifecycle rule, whichever form it was written in. */
interface AbortRule {
  label: string;
  enabled: Known<boolean>;
  days: Known<unknown>;
  scope: Known<boolean>;
}

/** The rules of a lifecycle list that abort incomplete uploads, each read by `read` (undefined: the rule aborts none). */
function abortRules(readList: () => unknown, read: (rule: Record<string, unknown>) => Omit<AbortRule, "label"> | undefined): AbortRule[] {
  return items(readList).flatMap((rule, i) => {
    const r = rule as Record<string, unknown>;
    const found = read(r);
    return found === undefined ? [] : [{ label: entryLabel(known(() => r.id), i), ...found }];
  });
}

/** A lifecycle configuration's rules: `status`, `filter` / `prefix`, `abortIncompleteMultipartUpload[0].daysAfterInitiation`. */
function companionAbortRules(c: PolicyResource): AbortRule[] {
  return abortRules(
    () => c.props.rules,
    (r) => {
      const abort = known(() => r.abortIncompleteMultipartUpload);
      if (abort === undefined || abort === null) {
        return undefined;
      }
      const [status, filter, prefix] = [known(() => r.status), known(() => r.filter), known(() => r.prefix)];
      return {
        enabled: status === UNKNOWN ? UNKNOWN : status === "Enabled",
        days: abort === UNKNOWN ? UNKNOWN : known(() => (items(() => abort)[0] as Record<string, unknown> | undefined)?.daysAfterInitiation),
        scope: filter === UNKNOWN || prefix === UNKNOWN ? UNKNOWN : orKnown(narrows(filter), narrows(prefix)),
      };
    },
  );
}

/** A legacy bucket's inline `lifecycleRules`: `enabled`, `prefix` / `tags`, `abortIncompleteMultipartUploadDays`. */
function inlineAbortRules(b: PolicyResource): AbortRule[] {
  return abortRules(
    () => b.props.lifecycleRules,
    (r) => {
      const days = known(() => r.abortIncompleteMultipartUploadDays);
      if (days === undefined || days === null || days === 0) {
        return undefined;
      }
      const [enabled, prefix, tags] = [known(() => r.enabled), known(() => r.prefix), known(() => r.tags)];
      return {
        enabled: enabled === UNKNOWN ? UNKNOWN : enabled === true,
        days,
        scope: prefix === UNKNOWN || tags === UNKNOWN ? UNKNOWN : orKnown(narrows(prefix), narrows(tags)),
      };
    },
  );
}

function orKnown(a: Known<boolean>, b: Known<boolean>): Known<boolean> {
  return a === true || b === true ? true : a === UNKNOWN || b === UNKNOWN ? UNKNOWN : false;
}

function abortVerdict(rules: AbortRule[], maxDays: number): Verdict {
  const range = maxDays === 1 ? "of 1" : `between 1 and ${maxDays}`;
  const add =
    `add a lifecycle rule (status "Enabled", no filter) with abortIncompleteMultipartUpload.daysAfterInitiation ` +
    `${range}; unfinished uploads otherwise keep their parts, and their cost, forever.`;
  if (rules.length === 0) {
    return problem(`has no lifecycle rule that aborts incomplete multipart uploads: ${add}`);
  }
  const verdicts = rules.map((rule): Verdict => {
    if (rule.enabled === UNKNOWN || rule.days === UNKNOWN || rule.scope === UNKNOWN) {
      return UNDECIDED;
    }
    const issues: string[] = [];
    if (!rule.enabled) {
      issues.push(`is disabled: set its status to "Enabled"`);
    }
    if (typeof rule.days !== "number" || !Number.isInteger(rule.days) || rule.days < 1 || rule.days > maxDays) {
      issues.push(`waits ${JSON.stringify(rule.days)} days: set daysAfterInitiation ${range}`);
    }
    if (rule.scope) {
      issues.push("covers only part of the bucket: remove its filter and prefix so every upload is covered");
    }
    return issues.length === 0 ? OK : problem(`has lifecycle rule ${rule.label} for incomplete multipart uploads, which ${issues.join(", and ")}.`);
  });
  if (verdicts.some((v) => v.ok === true)) {
    return OK;
  }
  return verdicts.find((v) => v.ok === "unknown") ?? verdicts[0];
}

function bucketAbortsUploads(bucket: PolicyResource, resources: PolicyResource[], maxDays: number): Verdict {
  return settle(
    bucket,
    resources,
    LIFECYCLE_TYPES,
    // Several lifecycle companions would fight over one configuration; each is judged on its own.
    (c) => (known(() => c.props.rules) === UNKNOWN ? UNDECIDED : abortVerdict(companionAbortRules(c), maxDays)),
    (b) => (known(() => b.props.lifecycleRules) === UNKNOWN ? UNDECIDED : abortVerdict(inlineAbortRules(b), maxDays)),
  );
}

export const awsS3BucketEnforceAbortIncompleteUploads: StackValidationPolicy = {
  name: "aws-s3-bucket-enforce-abort-incomplete-uploads",
  description: "Checks that every S3 bucket has an enabled, bucket-wide lifecycle rule that aborts incomplete multipart uploads within a set number of days.",
  enforcementLevel: "advisory",
  severity: "low",
  configSchema: {
    properties: {
      maxDaysAfterInitiation: {
        type: "integer",
        minimum: 1,
        default: 7,
        description: "Most days an unfinished multipart upload may keep its parts before the lifecycle rule aborts it.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const { maxDaysAfterInitiation } = args.getConfig<AbortConfig>();
    reportBuckets(
      bucketsOrNotApplicable(args),
      (b) => bucketAbortsUploads(b, args.resources, maxDaysAfterInitiation),
      reportViolation,
    );
  },
};
