import { type Policies } from "@pulumi/policy";
import { awsS3AccountPublicAccessBlockEnforceAllFlags } from "./public-access-account";
import { awsS3BucketMissingOwnershipControls, awsS3BucketOwnershipControlsEnforceBucketOwnerEnforced } from "./public-access-ownership";
import { awsS3AccessPointEnforcePublicAccessBlock } from "./public-access-point";
import { awsS3BucketMissingPublicAccessBlock, awsS3BucketPublicAccessBlockEnforceAllFlags } from "./s3-public-access-block";
import { awsS3BucketDisallowPublicAcl } from "./s3-public-acl";

/** Family 1: nothing public (ACLs, ownership, public access blocks of buckets, access points and the account). */
export const publicAccessPolicies: Policies = [
  awsS3BucketDisallowPublicAcl,
  awsS3BucketOwnershipControlsEnforceBucketOwnerEnforced,
  awsS3BucketMissingOwnershipControls,
  awsS3BucketPublicAccessBlockEnforceAllFlags,
  awsS3BucketMissingPublicAccessBlock,
  awsS3AccessPointEnforcePublicAccessBlock,
  awsS3AccountPublicAccessBlockEnforceAllFlags,
];
