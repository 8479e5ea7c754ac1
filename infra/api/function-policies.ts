import { cleanObjectCondition, type FunctionName, INDEX_TABLE, OWNER_TAG, QUARANTINE_PREFIX, type ScanVocabulary, TENANTS_ROOT } from "@mobile-s3/contract";
import { type ConditionBlock, type PolicyDocument, type PolicyStatement, policyDocument } from "../iam/policy-document";

export interface FunctionPolicyInput {
  /** Buckets holding user objects: `arn:<partition>:s3:::<name>`. */
  bucketArns: string[];
  /**
   * Access points of tenants in the access-point tier: `arn:<partition>:s3:<region>:<account>:accesspoint/<name>`,
   * or this stack's name pattern `…:accesspoint/<app>-<env>-*`, which keeps the policy one size
   * however many access points there are (a bare `accesspoint/*` is refused).
   */
  accessPointArns: string[];
  /** The function's own log group (`…:log-group:<name>`, without the trailing `:*`). */
  logGroupArn: string;
  /** Secret holding the CloudFront private key; required for `cdn-session`, ignored otherwise. */
  cdnPrivateKeySecretArn?: string;
  /** The scanner whose verdict tags gate reads (objects) and which the proxy writes (clamav only). */
  scan: ScanVocabulary;
  /**
   * The object index's DynamoDB table (`arn:<partition>:dynamodb:<region>:<account>:table/<name>`).
   * The functions that read or write the index (`INDEX_FUNCTIONS`) get its items and its indexes,
   * and nothing else in DynamoDB; without it, none of them gets any DynamoDB access.
   * @default none
   */
  indexTableArn?: string;
  /**
   * The user pool the admin function signs users out of (`arn:<partition>:cognito-idp:<region>:<account>:userpool/<id>`);
   * the admin function is granted nothing in Cognito without it; ignored for the others.
   * @default none
   */
  userPoolArn?: string;
  /**
   * The indexer only: the SQS queue Lambda sends an event to once the indexer failed it on every
   * attempt (its on-failure destination, sent with the function's role).
   * @default none
   */
  failureQueueArn?: string;
  /**
   * Further statements for one function, e.g. reading the ClamAV signature bucket.
   * @default none
   */
  extraStatements?: PolicyStatement[];
}

/** The functions that read or write the object index. */
export const INDEX_FUNCTIONS: readonly FunctionName[] = ["uploads", "objects", "proxy", "indexer"];
/** The functions that reach the index table only for users' revocation items (every API function reads its caller's). */
export const REVOCATION_ONLY_FUNCTIONS: readonly FunctionName[] = ["cdn-session", "admin"];

const BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// A name, or a name prefix of at least three characters ending in "-*" (the stack's own access points).
const ACCESS_POINT_ARN = /^arn:aws[a-z-]*:s3:[a-z0-9-]+:\d{12}:accesspoint\/[a-z0-9][a-z0-9-]{1,48}(?:[a-z0-9]|-\*)$/;
const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[A-Za-z0-9_\-/.#]+$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret[^*?\s]+$/;
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]{3,255}$/;
const USER_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+_[0-9a-zA-Z]+$/;
const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/;

function assertArns(arg: string, arns: string[], pattern: RegExp, shape: string): void {
  for (const arn of arns) {
    if (!pattern.test(arn)) {
      throw new Error(`[${arg}] must hold ${shape} ARNs without wildcards, got "${arn}"`);
    }
  }
}

/** Object ARNs under `prefix` in every bucket and, through `/object/`, every access point. */
function objectsUnder(input: FunctionPolicyInput, prefix: string, viaAccessPoints = true): string[] {
  return [
    ...input.bucketArns.map((b) => `${b}/${prefix}*`),
    ...(viaAccessPoints ? input.accessPointArns.map((ap) => `${ap}/object/${prefix}*`) : []),
  ];
}

/**
 * Writing to the function's own log group only: both actions are authorised on the stream
 * (`<group>:log-stream:<name>`), so the group's streams are all the function is given.
 */
