import { type ResourceValidationPolicy } from "@pulumi/policy";
import { BUCKET_ACL_TYPES, BUCKET_TYPES, OBJECT_TYPES } from "../lib/s3";

const PUBLIC_CANNED_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);
const PUBLIC_GRANTEES = [
  "http://acs.amazonaws.com/groups/global/AllUsers",
  "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];

function publicGrantees(grants: unknown): string[] {
  if (!Array.isArray(grants)) {
    return [];
  }
  return grants
    .map((g) => (g?.grantee?.uri ?? g?.uri) as unknown)
    .filter((uri): uri is string => typeof uri === "string" && PUBLIC_GRANTEES.includes(uri));
}

export const awsS3BucketDisallowPublicAcl: ResourceValidationPolicy = {
  name: "aws-s3-bucket-disallow-public-acl",
  description: "Checks that no bucket, bucket ACL or object grants access to everyone or to any AWS user through an ACL.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, reportViolation) => {
    if (!BUCKET_TYPES.has(args.type) && !BUCKET_ACL_TYPES.has(args.type) && !OBJECT_TYPES.has(args.type)) {
      return;
    }
    const acl = args.props.acl;
    if (typeof acl === "string" && PUBLIC_CANNED_ACLS.has(acl)) {
      reportViolation(`ACL "${acl}" makes data public: remove the ACL; this project disables ACLs (BucketOwnerEnforced).`);
    }
    const grants = [
      ...publicGrantees(args.props.grants),
      ...publicGrantees(args.props.accessControlPolicy?.grants),
    ];
    for (const uri of grants) {
      reportViolation(`ACL grant to ${uri} makes data public: remove the grant.`);
    }
  },
};
