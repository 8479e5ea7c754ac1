import { type Policies } from "@pulumi/policy";
import { awsS3AccessPointEnforcePublicAccessBlock } from "./access-point-public-access-block";
import { awsS3AccountPublicAccessBlockEnforceAllFlags } from "./account-public-access-block";
import { awsS3BucketMissingPublicAccessBlock, awsS3BucketPublicAccessBlockEnforceAllFlags } from "./bucket-public-access-block";
import { awsS3BucketMissingOwnershipControls, awsS3BucketOwnershipControlsEnforceBucketOwnerEnforced } from "./ownership-controls";
import { awsS3BucketDisallowPublicAcl } from "./public-acl";

export {
  awsS3AccessPointEnforcePublicAccessBlock,
  awsS3AccountPublicAccessBlockEnforceAllFlags,
  awsS3BucketDisallowPublicAcl,
  awsS3BucketMissingOwnershipControls,
  awsS3BucketMissingPublicAccessBlock,
  awsS3BucketOwnershipControlsEnforceBucketOwnerEnforced,
  awsS3BucketPublicAccessBlockEnforceAllFlags,
};

/** Private buckets (2): nothing public (ACLs, ownership, public access blocks of buckets, access points and the account). */
export const publicAccessPolicies: Policies = [
  awsS3BucketDisallowPublicAcl,
  awsS3BucketOwnershipControlsEnforceBucketOwnerEnforced,
  awsS3BucketMissingOwnershipControls,
  awsS3BucketPublicAccessBlockEnforceAllFlags,
  awsS3BucketMissingPublicAccessBlock,
  awsS3AccessPointEnforcePublicAccessBlock,
  awsS3AccountPublicAccessBlockEnforceAllFlags,
];
