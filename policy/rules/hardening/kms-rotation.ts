import { type ResourceValidationArgs, type ResourceValidationPolicy } from "@pulumi/policy";
import { known, UNKNOWN } from "../../lib/unknown";

export const KMS_KEY_TYPE = "aws:kms/key:Key";

interface RotationConfig {
  maxRotationPeriodDays: number;
}

interface RotationState {
  enabled: boolean;
  /** Days between rotations as configured (365 when unset). */
  period: number;
}

/**
 * The key's rotation settings, or why the policy does not concern it. KMS rotates only symmetric
 * encryption keys whose material it holds itself: asymmetric, HMAC and custom key store keys cannot.
 * `undefined` when a value the decision needs is unknown in a preview.
 */
function rotationOf(args: ResourceValidationArgs): RotationState | { notApplicable: string } | undefined {
  if (args.type !== KMS_KEY_TYPE) {
    return { notApplicable: "Only KMS keys rotate." };
  }
  const props = args.props;
  const usage = known(() => props.keyUsage);
  const spec = known(() => props.keySpec ?? props.customerMasterKeySpec);
  const keyStore = known(() => props.customKeyStoreId ?? props.xksKeyId);
  const enabled = known(() => props.enableKeyRotation);
  const period = known(() => props.rotationPeriodInDays);
  if ([usage, spec, keyStore, enabled, period].includes(UNKNOWN)) {
    return undefined;
  }
  if ((usage ?? "ENCRYPT_DECRYPT") !== "ENCRYPT_DECRYPT" || (spec ?? "SYMMETRIC_DEFAULT") !== "SYMMETRIC_DEFAULT") {
    return { notApplicable: `KMS rotates only symmetric encryption keys; this key is ${String(spec ?? "SYMMETRIC_DEFAULT")} for ${String(usage ?? "ENCRYPT_DECRYPT")}.` };
  }
  if (typeof keyStore === "string" && keyStore !== "") {
    return { notApplicable: "KMS cannot rotate keys in a custom key store automatically." };
  }
  return { enabled: enabled === true, period: typeof period === "number" ? period : 365 };
}

export const awsKmsKeyEnableRotation: ResourceValidationPolicy = {
  name: "aws-kms-key-enable-rotation",
  description: "Checks that every symmetric KMS encryption key rotates its key material automatically, at least as often as configured.",
  enforcementLevel: "advisory",
  severity: "medium",
  configSchema: {
    properties: {
      maxRotationPeriodDays: {
        type: "integer",
        minimum: 90,
        maximum: 2560,
        default: 365,
        description: "Most days between automatic rotations (rotationPeriodInDays; KMS allows 90-2560 and defaults to 365).",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const state = rotationOf(args);
    if (state === undefined) {
      return;
    }
    if ("notApplicable" in state) {
      return args.notApplicable(state.notApplicable);
    }
    const { maxRotationPeriodDays } = args.getConfig<RotationConfig>();
    if (!state.enabled) {
      reportViolation(`KMS key "${args.name}" does not rotate its key material: set enableKeyRotation to true.`);
    } else if (state.period > maxRotationPeriodDays) {
      reportViolation(
        `KMS key "${args.name}" rotates only every ${state.period} days: set rotationPeriodInDays to at most ${maxRotationPeriodDays}.`,
      );
    }
  },
  // Turning rotation on keeps every existing ciphertext readable, so it is safe to apply unasked.
  remediateResource: (args) => {
    const state = rotationOf(args);
    if (state === undefined || "notApplicable" in state) {
      return undefined;
    }
    const { maxRotationPeriodDays } = args.getConfig<RotationConfig>();
    if (state.enabled && state.period <= maxRotationPeriodDays) {
      return undefined;
    }
    // Set through the props proxy, which keeps secrets secret and preview unknowns unknown.
    const props = args.props;
    props.enableKeyRotation = true;
    if (state.period > maxRotationPeriodDays) {
      props.rotationPeriodInDays = maxRotationPeriodDays;
    }
    return props;
  },
};
