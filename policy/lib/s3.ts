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
export const LOGGING_TYPES: ReadonlySet<string> = new Set(["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"]);
export const ACCELERATE_TYPES: ReadonlySet<string> = new Set([
  "aws:s3/bucketAccelerateConfiguration:BucketAccelerateConfiguration",
  "aws:s3/bucketAccelerateConfigurationV2:BucketAccelerateConfigurationV2",
]);

/** A string property's value when known in this run, else undefined (computed names are unknown in a preview). */
function knownString(read: () => unknown): string | undefined {
  const value = knownOrSkip(read);
  return typeof value === "string" ? value : undefined;
}

/** The bucket's name and id as far as they are known: what other resources name it by. */
export function bucketNamesOf(bucket: PolicyResource): string[] {
  return [knownString(() => bucket.props.bucket), knownString(() => bucket.props.id)].filter((n): n is string => n !== undefined);
}

/**
 * True when `resource`'s `property` names the bucket. In a preview the bucket's name is still
 * unknown, so the link is the property's dependency on the bucket's URN; a known name (an existing
 * bucket referenced by name) also counts.
 */
export function refersToBucket(resource: PolicyResource, property: string, bucket: PolicyResource, names = bucketNamesOf(bucket)): boolean {
  if ((resource.propertyDependencies[property] ?? []).some((d) => d.urn === bucket.urn)) {
    return true;
  }
  const name = knownString(() => resource.props[property]);
  return name !== undefined && names.includes(name);
}

/** Companions (policy, public-access block…) of a bucket: resources of `type` whose `bucket` names it. */
export function companionsOf(bucket: PolicyResource, resources: PolicyResource[], type: string): PolicyResource[] {
  const names = bucketNamesOf(bucket);
  return resources.filter((r) => r.type === type && refersToBucket(r, "bucket", bucket, names));
}

/** Companions of a bucket under any of the given tokens (current and legacy `…V2`). */
export function companionsOfAny(bucket: PolicyResource, resources: PolicyResource[], types: ReadonlySet<string>): PolicyResource[] {
  const names = bucketNamesOf(bucket);
  return resources.filter((r) => types.has(r.type) && refersToBucket(r, "bucket", bucket, names));
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
