import { awsS3BucketMissingPublicAccessBlock, awsS3BucketPublicAccessBlockEnforceAllFlags } from "./s3-public-access-block";
import { awsS3BucketDisallowPublicAcl } from "./s3-public-acl";

/** Family 1: nothing public (ACLs, public access blocks, ownership). */
export const publicAccessPolicies = [awsS3BucketDisallowPublicAcl, awsS3BucketPublicAccessBlockEnforceAllFlags, awsS3BucketMissingPublicAccessBlock];
