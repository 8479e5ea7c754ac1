import { type PolicyResource, type StackValidationPolicy } from "@pulumi/policy";
import { isServerAccessLogTarget } from "../lib/s3-logging";
import { bucketsOrNotApplicable, items, known, type Known, OK, problem, settle, UNDECIDED, UNKNOWN, type Verdict, worst } from "./hardening-support";

export const ENCRYPTION_TYPES = new Set([
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
]);
export const VERSIONING_TYPES = new Set(["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"]);
export const LIFECYCLE_TYPES = new Set([
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
]);

/** Reports each bucket whose setting is settled and wrong; undecided (preview) buckets wait for `pulumi up`. */
function reportBuckets(
  buckets: PolicyResource[],
  verdictOf: (bucket: PolicyResource) => Verdict,
  reportViolation: (message: string, urn?: string) => void,
): void {
  for (const bucket of buckets) {
    const verdict = verdictOf(bucket);
    if (verdict.ok === false) {
      reportViolation(`Bucket "${bucket.name}" ${verdict.problem}`, bucket.urn);
    }
  }
}

// --- 1. SSE-KMS with a bucket key -------------------------------------------------------------

interface EncryptionConfig {
  requireCustomerManagedKey: boolean;
}

/** How one bucket is judged: the policy's settings, and whether it receives server access logs. */
interface EncryptionRules extends EncryptionConfig {
  logTarget: boolean;
}

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];
const SSE_S3 = "AES256";
const AWS_MANAGED_S3_KEY = /(^|:)alias\/aws\/s3$/;
const ADD_ENCRYPTION =
  'add an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms", a customer managed kmsMasterKeyId and bucketKeyEnabled true.';
// Server access log delivery supports SSE-S3 default encryption on its target bucket, not SSE-KMS
// ("Enabling Amazon S3 server access logging"): a bucket that receives another bucket's server
// access logs may use SSE-S3. Only such a bucket; every other one is still held to SSE-KMS.
const ADD_LOG_TARGET_ENCRYPTION =
  'add an aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "AES256" (SSE-S3), the default encryption S3 server access log delivery supports on its target bucket.';

/** One default-encryption rule: the rule object and its "apply by default" block (a list in the BucketV2 inline form). */
function encryptionVerdict(rule: unknown, applyKey: string, config: EncryptionRules): Verdict {
  const r = rule as Record<string, unknown>;
  const [apply] = items(() => r[applyKey]) as Record<string, unknown>[];
  if (apply === undefined) {
    return known(() => r[applyKey]) === UNKNOWN ? UNDECIDED : problem(`has no default encryption: ${config.logTarget ? ADD_LOG_TARGET_ENCRYPTION : ADD_ENCRYPTION}`);
  }
  const algorithm = known(() => apply.sseAlgorithm);
  if (algorithm === UNKNOWN) {
    return UNDECIDED;
  }
  if (config.logTarget && algorithm === SSE_S3) {
    return OK;
  }
  if (typeof algorithm !== "string" || !KMS_ALGORITHMS.includes(algorithm)) {
    return problem(
      config.logTarget
        ? `receives server access logs and encrypts by default with ${JSON.stringify(algorithm ?? "nothing")}: set sseAlgorithm to "AES256" (SSE-S3), the encryption S3 log delivery supports.`
        : `encrypts by default with ${JSON.stringify(algorithm ?? "nothing")}: set sseAlgorithm to "aws:kms" (or "aws:kms:dsse") with a customer managed key.`,
    );
  }
  const problems: string[] = [];
  // S3 Bucket Keys do not exist for DSSE-KMS, so only single-layer SSE-KMS is held to them.
  if (algorithm === "aws:kms") {
    const bucketKey = known(() => r.bucketKeyEnabled);
    if (bucketKey === UNKNOWN) {
      return UNDECIDED;
    }
    if (bucketKey !== true) {
      problems.push("uses SSE-KMS without an S3 Bucket Key: set bucketKeyEnabled to true (it cuts KMS requests and their cost)");
    }
  }
  if (config.requireCustomerManagedKey) {
    const keyId = known(() => apply.kmsMasterKeyId);
    if (keyId !== UNKNOWN && (typeof keyId !== "string" || keyId === "" || AWS_MANAGED_S3_KEY.test(keyId))) {
      problems.push(
        "encrypts with the AWS managed key aws/s3: set kmsMasterKeyId to a customer managed KMS key, whose key policy decides who may decrypt",
      );
    }
  }
  return problems.length === 0 ? OK : problem(`${problems.join("; it also ")}.`);
}

function bucketEncryption(bucket: PolicyResource, resources: PolicyResource[], settings: EncryptionConfig): Verdict {
  const config: EncryptionRules = { ...settings, logTarget: isServerAccessLogTarget(bucket, resources) };
  const missing = problem(`has no default encryption: ${config.logTarget ? ADD_LOG_TARGET_ENCRYPTION : ADD_ENCRYPTION}`);
  return settle(
    bucket,
    resources,
    ENCRYPTION_TYPES,
    (c) => {
      if (known(() => c.props.rules) === UNKNOWN) {
        return UNDECIDED;
      }
      return worst(
        items(() => c.props.rules).map((rule) => encryptionVerdict(rule, "applyServerSideEncryptionByDefault", config)),
        missing,
      );
    },
    (b) => {
      // Legacy inline forms: Bucket has `serverSideEncryptionConfiguration.rule`, BucketV2 has
      // `serverSideEncryptionConfigurations[].rules[]` with `applyServerSideEncryptionByDefaults[]`.
      const single = known(() => b.props.serverSideEncryptionConfiguration);
      const lists = known(() => b.props.serverSideEncryptionConfigurations);
      if (single === UNKNOWN || lists === UNKNOWN) {
        return UNDECIDED;
      }
      const verdicts = [
        ...items(() => b.props.serverSideEncryptionConfiguration).flatMap((c) =>
          items(() => (c as Record<string, unknown>).rule).map((rule) => encryptionVerdict(rule, "applyServerSideEncryptionByDefault", config)),
        ),
        ...items(() => b.props.serverSideEncryptionConfigurations).flatMap((c) =>
          items(() => (c as Record<string, unknown>).rules).map((rule) => encryptionVerdict(rule, "applyServerSideEncryptionByDefaults", config)),
        ),
      ];
      return worst(verdicts, missing);
    },
  );
}

