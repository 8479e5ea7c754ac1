import { type AnalyzerInput } from "../../harness/policy-pack";
import { companion, policyJson, resource, unrelated } from "./build";
import { type PolicyCases } from "./types";

const BUCKET = "aws:s3/bucket:Bucket";
const BUCKET_V2 = "aws:s3/bucketV2:BucketV2";
const BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl";
const BUCKET_ACL_V2 = "aws:s3/bucketAclV2:BucketAclV2";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const OWNERSHIP_CONTROLS = "aws:s3/bucketOwnershipControls:BucketOwnershipControls";
const ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const ACCESS_POINT = "aws:s3/accessPoint:AccessPoint";
const ACCOUNT_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock";

/** How the engine sends a value that is unknown until the update (a new bucket's name, in a preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const OWNER_ID = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

const ALL_ON = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const ENFORCED = { rule: { objectOwnership: "BucketOwnerEnforced" } };

function bucket(name: string, type = BUCKET, bucketName: string = `${name}-bucket`): AnalyzerInput {
  const known = bucketName !== UNKNOWN;
  return resource(type, name, { bucket: bucketName, arn: known ? `arn:aws:s3:::${bucketName}` : UNKNOWN, forceDestroy: false });
}

const block = (b: AnalyzerInput, flags: Record<string, unknown> = ALL_ON) => companion(PUBLIC_ACCESS_BLOCK, `${b.name}-pab`, b, flags);
const ownership = (b: AnalyzerInput, objectOwnership = "BucketOwnerEnforced") =>
  companion(OWNERSHIP_CONTROLS, `${b.name}-ownership`, b, { rule: { objectOwnership } });
const encryption = (b: AnalyzerInput) =>
  companion(ENCRYPTION, `${b.name}-sse`, b, {
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" }, bucketKeyEnabled: true }],
  });
const versioning = (b: AnalyzerInput) => companion(VERSIONING, `${b.name}-versioning`, b, { versioningConfiguration: { status: "Enabled" } });

/** The TLS-only policy every bucket of the program carries, so only the thing a case breaks differs. */
function tlsPolicy(b: AnalyzerInput): AnalyzerInput {
  const name = (b.properties as { bucket: string }).bucket;
  const arn = `arn:aws:s3:::${name}`;
  // In a preview the document embeds the new bucket's ARN, so the whole policy is unknown.
  return companion(BUCKET_POLICY, `${b.name}-policy`, b, {
    policy: name === UNKNOWN ? UNKNOWN : policyJson([
      { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
    ]),
  });
}

/** A bucket with every companion the program gives it, minus the types named. */
function hardened(b: AnalyzerInput, without: string[] = []): AnalyzerInput[] {
  const companions = [tlsPolicy(b), encryption(b), versioning(b), ownership(b), block(b)];
  return [b, ...companions.filter((c) => !without.includes(c.type))];
}

/** An existing bucket's companions, linked by its known name and no dependency. */
function linkedByName(b: AnalyzerInput): AnalyzerInput[] {
  const name = (b.properties as { bucket: string }).bucket;
  return [
    resource(PUBLIC_ACCESS_BLOCK, `${b.name}-pab`, { bucket: name, ...ALL_ON }),
    resource(OWNERSHIP_CONTROLS, `${b.name}-ownership`, { bucket: name, ...ENFORCED }),
  ];
}

const photos = bucket("photos");
const legacy = bucket("legacy", BUCKET_V2);
const audit = bucket("audit");
const previewBucket = bucket("preview", BUCKET, UNKNOWN);
const previewOther = bucket("preview-other", BUCKET, UNKNOWN);

/** A companion of a bucket that is not in this stack: linked by name only, no dependency. */
const external = (type: string, name: string, properties: Record<string, unknown>) => resource(type, name, { bucket: "managed-elsewhere", ...properties });

const publicAcl: PolicyCases = {
  policy: "aws-s3-bucket-disallow-public-acl",
  kind: "resource",
  nonCompliant: [
    { label: "a BucketAcl with canned ACL public-read", resources: [resource(BUCKET_ACL, "acl", { bucket: "photos-bucket", acl: "public-read" })] },
    { label: "a legacy BucketAclV2 with canned ACL public-read-write", resources: [resource(BUCKET_ACL_V2, "acl", { bucket: "photos-bucket", acl: "public-read-write" })] },
    { label: "a BucketAcl with canned ACL authenticated-read", resources: [resource(BUCKET_ACL, "acl", { bucket: "photos-bucket", acl: "authenticated-read" })] },
    {
      label: "a BucketAcl with canned ACL log-delivery-write (an ACL grant BucketOwnerEnforced refuses)",
      resources: [resource(BUCKET_ACL, "acl", { bucket: "photos-bucket", acl: "log-delivery-write" })],
    },
    {
      label: "a BucketAcl granting READ to AllUsers beside the owner's grant",
      resources: [
        resource(BUCKET_ACL, "acl", {
          bucket: "photos-bucket",
          accessControlPolicy: {
            owner: { id: OWNER_ID },
            grants: [
              { grantee: { type: "CanonicalUser", id: OWNER_ID }, permission: "FULL_CONTROL" },
              { grantee: { type: "Group", uri: ALL_USERS }, permission: "READ" },
            ],
          },
        }),
      ],
    },
    {
      label: "a legacy BucketAclV2 granting WRITE to AuthenticatedUsers",
      resources: [
        resource(BUCKET_ACL_V2, "acl", {
          bucket: "photos-bucket",
          accessControlPolicy: { owner: { id: OWNER_ID }, grants: [{ grantee: { type: "Group", uri: AUTHENTICATED_USERS }, permission: "WRITE" }] },
        }),
      ],
    },
    { label: "a Bucket with the legacy inline acl public-read", resources: [resource(BUCKET, "photos", { bucket: "photos-bucket", acl: "public-read" })] },
    {
      label: "a legacy BucketV2 with an inline grant to AllUsers",
      resources: [resource(BUCKET_V2, "legacy", { bucket: "legacy-bucket", grants: [{ type: "Group", uri: ALL_USERS, permissions: ["READ", "READ_ACP"] }] })],
    },
    { label: "a BucketObject with acl public-read", resources: [resource("aws:s3/bucketObject:BucketObject", "logo", { bucket: "photos-bucket", key: "logo.png", acl: "public-read" })] },
    {
      label: "a BucketObjectv2 with acl authenticated-read",
      resources: [resource("aws:s3/bucketObjectv2:BucketObjectv2", "logo", { bucket: "photos-bucket", key: "logo.png", acl: "authenticated-read" })],
    },
    {
      label: "an ObjectCopy granting READ to AllUsers",
      resources: [
        resource("aws:s3/objectCopy:ObjectCopy", "copy", {
          bucket: "photos-bucket",
          key: "copy.png",
          source: "photos-bucket/logo.png",
          grants: [{ type: "Group", uri: ALL_USERS, permissions: ["READ"] }],
        }),
      ],
    },
  ],
  compliant: [
    { label: "a BucketAcl with canned ACL private", resources: [resource(BUCKET_ACL, "acl", { bucket: "photos-bucket", acl: "private" })] },
    {
      label: "a BucketAcl granting only the owner",
      resources: [
        resource(BUCKET_ACL, "acl", {
          bucket: "photos-bucket",
          accessControlPolicy: { owner: { id: OWNER_ID }, grants: [{ grantee: { type: "CanonicalUser", id: OWNER_ID }, permission: "FULL_CONTROL" }] },
        }),
      ],
    },
    {
      label: "a BucketObjectv2 with acl bucket-owner-full-control",
      resources: [resource("aws:s3/bucketObjectv2:BucketObjectv2", "logo", { bucket: "photos-bucket", key: "logo.png", acl: "bucket-owner-full-control" })],
    },
    { label: "the program's bucket, with no ACL at all", resources: [photos, legacy] },
    { label: "a BucketAcl whose ACL is unknown in a preview", resources: [resource(BUCKET_ACL, "acl", { bucket: UNKNOWN, acl: UNKNOWN })] },
  ],
  notApplicable: [
    { label: "a queue (even with an acl-like property)", resources: [resource("aws:sqs/queue:Queue", "queue", { name: "queue", acl: "public-read" })] },
    { label: "a bucket policy (not an ACL)", resources: [tlsPolicy(photos)] },
  ],
};

const ownershipControlsEnforced: PolicyCases = {
  policy: "aws-s3-bucketownershipcontrols-enforce-bucket-owner-enforced",
  kind: "resource",
  nonCompliant: [
    { label: "objectOwnership ObjectWriter", resources: [ownership(photos, "ObjectWriter")] },
    { label: "objectOwnership BucketOwnerPreferred", resources: [ownership(photos, "BucketOwnerPreferred")] },
    { label: "objectOwnership in the wrong case", resources: [ownership(photos, "bucketownerenforced")] },
    { label: "a rule without objectOwnership", resources: [companion(OWNERSHIP_CONTROLS, "photos-ownership", photos, { rule: {} })] },
    { label: "no rule at all", resources: [companion(OWNERSHIP_CONTROLS, "photos-ownership", photos, {})] },
  ],
  compliant: [
    { label: "objectOwnership BucketOwnerEnforced, as the program sets it", resources: [ownership(photos)] },
    { label: "objectOwnership unknown in a preview (analyzed again on update)", resources: [ownership(previewBucket, UNKNOWN)] },
  ],
  notApplicable: [
    { label: "a queue", resources: [unrelated()] },
    { label: "a bucket public access block", resources: [block(photos)] },
  ],
  remediation: {
    input: resource(OWNERSHIP_CONTROLS, "photos-ownership", { bucket: "photos-bucket", rule: { objectOwnership: "ObjectWriter" } }),
    expected: { bucket: "photos-bucket", rule: { objectOwnership: "BucketOwnerEnforced" } },
  },
};

const missingOwnershipControls: PolicyCases = {
  policy: "aws-s3-bucket-missing-ownership-controls",
  kind: "stack",
  nonCompliant: [
    { label: "a bucket with no companion at all", resources: [photos] },
    { label: "a bucket with its policy, encryption, versioning and public access block but no ownership controls", resources: hardened(photos, [OWNERSHIP_CONTROLS]) },
    { label: "a legacy BucketV2 with its policy and public access block but no ownership controls", resources: [legacy, tlsPolicy(legacy), block(legacy)] },
    { label: "a bucket whose ownership controls say ObjectWriter", resources: [photos, tlsPolicy(photos), block(photos), ownership(photos, "ObjectWriter")] },
    { label: "a bucket whose ownership controls say BucketOwnerPreferred", resources: [photos, block(photos), ownership(photos, "BucketOwnerPreferred")] },
    { label: "a second bucket without ownership controls beside a correct one", resources: [...hardened(photos), audit, tlsPolicy(audit), block(audit)] },
    {
      label: "in a preview (names unknown), a bucket without controls beside one that has them",
      resources: [previewBucket, ownership(previewBucket), previewOther, block(previewOther)],
    },
  ],
  compliant: [
    { label: "a bucket with every companion the program gives it", resources: hardened(photos) },
    { label: "a legacy BucketV2 with every companion the program gives a bucket", resources: hardened(legacy) },
    { label: "a bucket referenced by a known name, its companions linked by that name only", resources: [photos, ...linkedByName(photos)] },
    { label: "in a preview, a bucket whose name is unknown, linked to its controls by the dependency", resources: hardened(previewBucket) },
  ],
  notApplicable: [
    { label: "a stack without buckets", resources: [unrelated()] },
    { label: "ownership controls of a bucket managed in another stack", resources: [external(OWNERSHIP_CONTROLS, "elsewhere-ownership", { rule: { objectOwnership: "ObjectWriter" } })] },
  ],
};

const publicAccessBlockFlags: PolicyCases = {
  policy: "aws-s3-bucketpublicaccessblock-enforce-all-flags",
  kind: "resource",
  nonCompliant: [
    { label: "blockPublicAcls false", resources: [block(photos, { ...ALL_ON, blockPublicAcls: false })] },
    { label: "blockPublicPolicy false", resources: [block(photos, { ...ALL_ON, blockPublicPolicy: false })] },
    { label: "ignorePublicAcls false", resources: [block(photos, { ...ALL_ON, ignorePublicAcls: false })] },
    { label: "restrictPublicBuckets left out (the provider's default is false)", resources: [block(photos, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true })] },
    { label: "no flag set at all", resources: [block(photos, {})] },
  ],
  compliant: [
    { label: "all four flags true, as the program sets them", resources: [block(photos)] },
    { label: "all four flags true on a bucket whose name is unknown in a preview", resources: [block(previewBucket)] },
  ],
  notApplicable: [
    { label: "a queue", resources: [unrelated()] },
    { label: "the account-level public access block (judged by its own policy)", resources: [resource(ACCOUNT_BLOCK, "account", { ...ALL_ON, blockPublicPolicy: false })] },
  ],
  remediation: {
    input: resource(PUBLIC_ACCESS_BLOCK, "photos-pab", { bucket: "photos-bucket", blockPublicAcls: false, blockPublicPolicy: true, ignorePublicAcls: false, restrictPublicBuckets: true }),
    expected: { bucket: "photos-bucket", ...ALL_ON },
  },
};

