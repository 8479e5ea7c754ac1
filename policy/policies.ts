import { type Policies } from "@pulumi/policy";
import { awsS3BucketMissingTlsPolicy, awsS3BucketpolicyDisallowWildcardPrincipal } from "./rules/s3-bucket-policy";
import { awsS3BucketMissingPublicAccessBlock, awsS3BucketPublicAccessBlockEnforceAllFlags } from "./rules/s3-public-access-block";
import { awsS3BucketDisallowPublicAcl } from "./rules/s3-public-acl";

/** Every rule of the pack. Kept apart from index.ts so tests can import it without starting a server. */
export const policies: Policies = [
  awsS3BucketDisallowPublicAcl,
  awsS3BucketPublicAccessBlockEnforceAllFlags,
  awsS3BucketMissingPublicAccessBlock,
  awsS3BucketpolicyDisallowWildcardPrincipal,
  awsS3BucketMissingTlsPolicy,
];