export function logStatement(logGroupArn: string): PolicyStatement {
  return {
    Sid: "WriteOwnLogStreams",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${logGroupArn}:log-stream:*`,
  };
}

/** Listing (ListObjectsV2, and `also`) only with a prefix under `tenants/`, in every bucket and access point. */
function listUnderTenants(input: FunctionPolicyInput, also: string[] = []): PolicyStatement {
  return {
    Sid: "ListUnderTenants",
    Effect: "Allow",
    Action: also.length === 0 ? "s3:ListBucket" : ["s3:ListBucket", ...also],
    Resource: [...input.bucketArns, ...input.accessPointArns],
    Condition: { StringLike: { "s3:prefix": `${TENANTS_ROOT}*` } },
  };
}

/**
 * A write's tags (`x-amz-tagging` on a PutObject, CreateMultipartUpload or CopyObject, which S3 also
 * authorises as `s3:PutObjectTagging`: "PutObject", Amazon S3 API Reference) are the owner tag,
 * non-empty, and nothing else: no write of these functions can carry a scan verdict.
 */
function ownerTagOnly(): ConditionBlock {
  return {
    StringLike: { [`s3:RequestObjectTag/${OWNER_TAG}`]: "?*" },
    "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": [OWNER_TAG] },
  };
}

/*
 * Each case grants what the function's code calls (functions/<name>/core.ts through
 * functions/shared/s3-store.ts, or its own adapter), and nothing more.
 */
function s3Statements(fn: FunctionName, input: FunctionPolicyInput): PolicyStatement[] {
  const tenantObjects = objectsUnder(input, TENANTS_ROOT);
  switch (fn) {
    case "uploads":
      // Presigned PUT, CreateMultipartUpload, presigned UploadPart and CompleteMultipartUpload are all
      // authorised as PutObject; ListParts as ListMultipartUploadParts. The presigned PUT and
      // CreateMultipartUpload sign `x-amz-tagging: owner=<home>`, authorised as PutObjectTagging too,
      // for the owner tag alone: an upload can never carry a scan verdict tag. No GetObject: the
      // HeadObject after completing is only for engines whose answer lacks the ETag, which S3's never does.
      return [
        {
          Sid: "SignUploadsUnderTenants",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
          Resource: tenantObjects,
        },
        {
          Sid: "TagUploadsWithTheirOwner",
          Effect: "Allow",
          Action: "s3:PutObjectTagging",
          Resource: tenantObjects,
          Condition: ownerTagOnly(),
        },
        // No listing: the quota and the open uploads are counted in the object index's usage item.
      ];
    case "objects":
      // Listings come from the object index; ListBucket stays so that a HeadObject of a key the
      // index still names but S3 no longer holds answers 404, not 403 ("HeadObject", API Reference).
      return [
        listUnderTenants(input),
        {
          // A presigned GET carries the signer's permissions: S3 itself refuses an unscanned object.
          Sid: "ReadCleanObjectsUnderTenants",
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: tenantObjects,
          Condition: { StringEquals: cleanObjectCondition(input.scan) },
        },
        {
          // Inspect and delete, and copy and move: CopyObject reads the source with the clean-gated
          // GetObject above (a copy of an unscanned object is refused) and writes the copy as
          // PutObject; above 5 GiB the copy is a multipart upload of UploadPartCopy parts, also
          // PutObject, aborted on failure. One statement: each names every bucket, and a role's
          // policies share IAM's 10,240 characters.
          Sid: "InspectDeleteAndCopyUnderTenants",
          Effect: "Allow",
          Action: ["s3:GetObjectTagging", "s3:DeleteObject", "s3:PutObject", "s3:AbortMultipartUpload"],
          Resource: tenantObjects,
        },
        {
          // The copy replaces the source's tags with the owner tag (REPLACE tagging directive), so a
          // verdict is never copied: the copy is scanned like any new object.
          Sid: "TagCopiesWithTheirOwner",
          Effect: "Allow",
          Action: "s3:PutObjectTagging",
          Resource: tenantObjects,
          Condition: ownerTagOnly(),
        },
      ];
    case "cdn-session":
    case "admin":
      return [];
    case "proxy":
      if (input.scan.scanner === "guardduty") {
        // GuardDuty scans what the proxy writes like any other upload: the proxy writes it with the
        // owner tag at most (a request carrying `x-amz-tagging` is also authorised as PutObjectTagging).
        return [
          {
            Sid: "WriteUnscannedObjectsUnderTenants",
            Effect: "Allow",
            Action: "s3:PutObject",
            Resource: tenantObjects,
          },
          {
            Sid: "TagWritesWithTheirOwner",
            Effect: "Allow",
            Action: "s3:PutObjectTagging",
            Resource: tenantObjects,
            Condition: ownerTagOnly(),
          },
        ];
      }
      // One PutObject carrying `x-amz-tagging`, which S3 also authorises as PutObjectTagging: the
      // object is written already scanned, and the only tags it may carry are the clean verdict and
      // the owner tag.
      return [
        {
          Sid: "WriteScannedObjectsUnderTenants",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:PutObjectTagging"],
          Resource: tenantObjects,
          Condition: {
            StringEquals: { [`s3:RequestObjectTag/${input.scan.tagKey}`]: input.scan.clean },
            "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": [input.scan.tagKey, OWNER_TAG] },
          },
        },
      ];
    case "scan":
      // ClamAV scans and tags; with GuardDuty, which tags itself, the function only quarantines what
      // GuardDuty found infected. Both need the same access. The scanner follows bucket events, so it works on the buckets themselves, not access points.
      // HeadObject is authorised as GetObject.
      return [
        {
          Sid: "ScanAndTagUnderTenants",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:GetObjectTagging", "s3:PutObjectTagging", "s3:DeleteObject"],
          Resource: objectsUnder(input, TENANTS_ROOT, false),
        },
        {
          // CopyObject needs GetObject (and, copying its tags, GetObjectTagging) on the source above,
          // PutObject (and PutObjectTagging) on the copy; the copy is then tagged infected.
          Sid: "CopyIntoQuarantine",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:PutObjectTagging"],
          Resource: objectsUnder(input, QUARANTINE_PREFIX, false),
        },
      ];
    case "indexer":
      // Brings a key's items to what S3 holds, and reconciles whole homes: HeadObject (authorised as
      // GetObject, or GetObjectVersion for a version) for the size, type and metadata, the tags for
      // the scan status and the owner, every version and open upload for the usage. Not gated on the
      // clean tag: the index lists objects still pending. It reads metadata only: the role is not a
      // user of the buckets' keys, so S3 could not decrypt an object's bytes for it ("Server-side
      // encryption encrypts only the object data, not the object metadata", "Protecting data with
      // server-side encryption"). It addresses an access-point tenant's objects through the access
      // point, as the other functions do, and lists the buckets themselves to find every tenant.
      return [
        listUnderTenants(input, ["s3:ListBucketVersions"]),
        {
          // ListMultipartUploads takes no s3:prefix condition key (Service Authorization Reference,
          // Amazon S3); the indexer always asks with a home as its prefix.
          Sid: "ListOpenUploads",
          Effect: "Allow",
          Action: "s3:ListBucketMultipartUploads",
          Resource: [...input.bucketArns, ...input.accessPointArns],
        },
        {
          Sid: "InspectObjectsUnderTenants",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectVersionTagging"],
          Resource: tenantObjects,
        },
      ];
  }
}

/**
 * The object index: its items (GetItem, PutItem, UpdateItem, DeleteItem) and Query over the table
 * and its indexes; Scan for the indexer alone (the reconciliation walks the whole table). Never
 * `dynamodb:*`, never another table, never the table's own administration.
 */
function indexStatements(fn: FunctionName, tableArn: string | undefined): PolicyStatement[] {
  if (tableArn === undefined || !INDEX_FUNCTIONS.includes(fn)) {
    return [];
  }
  assertArns("indexTableArn", [tableArn], TABLE_ARN, "DynamoDB table");
  return [
    {
      Sid: "ReadWriteIndexItems",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
      Resource: tableArn,
    },
    {
      Sid: "QueryIndex",
      Effect: "Allow",
      Action: fn === "indexer" ? ["dynamodb:Query", "dynamodb:Scan"] : "dynamodb:Query",
      Resource: [tableArn, `${tableArn}/index/*`],
    },
  ];
}

/**
 * Users' revocation items (`r`, README "Revocation plan") for the functions that have no other use
 * for the index: reading them (every request's caller), and for the admin function writing them.
 * Only the key and `revokedAt` (`dynamodb:Attributes`, "Using IAM policy conditions for
 * fine-grained access control"): no object, key or usage item is theirs to read.
 */
function revocationStatements(fn: FunctionName, tableArn: string | undefined): PolicyStatement[] {
  if (tableArn === undefined || !REVOCATION_ONLY_FUNCTIONS.includes(fn)) {
    return [];
  }
  assertArns("indexTableArn", [tableArn], TABLE_ARN, "DynamoDB table");
  return [
    {
      Sid: fn === "admin" ? "ReadWriteRevocationItems" : "ReadRevocationItems",
      Effect: "Allow",
      Action: fn === "admin" ? ["dynamodb:GetItem", "dynamodb:UpdateItem"] : "dynamodb:GetItem",
      Resource: tableArn,
      // ForAllValues holds for a request naming no attributes at all: Null refuses one that names none.
      Condition: {
        "ForAllValues:StringEquals": { "dynamodb:Attributes": [INDEX_TABLE.partitionKey, INDEX_TABLE.sortKey, "revokedAt"] },
        StringEqualsIfExists: { "dynamodb:Select": "SPECIFIC_ATTRIBUTES" },
        Null: { "dynamodb:Attributes": "false" },
      },
    },
  ];
}

/**
 * What a revocation asks of the user pool: the target's tenant attribute (AdminGetUser: only a
 * user of the administrator's own tenant is revoked), ending their refresh tokens, disabling them.
 */
function userPoolStatements(fn: FunctionName, userPoolArn: string | undefined): PolicyStatement[] {
  if (fn !== "admin") {
    return [];
  }
  // Without the pool (the sandbox, which has none) the function is granted nothing in Cognito.
  if (userPoolArn === undefined) {
    return [];
  }
  assertArns("userPoolArn", [userPoolArn], USER_POOL_ARN, "Cognito user pool");
  return [
    {
      Sid: "RevokeUsersOfThePool",
      Effect: "Allow",
      Action: ["cognito-idp:AdminGetUser", "cognito-idp:AdminUserGlobalSignOut", "cognito-idp:AdminDisableUser"],
      Resource: userPoolArn,
    },
  ];
}

/**
 * The identity policy of one function's role (Least privilege): the S3 actions its routes need
 * on `tenants/*` only, never `s3:*` or a wildcard resource; the object index's items for the
 * functions that use it; the CloudFront key secret for `cdn-session` alone; the indexer's failure
 * queue for the indexer alone; and writing to its own log group. KMS is not granted here: the
 * buckets' key policy names the function roles (through S3 only), and the index's key policy the
 * index's users (through DynamoDB only).
 */
export function functionPolicy(fn: FunctionName, input: FunctionPolicyInput): PolicyDocument {
  assertArns("bucketArns", input.bucketArns, BUCKET_ARN, "S3 bucket");
  assertArns("accessPointArns", input.accessPointArns, ACCESS_POINT_ARN, "S3 access point");
  assertArns("logGroupArn", [input.logGroupArn], LOG_GROUP_ARN, "CloudWatch Logs log group");
  if (input.bucketArns.length === 0) {
    throw new Error("[bucketArns] must name at least one bucket");
  }
  const statements = [
    ...s3Statements(fn, input),
    ...indexStatements(fn, input.indexTableArn),
    ...revocationStatements(fn, input.indexTableArn),
    ...userPoolStatements(fn, input.userPoolArn),
    ...failureQueueStatements(fn, input.failureQueueArn),
    ...(input.extraStatements ?? []),
    logStatement(input.logGroupArn),
  ];
  if (fn === "cdn-session") {
    const secretArn = input.cdnPrivateKeySecretArn;
    if (secretArn === undefined) {
      throw new Error("[cdnPrivateKeySecretArn] is required for the cdn-session function");
    }
    assertArns("cdnPrivateKeySecretArn", [secretArn], SECRET_ARN, "Secrets Manager secret");
    statements.unshift({
      Sid: "ReadCloudFrontSigningKey",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: secretArn,
    });
  }
  return policyDocument(statements);
}

/** Lambda sends a failed asynchronous invocation to its on-failure destination with the function's own role. */
function failureQueueStatements(fn: FunctionName, queueArn: string | undefined): PolicyStatement[] {
  if (fn !== "indexer" || queueArn === undefined) {
    return [];
  }
  assertArns("failureQueueArn", [queueArn], QUEUE_ARN, "SQS queue");
  return [{ Sid: "SendFailedEventsToItsQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn }];
}

/**
 * Trust policy of a function's execution role: only the Lambda service, and only acting for this
 * account (`aws:SourceAccount`), so it cannot be made a confused deputy for another account's function.
 */
export function lambdaTrustPolicy(accountId: string): PolicyDocument {
  if (!/^\d{12}$/.test(accountId)) {
    throw new Error(`[accountId] must be a 12-digit AWS account id, got "${accountId}"`);
  }
  return policyDocument([
    {
      Sid: "LambdaAssumesRole",
      Effect: "Allow",
      Principal: { Service: "lambda.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
  ]);
}