const missingPublicAccessBlock: PolicyCases = {
  policy: "aws-s3-bucket-missing-public-access-block",
  kind: "stack",
  nonCompliant: [
    { label: "a bucket with no companion at all", resources: [photos] },
    { label: "a bucket with its policy, encryption, versioning and ownership controls but no public access block", resources: hardened(photos, [PUBLIC_ACCESS_BLOCK]) },
    { label: "a legacy BucketV2 with its policy and ownership controls but no public access block", resources: [legacy, tlsPolicy(legacy), ownership(legacy)] },
    { label: "a bucket whose public access block leaves restrictPublicBuckets off", resources: [photos, ownership(photos), block(photos, { ...ALL_ON, restrictPublicBuckets: false })] },
    { label: "a bucket whose public access block leaves blockPublicPolicy out", resources: [photos, block(photos, { blockPublicAcls: true, ignorePublicAcls: true, restrictPublicBuckets: true })] },
    { label: "a second bucket without a public access block beside a correct one", resources: [...hardened(photos), audit, tlsPolicy(audit), ownership(audit)] },
    {
      label: "a bucket covered only by an account-level block",
      resources: [photos, tlsPolicy(photos), ownership(photos), resource(ACCOUNT_BLOCK, "account", ALL_ON)],
    },
    {
      label: "in a preview (names unknown), a bucket without a block beside one that has it",
      resources: [previewBucket, block(previewBucket), previewOther, ownership(previewOther)],
    },
  ],
  compliant: [
    { label: "a bucket with every companion the program gives it", resources: hardened(photos) },
    { label: "a legacy BucketV2 with every companion the program gives a bucket", resources: hardened(legacy) },
    { label: "a bucket referenced by a known name, its companions linked by that name only", resources: [photos, ...linkedByName(photos)] },
    { label: "in a preview, a bucket whose name is unknown, linked to its block by the dependency", resources: hardened(previewBucket) },
    { label: "two buckets, each with its own block", resources: [...hardened(photos), ...hardened(audit)] },
  ],
  notApplicable: [
    { label: "a stack without buckets", resources: [unrelated()] },
    { label: "a public access block of a bucket managed in another stack", resources: [external(PUBLIC_ACCESS_BLOCK, "elsewhere-pab", { blockPublicAcls: false })] },
  ],
};