export const awsS3BucketEnableSseKms: StackValidationPolicy = {
  name: "aws-s3-bucket-enable-sse-kms",
  description:
    "Checks that every S3 bucket encrypts by default with SSE-KMS under a customer managed key and with an S3 Bucket Key, or with SSE-S3 where it receives server access logs.",
  enforcementLevel: "advisory",
  severity: "high",
  configSchema: {
    properties: {
      requireCustomerManagedKey: {
        type: "boolean",
        default: true,
        description: "Also require kmsMasterKeyId to name a customer managed key (not the AWS managed aws/s3 key).",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<EncryptionConfig>();
    reportBuckets(bucketsOrNotApplicable(args), (b) => bucketEncryption(b, args.resources, config), reportViolation);
  },
};

// --- 3. Versioning --------------------------------------------------------------------------

const ENABLE_VERSIONING = 'add an aws.s3.BucketVersioning with versioningConfiguration.status "Enabled".';

function bucketVersioning(bucket: PolicyResource, resources: PolicyResource[]): Verdict {
  return settle(
    bucket,
    resources,
    VERSIONING_TYPES,
    (c) => {
      const status = known(() => (c.props.versioningConfiguration as Record<string, unknown> | undefined)?.status);
      if (status === UNKNOWN) {
        return UNDECIDED;
      }
      return status === "Enabled"
        ? OK
        : problem(`has versioning ${JSON.stringify(status ?? "unset")}: set versioningConfiguration.status to "Enabled".`);
    },
    (b) => {
      // Legacy inline forms: Bucket `versioning.enabled`, BucketV2 `versionings[].enabled`.
      const inline = known(() => b.props.versioning ?? b.props.versionings);
      if (inline === UNKNOWN) {
        return UNDECIDED;
      }
      const [first] = items(() => inline) as Record<string, unknown>[];
      if (first === undefined) {
        return problem(`has no versioning: ${ENABLE_VERSIONING}`);
      }
      const enabled = known(() => first.enabled);
      if (enabled === UNKNOWN) {
        return UNDECIDED;
      }
      return enabled === true ? OK : problem(`has versioning turned off: ${ENABLE_VERSIONING}`);
    },
  );
}

export const awsS3BucketEnableVersioning: StackValidationPolicy = {
  name: "aws-s3-bucket-enable-versioning",
  description: "Checks that every S3 bucket has versioning enabled, so overwritten and deleted objects can be recovered.",
  enforcementLevel: "advisory",
  severity: "medium",
  validateStack: (args, reportViolation) => {
    reportBuckets(bucketsOrNotApplicable(args), (b) => bucketVersioning(b, args.resources), reportViolation);
  },
};

// --- 4. Lifecycle aborts incomplete multipart uploads ------------------------------------------

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

function companionAbortRules(c: PolicyResource): AbortRule[] {
  return items(() => c.props.rules).flatMap((rule, i) => {
    const r = rule as Record<string, unknown>;
    const abort = known(() => r.abortIncompleteMultipartUpload);
    if (abort === undefined || abort === null) {
      return [];
    }
    const status = known(() => r.status);
    const filter = known(() => r.filter);
    const prefix = known(() => r.prefix);
    const id = known(() => r.id);
    return [
      {
        label: typeof id === "string" && id !== "" ? `"${id}"` : `#${i + 1}`,
        enabled: status === UNKNOWN ? UNKNOWN : status === "Enabled",
        days: abort === UNKNOWN ? UNKNOWN : known(() => (items(() => abort)[0] as Record<string, unknown> | undefined)?.daysAfterInitiation),
        scope: filter === UNKNOWN || prefix === UNKNOWN ? UNKNOWN : orKnown(narrows(filter), narrows(prefix)),
      },
    ];
  });
}

function inlineAbortRules(b: PolicyResource): AbortRule[] {
  return items(() => b.props.lifecycleRules).flatMap((rule, i) => {
    const r = rule as Record<string, unknown>;
    const days = known(() => r.abortIncompleteMultipartUploadDays);
    if (days === undefined || days === null || days === 0) {
      return [];
    }
    const enabled = known(() => r.enabled);
    const prefix = known(() => r.prefix);
    const tags = known(() => r.tags);
    const id = known(() => r.id);
    return [
      {
        label: typeof id === "string" && id !== "" ? `"${id}"` : `#${i + 1}`,
        enabled: enabled === UNKNOWN ? UNKNOWN : enabled === true,
        days,
        scope: prefix === UNKNOWN || tags === UNKNOWN ? UNKNOWN : orKnown(narrows(prefix), narrows(tags)),
      },
    ];
  });
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
