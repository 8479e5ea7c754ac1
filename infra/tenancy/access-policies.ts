import { cleanObjectCondition, HOME_VARIABLES, homePrefix, OWNER_TAG, type ScanVocabulary, TENANT_VARIABLE, tenantPrefix } from "@mobile-s3/contract";
import { type PolicyDocument, type PolicyStatement, policyDocument } from "../iam/policy-document";

/** What names a user's home prefix: the user-pool `sub`, or the identity pool's identity id. */
export type HomeKey = keyof typeof HOME_VARIABLES;

/** Where tenants' objects live, with every name the policies need resolved. */
export interface StorageLayout {
  partition: string;
  region: string;
  accountId: string;
  /** The pooled bucket (also behind every access point). */
  pooledBucket: string;
  /** Access point of tenant `t` is named `<accessPointPrefix><t>`. */
  accessPointPrefix: string;
  /** Dedicated bucket of tenant `t` is named `<prefix><t><suffix>`. */
  dedicatedBucket: { prefix: string; suffix: string };
  homeKey: HomeKey;
  /**
   * Full profile: objects are readable only once the scanner tagged them clean, in this scanner's
   * vocabulary. Absent: nothing scans, every object in the home is readable.
   */
  readGate?: ScanVocabulary;
}

/**
 * What app users may do to objects in their home. No tagging but the owner tag (below): users must
 * not mark objects clean.
 */
export const USER_OBJECT_ACTIONS = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"];

export function accessPointArn(layout: StorageLayout, name: string): string {
  return `arn:${layout.partition}:s3:${layout.region}:${layout.accountId}:accesspoint/${name}`;
}

function bucketArn(layout: StorageLayout, name: string): string {
  return `arn:${layout.partition}:s3:::${name}`;
}

/**
 * The three places a user's home can be, each as (container ARN, ARN prefix of its objects), with
 * the tenant and home left as policy variables, so one statement serves every tenant of a tier.
 */
function homeLocations(layout: StorageLayout) {
  const home = HOME_VARIABLES[layout.homeKey];
  const ap = accessPointArn(layout, `${layout.accessPointPrefix}${TENANT_VARIABLE}`);
  const dedicated = bucketArn(layout, `${layout.dedicatedBucket.prefix}${TENANT_VARIABLE}${layout.dedicatedBucket.suffix}`);
  return [
    { id: "Pool", container: bucketArn(layout, layout.pooledBucket), objects: `${bucketArn(layout, layout.pooledBucket)}/` },
    { id: "AccessPoint", container: ap, objects: `${ap}/object/` },
    { id: "DedicatedBucket", container: dedicated, objects: `${dedicated}/` },
  ].map((l) => ({ ...l, home: `${l.objects}${homePrefix(TENANT_VARIABLE, home)}*`, listPrefix: homePrefix(TENANT_VARIABLE, home) }));
}

/**
 * Identity policy of the identity pool's authenticated role (Least privilege): a user reaches
 * only `tenants/<own tenant>/home/<own home>/` in the pooled bucket, their tenant's access point, or
 * their tenant's dedicated bucket; lists only under that prefix; never tags. Every statement is
 * pinned to this account, so the name patterns cannot reach a look-alike bucket elsewhere.
 */
export function appUserPolicy(layout: StorageLayout, revocation: AppSessionRevocation = {}): PolicyDocument {
  const inThisAccount = { "aws:ResourceAccount": layout.accountId };
  const cleanOnly: Record<string, string> = layout.readGate ? cleanObjectCondition(layout.readGate) : {};
  const statements = homeLocations(layout).flatMap((l): PolicyStatement[] => [
    {
      Sid: `WriteOwnHomeIn${l.id}`,
      Effect: "Allow",
      Action: USER_OBJECT_ACTIONS,
      Resource: l.home,
      Condition: { StringEquals: inThisAccount },
    },
    {
      // S3 authorises the tags a write carries as s3:PutObjectTagging ("PutObject": x-amz-tagging),
      // so the direct path can tag its uploads with their owner: the one tag `owner`, equal to the
      // caller's home, and nothing else (no verdict tag can be written: "Tagging and access control
      // policies", s3:RequestObjectTagKeys). A user could strip their own object's verdict this way
      // and make it unreadable, never readable.
      Sid: `TagOwnHomeWithOwnerIn${l.id}`,
      Effect: "Allow",
      Action: "s3:PutObjectTagging",
      Resource: l.home,
      Condition: {
        StringEquals: { ...inThisAccount, [`s3:RequestObjectTag/${OWNER_TAG}`]: HOME_VARIABLES[layout.homeKey] },
        "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": [OWNER_TAG] },
      },
    },
    {
      Sid: `ReadOwnHomeIn${l.id}`,
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: l.home,
      Condition: { StringEquals: { ...inThisAccount, ...cleanOnly } },
    },
    {
      Sid: `ListOwnHomeIn${l.id}`,
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: l.container,
      Condition: { StringEquals: inThisAccount, StringLike: { "s3:prefix": [l.listPrefix, `${l.listPrefix}*`] } },
    },
  ]);
  return policyDocument([...statements, ...malformedTagDenies(layout), ...revokedSessionDenies(layout, revocation)]);
}

