import { type ResourceValidationPolicy } from "@pulumi/policy";
import { BUCKET_ACL_TYPES, BUCKET_TYPES, OBJECT_TYPES } from "../../lib/s3";
import { known } from "../../lib/public-access-block";

/** An object copied by the provider takes an ACL of its own, like an uploaded object. */
const OBJECT_COPY_TYPE = "aws:s3/objectCopy:ObjectCopy";

/**
 * The canned ACLs that give nobody but the bucket owner (and the object's writer) access. Every
 * other one is refused, not just the three that open data to the world (`public-read`,
 * `public-read-write`, `authenticated-read`): `aws-exec-read` and `log-delivery-write` grant AWS
 * services access through an ACL, which BucketOwnerEnforced (this project's setting) refuses anyway,
 * and an unknown value is not assumed to be private.
 */
const PRIVATE_CANNED_ACLS = new Set(["private", "bucket-owner-read", "bucket-owner-full-control"]);
const CANNED_ACL_EFFECT = new Map([
  ["public-read", "lets everyone on the internet read"],
  ["public-read-write", "lets everyone on the internet read and write"],
  ["authenticated-read", "lets every AWS account read"],
  ["aws-exec-read", "lets Amazon EC2 read through an ACL"],
  ["log-delivery-write", "lets the S3 log delivery group write through an ACL"],
]);

/** The predefined groups that make a grant public, keyed by the last segment of their URI. */
const PUBLIC_GROUPS = new Map([
  ["allusers", "everyone on the internet (AllUsers)"],
  ["authenticatedusers", "every AWS account (AuthenticatedUsers)"],
]);
const GROUP_URI = /^https?:\/\/acs\.amazonaws\.com\/groups\/global\/([a-z]+)\/?$/i;

function kindOf(type: string): string {
  if (BUCKET_ACL_TYPES.has(type)) {
    return "Bucket ACL";
  }
  return BUCKET_TYPES.has(type) ? "Bucket" : "Object";
}

/**
 * Grants to AllUsers / AuthenticatedUsers in a grant list: the flat form of a bucket or object copy
 * (`{ type, uri, permissions }`) and the BucketAcl form (`{ grantee: { type, uri }, permission }`).
 * Grants unknown in a preview are skipped.
 */
function publicGrants(readGrants: () => unknown): { group: string; permission: string }[] {
  const grants = known(readGrants)?.value;
  if (!Array.isArray(grants)) {
    return [];
  }
  return grants.flatMap((_, i) => {
    const uri = known(() => {
      const grant = grants[i] as { grantee?: { uri?: unknown }; uri?: unknown };
      return grant.grantee?.uri ?? grant.uri;
    })?.value;
    const match = typeof uri === "string" ? GROUP_URI.exec(uri.trim()) : null;
    const group = match ? PUBLIC_GROUPS.get(match[1].toLowerCase()) : undefined;
    if (group === undefined) {
      return [];
    }
    const permission = known(() => {
      const grant = grants[i] as { permission?: unknown; permissions?: unknown };
      return grant.permission ?? grant.permissions;
    })?.value;
    return [{ group, permission: Array.isArray(permission) ? permission.join(", ") : typeof permission === "string" ? permission : "access" }];
  });
}

export const awsS3BucketDisallowPublicAcl: ResourceValidationPolicy = {
  name: "aws-s3-bucket-disallow-public-acl",
  description:
    "Checks that no bucket, bucket ACL or object sets a canned ACL other than private or bucket-owner-read/full-control, or grants AllUsers or AuthenticatedUsers access.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, reportViolation) => {
    const { type } = args;
    if (!BUCKET_TYPES.has(type) && !BUCKET_ACL_TYPES.has(type) && !OBJECT_TYPES.has(type) && type !== OBJECT_COPY_TYPE) {
      args.notApplicable("Only S3 buckets, bucket ACLs and objects carry ACLs.");
    }
    const subject = `${kindOf(type)} "${args.name}"`;
    const acl = known(() => args.props.acl as unknown)?.value;
    if (typeof acl === "string" && !PRIVATE_CANNED_ACLS.has(acl)) {
      const effect = CANNED_ACL_EFFECT.get(acl) ?? "is not one of private, bucket-owner-read or bucket-owner-full-control";
      reportViolation(`${subject} sets canned ACL "${acl}", which ${effect}: remove acl or set it to "private" (ACLs stay disabled with BucketOwnerEnforced).`);
    }
    const grants = [
      ...publicGrants(() => args.props.grants),
      ...publicGrants(() => (args.props.accessControlPolicy as { grants?: unknown } | undefined)?.grants),
    ];
    for (const { group, permission } of grants) {
      reportViolation(`${subject} grants ${permission} to ${group}: remove that grant.`);
    }
  },
};
