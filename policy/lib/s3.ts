import { type PolicyResource } from "@pulumi/policy";
import { knownOrSkip } from "./unknown";

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
  // Names computed by the provider are unknown in a preview; then only the dependency links count.
  const known = (read: () => unknown) => {
    const value = knownOrSkip(read);
    return typeof value === "string" ? value : undefined;
  };
  const names = [known(() => bucket.props.bucket), known(() => bucket.props.id)].filter((n): n is string => n !== undefined);
  return resources.filter((r) => {
    if (r.type !== type) {
      return false;
    }
    if ((r.propertyDependencies.bucket ?? []).some((d) => d.urn === bucket.urn)) {
      return true;
    }
    const name = known(() => r.props.bucket);
    return name !== undefined && names.includes(name);
  });
}

/** The bucket's ARN when known, for matching policy resources. */
export function bucketArnOf(bucket: PolicyResource): string | undefined {
  const arn = knownOrSkip(() => bucket.props.arn);
  if (typeof arn === "string") {
    return arn;
  }
  const name = knownOrSkip(() => bucket.props.bucket);
  return typeof name === "string" ? `arn:aws:s3:::${name}` : undefined;
}