/** The program's access point, as tenancy/tenant-storage.ts declares it. */
function accessPoint(config: Record<string, unknown> | undefined): AnalyzerInput {
  return resource(ACCESS_POINT, "acme", {
    bucket: "photos-bucket",
    name: "mobile-dev-ap-acme",
    ...(config === undefined ? {} : { publicAccessBlockConfiguration: config }),
  });
}

const accessPointBlock: PolicyCases = {
  policy: "aws-s3-accesspoint-enforce-public-access-block",
  kind: "resource",
  nonCompliant: [
    { label: "no publicAccessBlockConfiguration (AWS would default to blocked, but it is not declared)", resources: [accessPoint(undefined)] },
    { label: "blockPublicAcls false", resources: [accessPoint({ ...ALL_ON, blockPublicAcls: false })] },
    { label: "blockPublicPolicy false", resources: [accessPoint({ ...ALL_ON, blockPublicPolicy: false })] },
    { label: "ignorePublicAcls left out", resources: [accessPoint({ blockPublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true })] },
    { label: "restrictPublicBuckets false", resources: [accessPoint({ ...ALL_ON, restrictPublicBuckets: false })] },
  ],
  compliant: [
    { label: "all four flags true, as the program sets them", resources: [accessPoint(ALL_ON)] },
    { label: "a VPC-only access point with all four flags true", resources: [resource(ACCESS_POINT, "vpc", { bucket: "photos-bucket", name: "vpc-ap", vpcConfiguration: { vpcId: "vpc-1" }, publicAccessBlockConfiguration: ALL_ON })] },
    { label: "a block unknown in a preview (analyzed again on update)", resources: [resource(ACCESS_POINT, "acme", { bucket: UNKNOWN, name: "ap", publicAccessBlockConfiguration: UNKNOWN })] },
  ],
  notApplicable: [
    { label: "a queue", resources: [unrelated()] },
    { label: "a bucket (its block is a separate resource)", resources: [photos] },
  ],
};

