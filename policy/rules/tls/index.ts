import { type Policies } from "@pulumi/policy";
import { awsS3BucketMissingTlsPolicy } from "./bucket-tls-policy";
import { awsCloudfrontDistributionEnforceOriginAccessControl, awsS3BucketpolicyEnforceCloudfrontSourceArn } from "./cloudfront-origin-access";
import { awsCloudfrontDistributionEnforceOriginHttps } from "./cloudfront-origin";
import { awsCloudfrontDistributionEnforceMinimumTls, awsCloudfrontDistributionEnforceViewerHttps } from "./cloudfront-viewer";

export {
  awsCloudfrontDistributionEnforceMinimumTls,
  awsCloudfrontDistributionEnforceOriginAccessControl,
  awsCloudfrontDistributionEnforceOriginHttps,
  awsCloudfrontDistributionEnforceViewerHttps,
  awsS3BucketMissingTlsPolicy,
  awsS3BucketpolicyEnforceCloudfrontSourceArn,
};

/**
 * TLS only (3), from the device to CloudFront and S3 and from CloudFront to its origins
 * (mandatory); and two CloudFront read-path checks for Private buckets (2) and Least privilege (4)
 * (advisory): S3 origins only through Origin Access Control, and CloudFront grants in bucket
 * policies tied to one distribution.
 */
export const tlsPolicies: Policies = [
  awsS3BucketMissingTlsPolicy,
  awsCloudfrontDistributionEnforceViewerHttps,
  awsCloudfrontDistributionEnforceMinimumTls,
  awsCloudfrontDistributionEnforceOriginHttps,
  awsCloudfrontDistributionEnforceOriginAccessControl,
  awsS3BucketpolicyEnforceCloudfrontSourceArn,
];
