import { type ResourceValidationPolicy } from "@pulumi/policy";
import { asArray } from "../../lib/policy-document";
import { knownOrSkip } from "../../lib/unknown";

/**
 * AWS managed policies that grant S3 actions on `Resource: "*"`. Their documents are not in the
 * program, so the identity-policy checks cannot see them; attaching one is the same wildcard grant.
 */
export const DEFAULT_DISALLOWED_MANAGED_POLICIES = [
  "AdministratorAccess",
  "PowerUserAccess",
  "ReadOnlyAccess",
  "AmazonS3FullAccess",
  "AmazonS3ReadOnlyAccess",
];

interface ManagedPoliciesConfig {
  disallowedManagedPolicies?: string[];
}

/** Resource token → how messages name it, and the property holding the attached policy ARN(s). */
const ATTACHMENTS: Record<string, { kind: string; property: string }> = {
  "aws:iam/role:Role": { kind: "Role", property: "managedPolicyArns" },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { kind: "Role policy attachment", property: "policyArn" },
  "aws:iam/userPolicyAttachment:UserPolicyAttachment": { kind: "User policy attachment", property: "policyArn" },
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": { kind: "Group policy attachment", property: "policyArn" },
  "aws:iam/policyAttachment:PolicyAttachment": { kind: "Policy attachment", property: "policyArn" },
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": { kind: "Exclusive role policy attachment", property: "policyArns" },
  "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": { kind: "Exclusive user policy attachment", property: "policyArns" },
  "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": { kind: "Exclusive group policy attachment", property: "policyArns" },
};

/** `arn:<partition>:iam::aws:policy/<path/>Name` → the path and name after `policy/`; undefined for customer managed policies. */
function awsManagedPolicyPath(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
}

export const awsIamPolicyattachmentDisallowS3WildcardManagedPolicies: ResourceValidationPolicy = {
  name: "aws-iam-policyattachment-disallow-s3-wildcard-managed-policies",
  description: "Checks that no role, user or group is attached an AWS managed policy that grants S3 actions on every bucket.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      disallowedManagedPolicies: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_DISALLOWED_MANAGED_POLICIES,
        description: "Names (or paths such as \"job-function/ViewOnlyAccess\") of AWS managed policies that must not be attached.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    const attachment = ATTACHMENTS[args.type];
    if (attachment === undefined) {
      args.notApplicable("Only IAM roles and policy attachments are checked.");
    }
    const disallowed = new Set(args.getConfig<ManagedPoliciesConfig>().disallowedManagedPolicies ?? DEFAULT_DISALLOWED_MANAGED_POLICIES);
    const arns = knownOrSkip(() => asArray(args.props[attachment.property] as unknown)) ?? [];
    // By index: iterating the proxy would read an element unknown in a preview and abandon the rest.
    for (let i = 0; i < arns.length; i++) {
      const arn = knownOrSkip(() => arns[i]);
      const path = typeof arn === "string" ? awsManagedPolicyPath(arn) : undefined;
      if (path !== undefined && (disallowed.has(path) || disallowed.has(path.split("/").pop()!))) {
        reportViolation(
          `${attachment.kind} "${args.name}" attaches the AWS managed policy "${arn}", which grants S3 actions on every bucket: ` +
            `attach a policy of your own that names the buckets, key prefixes or access points instead.`,
          args.urn,
        );
      }
    }
  },
};
