import { type Policies } from "@pulumi/policy";
import { awsIamPolicyDisallowS3WildcardActions, awsS3AccesspointDisallowWildcardActions, awsS3BucketpolicyDisallowWildcardActions } from "./actions";
import { awsIamPolicyattachmentDisallowS3WildcardManagedPolicies } from "./managed-policies";
import { awsS3AccesspointDisallowWildcardPrincipal, awsS3BucketpolicyDisallowWildcardPrincipal } from "./principal";
import { awsIamPolicyDisallowS3WildcardResources } from "./resources";

export {
  awsIamPolicyattachmentDisallowS3WildcardManagedPolicies,
  awsIamPolicyDisallowS3WildcardActions,
  awsIamPolicyDisallowS3WildcardResources,
  awsS3AccesspointDisallowWildcardActions,
  awsS3AccesspointDisallowWildcardPrincipal,
  awsS3BucketpolicyDisallowWildcardActions,
  awsS3BucketpolicyDisallowWildcardPrincipal,
};

/**
 * Least privilege (4), against wildcard grants. Resource policies (bucket, access point) never open
 * to everyone or to every S3 action; identity policies never grant every S3 action or every bucket,
 * inline or attached.
 */
export const wildcardPolicies: Policies = [
  awsS3BucketpolicyDisallowWildcardPrincipal,
  awsS3AccesspointDisallowWildcardPrincipal,
  awsS3BucketpolicyDisallowWildcardActions,
  awsS3AccesspointDisallowWildcardActions,
  awsIamPolicyDisallowS3WildcardActions,
  awsIamPolicyDisallowS3WildcardResources,
  awsIamPolicyattachmentDisallowS3WildcardManagedPolicies,
];