const accountBlock: PolicyCases = {
  policy: "aws-s3-accountpublicaccessblock-enforce-all-flags",
  kind: "resource",
  nonCompliant: [
    { label: "blockPublicAcls false", resources: [resource(ACCOUNT_BLOCK, "account", { ...ALL_ON, blockPublicAcls: false })] },
    { label: "blockPublicPolicy left out (the default is false)", resources: [resource(ACCOUNT_BLOCK, "account", { blockPublicAcls: true, ignorePublicAcls: true, restrictPublicBuckets: true })] },
    { label: "ignorePublicAcls false", resources: [resource(ACCOUNT_BLOCK, "account", { ...ALL_ON, ignorePublicAcls: false })] },
    { label: "restrictPublicBuckets false", resources: [resource(ACCOUNT_BLOCK, "account", { ...ALL_ON, restrictPublicBuckets: false })] },
    { label: "no flag set at all", resources: [resource(ACCOUNT_BLOCK, "account", { accountId: "123456789012" })] },
  ],
  compliant: [{ label: "all four flags true", resources: [resource(ACCOUNT_BLOCK, "account", { accountId: "123456789012", ...ALL_ON })] }],
  notApplicable: [
    { label: "a queue", resources: [unrelated()] },
    { label: "a bucket's own public access block (judged by its own policy)", resources: [block(photos, { blockPublicAcls: false })] },
  ],
};

export const publicAccessCases: PolicyCases[] = [
  publicAcl,
  ownershipControlsEnforced,
  missingOwnershipControls,
  publicAccessBlockFlags,
  missingPublicAccessBlock,
  accessPointBlock,
  accountBlock,
];
