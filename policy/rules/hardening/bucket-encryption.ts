import { type PolicyResource, type StackValidationPolicy } from "@pulumi/policy";
import { bucketsOrNotApplicable, items, OK, problem, reportBuckets, settle, UNDECIDED, type Verdict, worst } from "../../lib/bucket-settings";
import { isServerAccessLogTarget } from "../../lib/s3-logging";
import { known, UNKNOWN } from "../../lib/unknown";

export const ENCRYPTION_TYPES = new Set([
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
]);

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
