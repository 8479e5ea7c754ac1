import { type PolicyResource } from "@pulumi/policy";

/**
 * Resource tokens, current and legacy. @pulumi/aws v7 split the bucket into companion resources and
 * renamed the `…V2` ones; stacks migrated from v6 still carry the old tokens, so rules match both.
 */
export const BUCKET_TYPES = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);
export const BUCKET_ACL_TYPES = new Set(["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"]);
export const OBJECT_TYPES = new Set(["aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2"]);
export const PUBLIC_ACCESS_BLOCK_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const BUCKET_POLICY_TYPE = "aws:s3/bucketPolicy:BucketPolicy";

/**
 * Companions (policy, public-access block…) of a bucket. In a preview the bucket's name is still
 * unknown, so the link is the `bucket` property's dependency on the bucket's URN; a known name
 * (an existing bucket referenced by name) also counts.
 */
export function companionsOf(bucket: PolicyResource, resources: PolicyResource[], type: string): PolicyResource[] {
  const names = [bucket.props.bucket, bucket.props.id].filter((n): n is string => typeof n === "string");
  return resources.filter(
    (r) =>
      r.type === type &&
      ((r.propertyDependencies.bucket ?? []).some((d) => d.urn === bucket.urn) ||
        (typeof r.props.bucket === "string" && names.includes(r.props.bucket))),
  );
}

/** The bucket's ARN when known, for matching policy resources. */
export function bucketArnOf(bucket: PolicyResource): string | undefined {
  if (typeof bucket.props.arn === "string") {
    return bucket.props.arn;
  }
  return typeof bucket.props.bucket === "string" ? `arn:aws:s3:::${bucket.props.bucket}` : undefined;
}