/** Sessions of the app role to refuse before they expire (README "Revocation plan"). */
export interface AppSessionRevocation {
  /**
   * An ISO 8601 UTC instant: every S3 request of a session issued before it is denied.
   * @default none
   * @example "2026-05-01T12:00:00Z"
   */
  sessionsIssuedBefore?: string;
}

/**
 * STS credentials cannot be revoked, but a policy is evaluated on every request they sign: a deny
 * on `aws:TokenIssueTime`, present in every request signed with temporary credentials, as the
 * identity pool's are, ends all sessions opened before the instant while the ones opened after it
 * work ("Revoking IAM role temporary security credentials", the console's AWSRevokeOlderSessions).
 */
function revokedSessionDenies(layout: StorageLayout, revocation: AppSessionRevocation): PolicyStatement[] {
  if (revocation.sessionsIssuedBefore === undefined) {
    return [];
  }
  return [
    {
      Sid: "DenySessionsIssuedBeforeRevocation",
      Effect: "Deny",
      Action: "s3:*",
      Resource: [`arn:${layout.partition}:s3:::*`, `arn:${layout.partition}:s3:${layout.region}:${layout.accountId}:accesspoint/*`],
      Condition: { DateLessThan: { "aws:TokenIssueTime": revocation.sessionsIssuedBefore } },
    },
  ];
}

/**
 * IAM substitutes a principal tag into a resource ARN as it is: a tenant tag `acme/home/<victim>`
 * (an attribute an administrator mistyped, or a provider mapped) would make `tenants/${tenant}/home/${home}/*`
 * a folder inside the victim's home. The API refuses such tenants (TENANT_ID), but the direct path
 * has only this policy, so it refuses every S3 request of a session whose tenant or home tag holds a
 * `/` or a wildcard character (`${*}` and `${?}` are IAM's literal `*` and `?`, "IAM policy elements:
 * Variables and tags"). The identity id of identityId mode is Cognito's own `<region>:<uuid>`.
 */
function malformedTagDenies(layout: StorageLayout): PolicyStatement[] {
  const malformed = ["*/*", "*${*}*", "*${?}*"];
  const tags = layout.homeKey === "userSub" ? ["tenant", "home"] : ["tenant"];
  return tags.map((tag) => ({
    Sid: `DenyMalformed${tag[0].toUpperCase()}${tag.slice(1)}Tag`,
    Effect: "Deny" as const,
    Action: "s3:*",
    Resource: [`arn:${layout.partition}:s3:::*`, `arn:${layout.partition}:s3:${layout.region}:${layout.accountId}:accesspoint/*`],
    Condition: { StringLike: { [`aws:PrincipalTag/${tag}`]: malformed } },
  }));
}

/**
 * Policy of tenant `tenant`'s access point. It grants nothing (grants come from identity policies in
 * this account); it is the tenant boundary, enforced even if an identity policy were broader: the
 * app role may use it only with its own tenant tag, only for keys and listings under the tenant's
 * prefix, and, in the full profile, may read only objects tagged clean.
 */
