import { awsIamPolicyDisallowS3WildcardActions, awsS3AccesspointDisallowWildcardActions, awsS3BucketpolicyDisallowWildcardActions } from "./wildcard-actions";
import { awsIamPolicyattachmentDisallowS3WildcardManagedPolicies } from "./wildcard-managed-policies";
import { awsS3AccesspointDisallowWildcardPrincipal, awsS3BucketpolicyDisallowWildcardPrincipal } from "./wildcard-principal";
import { awsIamPolicyDisallowS3WildcardResources } from "./wildcard-resources";

/**
 * Family 2: wildcard grants. Resource policies (bucket, access point) never open to everyone or to
 * every S3 action; identity policies never grant every S3 action or every bucket, inline or attached.
 */
export const wildcardPolicies = [
  awsS3BucketpolicyDisallowWildcardPrincipal,
  awsS3AccesspointDisallowWildcardPrincipal,
  awsS3BucketpolicyDisallowWildcardActions,
  awsS3AccesspointDisallowWildcardActions,
  awsIamPolicyDisallowS3WildcardActions,
  awsIamPolicyDisallowS3WildcardResources,
  awsIamPolicyattachmentDisallowS3WildcardManagedPolicies,
];
