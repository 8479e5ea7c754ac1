import { cleanObjectCondition, type FunctionName, QUARANTINE_PREFIX, RESERVATIONS_DIR, type ScanVocabulary, TENANTS_ROOT } from "@mobile-s3/contract";
import { type PolicyDocument, type PolicyStatement, policyDocument } from "../iam/policy-document";

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
   * Further statements for one function, e.g. reading the ClamAV signature bucket.
   * @default none
   */
  extraStatements?: PolicyStatement[];
}

const BUCKET_ARN = /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// A name, or a name prefix of at least three characters ending in "-*" (the stack's own access points).
const ACCESS_POINT_ARN = /^arn:aws[a-z-]*:s3:[a-z0-9-]+:\d{12}:accesspoint\/[a-z0-9][a-z0-9-]{1,48}(?:[a-z0-9]|-\*)$/;
const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[A-Za-z0-9_\-/.#]+$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret[^*?\s]+$/;

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

/*
 * Each case grants what the function's code calls (functions/<name>/core.ts through
 * functions/shared/s3-store.ts, or its own adapter), and nothing more.
 */
function s3Statements(fn: FunctionName, input: FunctionPolicyInput): PolicyStatement[] {
  const tenantObjects = objectsUnder(input, TENANTS_ROOT);
  switch (fn) {
    case "uploads":
      // Presigned PUT, CreateMultipartUpload, presigned UploadPart and CompleteMultipartUpload are all
      // authorised as PutObject; ListParts as ListMultipartUploadParts. No PutObjectTagging: an upload
      // can never carry a scan verdict tag. No GetObject: the HeadObject after completing is only
      // for engines whose answer lacks the ETag, which S3's never does.
      return [
        {
          Sid: "SignUploadsUnderTenants",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
          Resource: tenantObjects,
        },
        // The per-user quota (functions/uploads/usage.ts) counts every version (ListObjectVersions,
        // which takes s3:prefix too), every open upload and the reservation markers under the caller's home.
        listUnderTenants(input, ["s3:ListBucketVersions"]),
        {
          // ListMultipartUploads takes no s3:prefix condition key (Service Authorization Reference,
          // Amazon S3); the function always asks with the caller's home as its prefix.
          Sid: "ListOpenUploads",
          Effect: "Allow",
          Action: "s3:ListBucketMultipartUploads",
          Resource: [...input.bucketArns, ...input.accessPointArns],
        },
        {
          // Withdrawing a reservation: markers only, never a user's object.
          Sid: "DeleteReservationMarkers",
          Effect: "Allow",
          Action: "s3:DeleteObject",
          Resource: objectsUnder(input, `${TENANTS_ROOT}*/home/*/${RESERVATIONS_DIR}`),
        },
      ];
    case "objects":
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
          Sid: "InspectAndDeleteUnderTenants",
          Effect: "Allow",
          Action: ["s3:GetObjectTagging", "s3:DeleteObject"],
          Resource: tenantObjects,
        },
      ];
    case "cdn-session":
      return [];
    case "proxy":
      if (input.scan.scanner === "guardduty") {
        // GuardDuty scans what the proxy writes like any other upload: the proxy writes no tag at all
        // (a request carrying `x-amz-tagging` is also authorised as PutObjectTagging, which it lacks).
        return [
          {
            Sid: "WriteUnscannedObjectsUnderTenants",
            Effect: "Allow",
            Action: "s3:PutObject",
            Resource: tenantObjects,
          },
        ];
      }
      // One PutObject carrying `x-amz-tagging`, which S3 also authorises as PutObjectTagging: the
      // object is written already scanned, and the only tag it may carry is the clean verdict.
      return [
        {
          Sid: "WriteScannedObjectsUnderTenants",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:PutObjectTagging"],
          Resource: tenantObjects,
          Condition: {
            StringEquals: { [`s3:RequestObjectTag/${input.scan.tagKey}`]: input.scan.clean },
            "ForAllValues:StringEquals": { "s3:RequestObjectTagKeys": [input.scan.tagKey] },
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
  }
}

/**
 * The identity policy of one function's role (Least privilege): the S3 actions its routes need
 * on `tenants/*` only, never `s3:*` or a wildcard resource; the CloudFront key secret for
 * `cdn-session` alone; and writing to its own log group. KMS is not granted here: the buckets' key
 * policy names the function roles (through S3 only).
 */
export function functionPolicy(fn: FunctionName, input: FunctionPolicyInput): PolicyDocument {
  assertArns("bucketArns", input.bucketArns, BUCKET_ARN, "S3 bucket");
  assertArns("accessPointArns", input.accessPointArns, ACCESS_POINT_ARN, "S3 access point");
  assertArns("logGroupArn", [input.logGroupArn], LOG_GROUP_ARN, "CloudWatch Logs log group");
  if (input.bucketArns.length === 0) {
    throw new Error("[bucketArns] must name at least one bucket");
  }
  const statements = [...s3Statements(fn, input), ...(input.extraStatements ?? []), logStatement(input.logGroupArn)];
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