export function accessPointPolicy(input: { layout: StorageLayout; tenant: string; appRoleArn: string }): PolicyDocument {
  const { layout, tenant, appRoleArn } = input;
  const arn = accessPointArn(layout, `${layout.accessPointPrefix}${tenant}`);
  const appRole = { AWS: appRoleArn };
  const statements: PolicyStatement[] = [
    {
      Sid: "OnlyThisTenantsUsers",
      Effect: "Deny",
      Principal: appRole,
      Action: "s3:*",
      Resource: [arn, `${arn}/object/*`],
      Condition: { StringNotEquals: { "aws:PrincipalTag/tenant": tenant } },
    },
    {
      Sid: "OnlyThisTenantsKeys",
      Effect: "Deny",
      Principal: appRole,
      Action: "s3:*",
      NotResource: [arn, `${arn}/object/${tenantPrefix(tenant)}*`],
    },
    {
      Sid: "OnlyThisTenantsListings",
      Effect: "Deny",
      Principal: appRole,
      Action: "s3:ListBucket",
      Resource: arn,
      Condition: { StringNotLike: { "s3:prefix": `${tenantPrefix(tenant)}*` } },
    },
  ];
  if (layout.readGate) {
    statements.push({
      Sid: "OnlyCleanObjects",
      Effect: "Deny",
      Principal: appRole,
      Action: "s3:GetObject",
      Resource: `${arn}/object/*`,
      Condition: { StringNotEquals: cleanObjectCondition(layout.readGate) },
    });
  }
  return policyDocument(statements);
}

/**
 * Grants and guards the pooled bucket adds for tenants outside the pool: it delegates access
 * control to this account's access points (AWS's documented pattern), and keeps app users of
 * access-point tenants from bypassing their access point, and of bucket tenants from using the pool.
 */
export function pooledBucketTenancyStatements(input: {
  layout: StorageLayout;
  appRoleArn: string;
  accessPointTenants: string[];
  bucketTenants: string[];
}): PolicyStatement[] {
  const { layout, appRoleArn } = input;
  const bucket = bucketArn(layout, layout.pooledBucket);
  const statements: PolicyStatement[] = [];
  if (input.accessPointTenants.length > 0) {
    statements.push(
      {
        Sid: "DelegateToThisAccountsAccessPoints",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "s3:GetObject",
          "s3:GetObjectTagging",
          // The indexer reads a version's metadata and tags through the access point, as it addresses these tenants.
          "s3:GetObjectVersion",
          "s3:GetObjectVersionTagging",
          "s3:PutObject",
          "s3:PutObjectTagging",
          "s3:DeleteObject",
          "s3:AbortMultipartUpload",
          "s3:ListMultipartUploadParts",
          "s3:ListBucket",
          "s3:ListBucketVersions",
          "s3:ListBucketMultipartUploads",
        ],
        Resource: [bucket, `${bucket}/*`],
        Condition: { StringEquals: { "s3:DataAccessPointAccount": layout.accountId } },
      },
      {
        Sid: "AccessPointTenantsOnlyThroughTheirAccessPoint",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Resource: input.accessPointTenants.map((t) => `${bucket}/${tenantPrefix(t)}*`),
        Condition: { ArnEquals: { "aws:PrincipalArn": appRoleArn }, Null: { "s3:DataAccessPointArn": "true" } },
      },
      // Listings are authorised on the bucket, not on object ARNs: the statement above does not
      // reach them, and the app role's ListOwnHomeInPool would let these users list their home in
      // the pool directly, past their access point's policy (found by the sandbox's differential table).
      {
        Sid: "AccessPointTenantsListOnlyThroughTheirAccessPoint",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: LISTINGS,
        Resource: bucket,
        Condition: {
          ArnEquals: { "aws:PrincipalArn": appRoleArn },
          Null: { "s3:DataAccessPointArn": "true" },
          StringLike: { "s3:prefix": input.accessPointTenants.map((t) => `${tenantPrefix(t)}*`) },
        },
      },
    );
  }
  if (input.bucketTenants.length > 0) {
    statements.push(
      {
        Sid: "BucketTenantsNotInThePool",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "s3:*",
        Resource: input.bucketTenants.map((t) => `${bucket}/${tenantPrefix(t)}*`),
        Condition: { ArnEquals: { "aws:PrincipalArn": appRoleArn } },
      },
      {
        Sid: "BucketTenantsListNothingInThePool",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: LISTINGS,
        Resource: bucket,
        Condition: { ArnEquals: { "aws:PrincipalArn": appRoleArn }, StringLike: { "s3:prefix": input.bucketTenants.map((t) => `${tenantPrefix(t)}*`) } },
      },
    );
  }
  return statements;
}

/** The listings that take `s3:prefix`. */
const LISTINGS = ["s3:ListBucket", "s3:ListBucketVersions"];

