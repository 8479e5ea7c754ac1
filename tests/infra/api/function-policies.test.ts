import { CLAMAV_VOCABULARY, FUNCTION_NAMES, type FunctionName, GUARDDUTY_VOCABULARY, type ScanVocabulary } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { functionPolicy, type FunctionPolicyInput, lambdaTrustPolicy } from "../../../infra/api/function-policies";
import { type PolicyStatement } from "../../../infra/iam/policy-document";
import { type Decision, decideAll, type IamRequest } from "../../harness/iam";

const ACCOUNT = "123456789012";
const POOLED = "arn:aws:s3:::mobile-s3-dev-storage-abc1234";
const SILO = "arn:aws:s3:::mobile-s3-dev-acme-7654321";
const OTHER_BUCKET = "arn:aws:s3:::someone-elses-bucket";
const ACCESS_POINT = `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/globex`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mobile-s3-dev-api-cdn-key-AbCdEf`;
const OTHER_SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:database-password-XyZ123`;
const logGroup = (fn: string) => `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:mobile-s3-dev-api-${fn}-abc1234`;
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/mobile-s3-dev-index-abc1234`;
const OTHER_TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/billing`;
const USER_POOL = `arn:aws:cognito-idp:us-east-1:${ACCOUNT}:userpool/us-east-1_AbCdEfGhI`;
const OTHER_USER_POOL = `arn:aws:cognito-idp:us-east-1:${ACCOUNT}:userpool/us-east-1_Other1234`;
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:mobile-s3-dev-api-indexer-failures-abc1234`;
const OTHER_QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:orders`;

/** ClamAV's vocabulary unless a case says otherwise: its tags are the ones these functions write themselves. */
function input(fn: FunctionName, scan: ScanVocabulary = CLAMAV_VOCABULARY): FunctionPolicyInput {
  return {
    bucketArns: [POOLED, SILO],
    accessPointArns: [ACCESS_POINT],
    logGroupArn: logGroup(fn),
    cdnPrivateKeySecretArn: SECRET,
    scan,
    indexTableArn: TABLE,
    failureQueueArn: QUEUE,
    userPoolArn: USER_POOL,
  };
}

const home = "tenants/acme/home/5f2d1c3e/photos/cat.jpg";
const tls = { "aws:SecureTransport": "true" };
type Row = [label: string, action: string, resource: string, expected: Decision, context?: Record<string, string | string[]>];

/** Decides each row as the function's role, against its identity policy alone. */
async function decide(fn: FunctionName, rows: Row[], scan: ScanVocabulary = CLAMAV_VOCABULARY) {
  const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/mobile-s3-dev-api-${fn}-abc1234/${fn}`;
  const requests: IamRequest[] = rows.map(([, action, resource, , context]) => ({
    principal,
    action,
    resource,
    context: { ...tls, ...context },
  }));
  const decisions = await decideAll({ identityPolicies: [functionPolicy(fn, input(fn, scan))] }, requests);
  assert.deepEqual(
    rows.map(([label], i) => `${label}: ${decisions[i]}`),
    rows.map(([label, , , expected]) => `${label}: ${expected}`),
  );
}

const ALLOWED: Decision = "Allowed";
const DENIED: Decision = "ImplicitlyDenied";

/** S3 authorises `x-amz-tagging: owner=<home>` on a write as PutObjectTagging with these keys. */
const ownerTag = { "s3:RequestObjectTag/owner": "5f2d1c3e", "s3:RequestObjectTagKeys": "owner" };

/** The object index as the functions that use it reach it: items on the table, Query on the table and its indexes. */
function indexRows(scan: Decision): Row[] {
  return [
    ["GetItem", "dynamodb:GetItem", TABLE, ALLOWED],
    ["PutItem", "dynamodb:PutItem", TABLE, ALLOWED],
    ["UpdateItem", "dynamodb:UpdateItem", TABLE, ALLOWED],
    ["DeleteItem", "dynamodb:DeleteItem", TABLE, ALLOWED],
    ["Query", "dynamodb:Query", TABLE, ALLOWED],
    ["Query a global index", "dynamodb:Query", `${TABLE}/index/byFolder`, ALLOWED],
    ["Query a local index", "dynamodb:Query", `${TABLE}/index/byModified`, ALLOWED],
    ["Scan", "dynamodb:Scan", TABLE, scan],
    ["BatchWriteItem", "dynamodb:BatchWriteItem", TABLE, DENIED],
    ["DeleteTable", "dynamodb:DeleteTable", TABLE, DENIED],
    ["UpdateTable", "dynamodb:UpdateTable", TABLE, DENIED],
    ["GetItem on another table", "dynamodb:GetItem", OTHER_TABLE, DENIED],
    ["Query another table's index", "dynamodb:Query", `${OTHER_TABLE}/index/byFolder`, DENIED],
  ];
}

/** What a function that keeps off the index is refused there. */
const NO_INDEX: Row[] = [
  ["GetItem", "dynamodb:GetItem", TABLE, DENIED],
  ["Query", "dynamodb:Query", TABLE, DENIED],
  ["PutItem", "dynamodb:PutItem", TABLE, DENIED],
];

/** The revocation item as the runtime reads it: its key and `revokedAt`, projected. */
const revocationRead = { "dynamodb:Attributes": ["revokedAt"], "dynamodb:Select": "SPECIFIC_ATTRIBUTES" };

/** What a function that reaches the index only for users' revocation items may do there. */
function revocationRows(write: Decision): Row[] {
  return [
    ["GetItem of revokedAt", "dynamodb:GetItem", TABLE, ALLOWED, revocationRead],
    ["GetItem of a whole item (no projection)", "dynamodb:GetItem", TABLE, DENIED],
    ["GetItem of all attributes", "dynamodb:GetItem", TABLE, DENIED, { "dynamodb:Select": "ALL_ATTRIBUTES" }],
    ["GetItem of an object's path", "dynamodb:GetItem", TABLE, DENIED, { "dynamodb:Attributes": ["revokedAt", "path"] }],
    ["UpdateItem of revokedAt", "dynamodb:UpdateItem", TABLE, write, { "dynamodb:Attributes": ["pk", "sk", "revokedAt"] }],
    ["UpdateItem of a usage item's bytes", "dynamodb:UpdateItem", TABLE, DENIED, { "dynamodb:Attributes": ["usedBytes"] }],
    ["PutItem", "dynamodb:PutItem", TABLE, DENIED, { "dynamodb:Attributes": ["revokedAt"] }],
    ["DeleteItem", "dynamodb:DeleteItem", TABLE, DENIED],
    ["Query", "dynamodb:Query", TABLE, DENIED],
    ["GetItem on another table", "dynamodb:GetItem", OTHER_TABLE, DENIED, revocationRead],
  ];
}

describe("infra/api/function-policies (IAM simulator)", () => {
  it("admin: revokes users of the stack's own pool (reads them, signs them out, disables them), writes revocation items alone, and nothing in S3", async () => {
    await decide("admin", [
      ["AdminGetUser", "cognito-idp:AdminGetUser", USER_POOL, ALLOWED],
      ["AdminUserGlobalSignOut", "cognito-idp:AdminUserGlobalSignOut", USER_POOL, ALLOWED],
      ["AdminDisableUser", "cognito-idp:AdminDisableUser", USER_POOL, ALLOWED],
      ["AdminDeleteUser", "cognito-idp:AdminDeleteUser", USER_POOL, DENIED],
      ["AdminUpdateUserAttributes (the tenant)", "cognito-idp:AdminUpdateUserAttributes", USER_POOL, DENIED],
      ["AdminUserGlobalSignOut in another pool", "cognito-idp:AdminUserGlobalSignOut", OTHER_USER_POOL, DENIED],
      ["GetObject", "s3:GetObject", `${POOLED}/${home}`, DENIED, { "s3:ExistingObjectTag/scan-status": "clean" }],
      ["PutObject", "s3:PutObject", `${POOLED}/${home}`, DENIED],
      ["the CloudFront key", "secretsmanager:GetSecretValue", SECRET, DENIED],
      ...revocationRows(ALLOWED),
    ]);
  });

  it("admin: grants nothing in Cognito without the user pool, and refuses a pattern for one", () => {
    assert.doesNotMatch(JSON.stringify(functionPolicy("admin", { ...input("admin"), userPoolArn: undefined })), /cognito-idp/);
    assert.throws(() => functionPolicy("admin", { ...input("admin"), userPoolArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/*" }), /\[userPoolArn\]/);
  });

  it("uploads: signs PUTs and multipart under tenants/ tagged with their owner alone, in every bucket and access point, lists nothing, and keeps its quota in the index", async () => {
    await decide("uploads", [
      ["PutObject in the pooled bucket", "s3:PutObject", `${POOLED}/${home}`, ALLOWED],
      ["PutObject in a silo bucket", "s3:PutObject", `${SILO}/${home}`, ALLOWED],
      ["PutObject through the access point", "s3:PutObject", `${ACCESS_POINT}/object/tenants/globex/home/u1/x`, ALLOWED],
      ["AbortMultipartUpload", "s3:AbortMultipartUpload", `${POOLED}/${home}`, ALLOWED],
      ["ListMultipartUploadParts", "s3:ListMultipartUploadParts", `${POOLED}/${home}`, ALLOWED],
      ["PutObject in quarantine/", "s3:PutObject", `${POOLED}/quarantine/x`, DENIED],
      ["PutObject at the bucket root", "s3:PutObject", `${POOLED}/x`, DENIED],
      ["PutObject in another bucket", "s3:PutObject", `${OTHER_BUCKET}/${home}`, DENIED],
      // A presigned PUT or CreateMultipartUpload signing x-amz-tagging: owner=<home> ("PutObject", API Reference).
      ["tagging the upload with its owner", "s3:PutObjectTagging", `${POOLED}/${home}`, ALLOWED, ownerTag],
      ["tagging it with its owner through the access point", "s3:PutObjectTagging", `${ACCESS_POINT}/object/tenants/globex/home/u1/x`, ALLOWED, ownerTag],
      ["tagging it with an empty owner", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { ...ownerTag, "s3:RequestObjectTag/owner": "" }],
      ["tagging it scanned clean", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { "s3:RequestObjectTag/scan-status": "clean", "s3:RequestObjectTagKeys": "scan-status" }],
      ["tagging it with its owner and scanned clean", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { ...ownerTag, "s3:RequestObjectTag/scan-status": "clean", "s3:RequestObjectTagKeys": ["owner", "scan-status"] }],
      ["tagging it GuardDuty's clean verdict", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { ...ownerTag, "s3:RequestObjectTag/GuardDutyMalwareScanStatus": "NO_THREATS_FOUND", "s3:RequestObjectTagKeys": ["owner", "GuardDutyMalwareScanStatus"] }],
      ["removing every tag (no tag keys)", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED],
      ["tagging with its owner outside tenants/", "s3:PutObjectTagging", `${POOLED}/quarantine/x`, DENIED, ownerTag],
      ["DeleteObject", "s3:DeleteObject", `${POOLED}/${home}`, DENIED],
      ["GetObject", "s3:GetObject", `${POOLED}/${home}`, DENIED],
      ["GetObject of an object scanned clean", "s3:GetObject", `${POOLED}/${home}`, DENIED, { "s3:ExistingObjectTag/scan-status": "clean" }],
      // The quota and the open uploads are the object index's usage item now, not S3 listings.
      ["ListBucket under a home", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "tenants/acme/home/5f2d1c3e/" }],
      ["ListBucketVersions under a home", "s3:ListBucketVersions", POOLED, DENIED, { "s3:prefix": "tenants/acme/home/5f2d1c3e/" }],
      ["ListBucketMultipartUploads", "s3:ListBucketMultipartUploads", SILO, DENIED],
      ["the CloudFront key", "secretsmanager:GetSecretValue", SECRET, DENIED],
      ...indexRows(DENIED),
      ["sending to the indexer's failure queue", "sqs:SendMessage", QUEUE, DENIED],
    ]);
  });

  it("objects: lists only with s3:prefix under tenants/, reads only objects scanned clean, inspects and deletes under tenants/", async () => {
    const clean = { "s3:ExistingObjectTag/scan-status": "clean" };
    await decide("objects", [
      ["ListBucket under a home", "s3:ListBucket", POOLED, ALLOWED, { "s3:prefix": "tenants/acme/home/5f2d1c3e/" }],
      ["ListBucket through the access point", "s3:ListBucket", ACCESS_POINT, ALLOWED, { "s3:prefix": "tenants/globex/home/u1/" }],
      ["ListBucket of the whole bucket", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "" }],
      ["ListBucket without a prefix", "s3:ListBucket", POOLED, DENIED],
      ["ListBucket of quarantine/", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "quarantine/" }],
      ["ListBucket of another bucket", "s3:ListBucket", OTHER_BUCKET, DENIED, { "s3:prefix": "tenants/acme/" }],
      ["GetObject scanned clean", "s3:GetObject", `${POOLED}/${home}`, ALLOWED, clean],
      ["GetObject through the access point, clean", "s3:GetObject", `${ACCESS_POINT}/object/tenants/globex/home/u1/x`, ALLOWED, clean],
      ["GetObject still pending", "s3:GetObject", `${POOLED}/${home}`, DENIED, { "s3:ExistingObjectTag/scan-status": "pending" }],
      ["GetObject infected", "s3:GetObject", `${POOLED}/${home}`, DENIED, { "s3:ExistingObjectTag/scan-status": "infected" }],
      ["GetObject never tagged", "s3:GetObject", `${POOLED}/${home}`, DENIED],
      ["GetObject in quarantine/, even tagged clean", "s3:GetObject", `${POOLED}/quarantine/x`, DENIED, clean],
      ["GetObjectTagging", "s3:GetObjectTagging", `${POOLED}/${home}`, ALLOWED],
      ["DeleteObject", "s3:DeleteObject", `${SILO}/${home}`, ALLOWED],
      ["DeleteObject in quarantine/", "s3:DeleteObject", `${POOLED}/quarantine/x`, DENIED],
      // Copy and move: the copy's write (CopyObject, or CreateMultipartUpload and UploadPartCopy above 5 GiB).
      ["the copy's PutObject", "s3:PutObject", `${POOLED}/${home}`, ALLOWED],
      ["the copy's PutObject through the access point", "s3:PutObject", `${ACCESS_POINT}/object/tenants/globex/home/u1/x`, ALLOWED],
      ["aborting a copy in parts", "s3:AbortMultipartUpload", `${SILO}/${home}`, ALLOWED],
      ["the copy's PutObject into quarantine/", "s3:PutObject", `${POOLED}/quarantine/x`, DENIED],
      ["the copy tagged with its owner (REPLACE)", "s3:PutObjectTagging", `${POOLED}/${home}`, ALLOWED, ownerTag],
      ["the copy tagged scanned clean", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { "s3:RequestObjectTag/scan-status": "clean", "s3:RequestObjectTagKeys": "scan-status" }],
      ["the copy tagged with its owner and clean", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { ...ownerTag, "s3:RequestObjectTag/scan-status": "clean", "s3:RequestObjectTagKeys": ["owner", "scan-status"] }],
      ["PutObjectTagging without tags", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED],
      ["GetObjectVersion", "s3:GetObjectVersion", `${POOLED}/${home}`, DENIED, clean],
      ...indexRows(DENIED),
    ]);
  });

  it("cdn-session: reads the one secret holding the CloudFront key, and nothing in S3", async () => {
    await decide("cdn-session", [
      ["the CloudFront key", "secretsmanager:GetSecretValue", SECRET, ALLOWED],
      ["another secret", "secretsmanager:GetSecretValue", OTHER_SECRET, DENIED],
      ["PutSecretValue on the key", "secretsmanager:PutSecretValue", SECRET, DENIED],
      ["GetObject", "s3:GetObject", `${POOLED}/${home}`, DENIED, { "s3:ExistingObjectTag/scan-status": "clean" }],
      ["PutObject", "s3:PutObject", `${POOLED}/${home}`, DENIED],
      ["ListBucket", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "tenants/acme/" }],
      // Its callers' revocation items, and nothing else of the index.
      ...revocationRows(DENIED),
    ]);
  });

  it("proxy: writes under tenants/ only objects tagged scan-status=clean, in one PutObject with x-amz-tagging", async () => {
    // S3 authorises a PutObject carrying x-amz-tagging as both PutObject and PutObjectTagging.
    const clean = { "s3:RequestObjectTag/scan-status": "clean", "s3:RequestObjectTagKeys": "scan-status" };
    await decide("proxy", [
      ["PutObject tagged clean", "s3:PutObject", `${POOLED}/${home}`, ALLOWED, clean],
      ["its tagging", "s3:PutObjectTagging", `${POOLED}/${home}`, ALLOWED, clean],
      ["PutObject tagged clean in a silo bucket", "s3:PutObject", `${SILO}/${home}`, ALLOWED, clean],
      ["PutObject tagged clean through the access point", "s3:PutObject", `${ACCESS_POINT}/object/tenants/globex/home/u1/x`, ALLOWED, clean],
      ["its tagging through the access point", "s3:PutObjectTagging", `${ACCESS_POINT}/object/tenants/globex/home/u1/x`, ALLOWED, clean],
      ["PutObject without tags", "s3:PutObject", `${POOLED}/${home}`, DENIED],
      ["PutObject tagged pending", "s3:PutObject", `${POOLED}/${home}`, DENIED, { ...clean, "s3:RequestObjectTag/scan-status": "pending" }],
      ["tagging infected", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { ...clean, "s3:RequestObjectTag/scan-status": "infected" }],
      ["PutObject tagged clean and with its owner", "s3:PutObject", `${POOLED}/${home}`, ALLOWED, { ...clean, ...ownerTag, "s3:RequestObjectTagKeys": ["scan-status", "owner"] }],
      ["tagging clean and with its owner", "s3:PutObjectTagging", `${POOLED}/${home}`, ALLOWED, { ...clean, ...ownerTag, "s3:RequestObjectTagKeys": ["scan-status", "owner"] }],
      ["PutObject tagged clean plus another tag", "s3:PutObject", `${POOLED}/${home}`, DENIED, { ...clean, "s3:RequestObjectTagKeys": ["scan-status", "public"] }],
      ["tagging clean plus another tag", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { ...clean, "s3:RequestObjectTagKeys": ["scan-status", "owner", "public"] }],
      ["tagging its owner alone (no verdict)", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, ownerTag],
      ["PutObject tagged clean in quarantine/", "s3:PutObject", `${POOLED}/quarantine/x`, DENIED, clean],
      ["PutObject tagged clean at the bucket root", "s3:PutObject", `${POOLED}/x`, DENIED, clean],
      ["PutObject tagged clean in another bucket", "s3:PutObject", `${OTHER_BUCKET}/${home}`, DENIED, clean],
      ["AbortMultipartUpload", "s3:AbortMultipartUpload", `${POOLED}/${home}`, DENIED],
      ["GetObject", "s3:GetObject", `${POOLED}/${home}`, DENIED],
      ["DeleteObject", "s3:DeleteObject", `${POOLED}/${home}`, DENIED],
      ["ListBucket", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "tenants/acme/" }],
      // The quota's reservations are in the object index.
      ...indexRows(DENIED),
    ]);
  });

  it("objects with GuardDuty: presigned GETs only for objects GuardDuty found free of threats", async () => {
    const tag = "s3:ExistingObjectTag/GuardDutyMalwareScanStatus";
    await decide(
      "objects",
      [
        ["GetObject, NO_THREATS_FOUND", "s3:GetObject", `${POOLED}/${home}`, ALLOWED, { [tag]: "NO_THREATS_FOUND" }],
        ["GetObject, THREATS_FOUND", "s3:GetObject", `${POOLED}/${home}`, DENIED, { [tag]: "THREATS_FOUND" }],
        ["GetObject, UNSUPPORTED", "s3:GetObject", `${POOLED}/${home}`, DENIED, { [tag]: "UNSUPPORTED" }],
        ["GetObject, not scanned yet", "s3:GetObject", `${POOLED}/${home}`, DENIED],
        ["GetObject, ClamAV's clean tag", "s3:GetObject", `${POOLED}/${home}`, DENIED, { "s3:ExistingObjectTag/scan-status": "clean" }],
      ],
      GUARDDUTY_VOCABULARY,
    );
  });

  it("proxy with GuardDuty: writes unscanned objects under tenants/ tagged with their owner at most (S3 authorises x-amz-tagging as PutObjectTagging)", async () => {
    const verdict = { "s3:RequestObjectTag/GuardDutyMalwareScanStatus": "NO_THREATS_FOUND" };
    await decide(
      "proxy",
      [
        ["PutObject without tags", "s3:PutObject", `${POOLED}/${home}`, ALLOWED],
        ["PutObject through the access point", "s3:PutObject", `${ACCESS_POINT}/object/${home}`, ALLOWED],
        ["PutObject outside tenants/", "s3:PutObject", `${POOLED}/quarantine/x`, DENIED],
        ["tagging its owner", "s3:PutObjectTagging", `${POOLED}/${home}`, ALLOWED, ownerTag],
        ["tagging its owner through the access point", "s3:PutObjectTagging", `${ACCESS_POINT}/object/${home}`, ALLOWED, ownerTag],
        ["tagging GuardDuty's clean verdict", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { ...verdict, "s3:RequestObjectTagKeys": "GuardDutyMalwareScanStatus" }],
        ["tagging its owner and GuardDuty's clean verdict", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { ...ownerTag, ...verdict, "s3:RequestObjectTagKeys": ["owner", "GuardDutyMalwareScanStatus"] }],
        ["tagging anything else", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, { "s3:RequestObjectTag/public": "yes", "s3:RequestObjectTagKeys": "public" }],
        ["GetObject", "s3:GetObject", `${POOLED}/${home}`, DENIED],
      ],
      GUARDDUTY_VOCABULARY,
    );
  });

  it("indexer: reads every object's metadata and tags under tenants/, clean or not, lists versions and open uploads there, writes nothing in S3, and keeps the index", async () => {
    const apObject = `${ACCESS_POINT}/object/tenants/globex/home/u1/x`;
    await decide("indexer", [
      // HeadObject (GetObject, or GetObjectVersion with a versionId) and the tags, before any verdict.
      ["HeadObject of a pending upload", "s3:GetObject", `${POOLED}/${home}`, ALLOWED],
      ["HeadObject of an infected upload", "s3:GetObject", `${SILO}/${home}`, ALLOWED, { "s3:ExistingObjectTag/scan-status": "infected" }],
      ["HeadObject of a version", "s3:GetObjectVersion", `${POOLED}/${home}`, ALLOWED],
      ["GetObjectTagging", "s3:GetObjectTagging", `${POOLED}/${home}`, ALLOWED],
      ["GetObjectVersionTagging", "s3:GetObjectVersionTagging", `${SILO}/${home}`, ALLOWED],
      ["HeadObject through the access point", "s3:GetObject", apObject, ALLOWED],
      ["a version's tags through the access point", "s3:GetObjectVersionTagging", apObject, ALLOWED],
      ["ListBucket of tenants/ (every tenant)", "s3:ListBucket", POOLED, ALLOWED, { "s3:prefix": "tenants/" }],
      ["ListBucket of a tenant's homes through the access point", "s3:ListBucket", ACCESS_POINT, ALLOWED, { "s3:prefix": "tenants/globex/home/" }],
      ["ListBucketVersions of a key", "s3:ListBucketVersions", SILO, ALLOWED, { "s3:prefix": `${home}` }],
      ["ListBucketVersions of a home through the access point", "s3:ListBucketVersions", ACCESS_POINT, ALLOWED, { "s3:prefix": "tenants/globex/home/u1/" }],
      // (The Service Authorization Reference names only the bucket as this action's resource, so the
      // simulator takes no access point ARN for it; the statement names both.)
      ["ListBucketMultipartUploads", "s3:ListBucketMultipartUploads", POOLED, ALLOWED],
      ["ListBucket of the whole bucket", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "" }],
      ["ListBucketVersions of quarantine/", "s3:ListBucketVersions", POOLED, DENIED, { "s3:prefix": "quarantine/" }],
      ["ListBucketMultipartUploads of another bucket", "s3:ListBucketMultipartUploads", OTHER_BUCKET, DENIED],
      ["GetObject in quarantine/", "s3:GetObject", `${POOLED}/quarantine/${home}`, DENIED],
      ["GetObject in another bucket", "s3:GetObject", `${OTHER_BUCKET}/${home}`, DENIED],
      ["PutObject", "s3:PutObject", `${POOLED}/${home}`, DENIED],
      ["DeleteObject", "s3:DeleteObject", `${POOLED}/${home}`, DENIED],
      ["DeleteObjectVersion", "s3:DeleteObjectVersion", `${POOLED}/${home}`, DENIED],
      ["PutObjectTagging", "s3:PutObjectTagging", `${POOLED}/${home}`, DENIED, ownerTag],
      ["AbortMultipartUpload", "s3:AbortMultipartUpload", `${POOLED}/${home}`, DENIED],
      ...indexRows(ALLOWED),
      // Its on-failure destination (Lambda sends with the function's role).
      ["sending to its failure queue", "sqs:SendMessage", QUEUE, ALLOWED],
      ["sending to another queue", "sqs:SendMessage", OTHER_QUEUE, DENIED],
      ["reading its failure queue", "sqs:ReceiveMessage", QUEUE, DENIED],
      ["the CloudFront key", "secretsmanager:GetSecretValue", SECRET, DENIED],
    ]);
  });

  it("keeps off the index every function that does not use it, and names it to none without a table", async () => {
    const without = (fn: FunctionName) => JSON.stringify(functionPolicy(fn, { ...input(fn), indexTableArn: undefined }));
    for (const fn of FUNCTION_NAMES) {
      assert.doesNotMatch(without(fn), /dynamodb:/, fn);
    }
    const withIndex = FUNCTION_NAMES.filter((fn) => JSON.stringify(functionPolicy(fn, input(fn))).includes("dynamodb:"));
    // cdn-session and admin for users' revocation items only (above).
    assert.deepEqual(withIndex, ["uploads", "objects", "cdn-session", "proxy", "admin", "indexer"]);
  });

  it("never grants dynamodb:* or a DynamoDB resource but the index's table and its indexes; sends to the failure queue from the indexer alone", () => {
    for (const fn of FUNCTION_NAMES) {
      for (const statement of functionPolicy(fn, input(fn)).Statement as PolicyStatement[]) {
        const actions = ([] as string[]).concat(statement.Action);
        if (actions.some((a) => a.startsWith("dynamodb:"))) {
          assert.ok(actions.every((a) => /^dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|Query|Scan)$/.test(a)), `${fn}/${statement.Sid}: ${actions}`);
          assert.deepEqual(([] as string[]).concat(statement.Resource ?? []).filter((r) => r !== TABLE && r !== `${TABLE}/index/*`), [], `${fn}/${statement.Sid}`);
        }
        assert.equal(actions.some((a) => a.startsWith("sqs:")), fn === "indexer" && statement.Sid === "SendFailedEventsToItsQueue", `${fn}/${statement.Sid}`);
      }
    }
  });

  it("scan: reads and tags under tenants/, copies into quarantine/ and tags the copy, never overwrites a user's object", async () => {
    const quarantined = `${POOLED}/quarantine/${home}`;
    await decide("scan", [
      // HeadObject and GetObject (the bytes to scan) are both authorised as GetObject.
      ["GetObject of a pending upload", "s3:GetObject", `${POOLED}/${home}`, ALLOWED, { "s3:ExistingObjectTag/scan-status": "pending" }],
      ["GetObject of an untagged upload", "s3:GetObject", `${SILO}/${home}`, ALLOWED],
      ["GetObjectTagging", "s3:GetObjectTagging", `${POOLED}/${home}`, ALLOWED],
      ["PutObjectTagging (clean, or infected first)", "s3:PutObjectTagging", `${POOLED}/${home}`, ALLOWED],
      // CopyObject: GetObject (and GetObjectTagging) on the source above, PutObject (and PutObjectTagging) on the copy.
      ["CopyObject's write into quarantine/", "s3:PutObject", quarantined, ALLOWED],
      ["tagging the quarantined copy", "s3:PutObjectTagging", quarantined, ALLOWED],
      ["DeleteObject of an infected upload", "s3:DeleteObject", `${POOLED}/${home}`, ALLOWED],
      ["PutObject under tenants/", "s3:PutObject", `${POOLED}/${home}`, DENIED],
      ["DeleteObject in quarantine/", "s3:DeleteObject", quarantined, DENIED],
      ["GetObject in quarantine/", "s3:GetObject", quarantined, DENIED],
      ["GetObjectTagging in quarantine/", "s3:GetObjectTagging", quarantined, DENIED],
      ["PutObject at the bucket root", "s3:PutObject", `${POOLED}/x`, DENIED],
      ["PutObjectTagging in another bucket", "s3:PutObjectTagging", `${OTHER_BUCKET}/${home}`, DENIED],
      ["GetObject through the access point", "s3:GetObject", `${ACCESS_POINT}/object/tenants/globex/home/u1/x`, DENIED],
      ["ListBucket", "s3:ListBucket", POOLED, DENIED, { "s3:prefix": "tenants/" }],
      ["the CloudFront key", "secretsmanager:GetSecretValue", SECRET, DENIED],
      ...NO_INDEX,
    ]);
  });

  for (const fn of FUNCTION_NAMES) {
    it(`${fn}: writes to its own log group and no other`, async () => {
      const other = fn === "scan" ? "uploads" : "scan";
      const stream = (owner: string) => `${logGroup(owner)}:log-stream:2026/11/24/[$LATEST]0123abcd`;
      await decide(fn, [
        ["CreateLogStream in its group", "logs:CreateLogStream", stream(fn), ALLOWED],
        ["PutLogEvents in its stream", "logs:PutLogEvents", stream(fn), ALLOWED],
        ["CreateLogStream in another function's group", "logs:CreateLogStream", stream(other), DENIED],
        ["PutLogEvents in another function's stream", "logs:PutLogEvents", stream(other), DENIED],
        ["CreateLogGroup", "logs:CreateLogGroup", logGroup(fn), DENIED],
        ["DeleteLogGroup of its own group", "logs:DeleteLogGroup", logGroup(fn), DENIED],
      ]);
    });
  }

  it("never grants a wildcard action or an S3 wildcard resource", () => {
    for (const fn of FUNCTION_NAMES) {
      for (const statement of functionPolicy(fn, input(fn)).Statement as PolicyStatement[]) {
        for (const action of ([] as string[]).concat(statement.Action)) {
          assert.ok(!action.includes("*"), `${fn}/${statement.Sid}: action ${action}`);
        }
        assert.ok(statement.Resource !== undefined && statement.NotResource === undefined, `${fn}/${statement.Sid} names its resources`);
        for (const resource of ([] as string[]).concat(statement.Resource)) {
          assert.notEqual(resource, "*", `${fn}/${statement.Sid}`);
          if (resource.includes(":s3:")) {
            // Containers, `tenants/*` or `quarantine/*`.
            assert.match(resource, /^arn:aws:s3:[^*]*(\/(object\/)?(tenants|quarantine)\/\*)?$/, `${fn}/${statement.Sid}: ${resource}`);
          }
        }
      }
    }
  });

  it("covers this stack's access points with one name pattern, and no other stack's", async () => {
    const pattern = `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/photos-dev-*`;
    const policy = functionPolicy("uploads", { ...input("uploads"), accessPointArns: [pattern] });
    const put = (ap: string) =>
      decideAll({ identityPolicies: [policy] }, [
        {
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/uploads/uploads`,
          action: "s3:PutObject",
          resource: `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/${ap}/object/tenants/globex/home/u1/a.jpg`,
          context: tls,
        },
      ]);
    assert.deepEqual(await put("photos-dev-globex"), ["Allowed"]);
    assert.deepEqual(await put("photos-prod-globex"), ["ImplicitlyDenied"]);
    assert.deepEqual(await put("other-app-globex"), ["ImplicitlyDenied"]);
    assert.throws(() => functionPolicy("uploads", { ...input("uploads"), accessPointArns: [`arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/ph*`] }), /\[accessPointArns\]/);
  });

  const refused: [string, FunctionName, Partial<FunctionPolicyInput>, RegExp][] = [
    ["a wildcard bucket", "uploads", { bucketArns: ["arn:aws:s3:::*"] }, /\[bucketArns\] must hold S3 bucket ARNs without wildcards/],
    ["a bare *", "objects", { bucketArns: ["*"] }, /\[bucketArns\]/],
    ["an object ARN as a bucket", "objects", { bucketArns: [`${POOLED}/tenants/*`] }, /\[bucketArns\]/],
    ["no bucket at all", "proxy", { bucketArns: [] }, /\[bucketArns\] must name at least one bucket/],
    ["an access point wildcard", "uploads", { accessPointArns: [`arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/*`] }, /\[accessPointArns\]/],
    ["a log-group wildcard", "scan", { logGroupArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*` }, /\[logGroupArn\]/],
    ["cdn-session without its secret", "cdn-session", { cdnPrivateKeySecretArn: undefined }, /\[cdnPrivateKeySecretArn\] is required/],
    ["a secret wildcard", "cdn-session", { cdnPrivateKeySecretArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:*` }, /\[cdnPrivateKeySecretArn\]/],
    ["every table", "objects", { indexTableArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/*` }, /\[indexTableArn\] must hold DynamoDB table ARNs without wildcards/],
    ["an index as the table", "indexer", { indexTableArn: `${TABLE}/index/byFolder` }, /\[indexTableArn\]/],
    ["a queue wildcard", "indexer", { failureQueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:*` }, /\[failureQueueArn\] must hold SQS queue ARNs/],
  ];
  for (const [label, fn, change, message] of refused) {
    it(`refuses ${label}`, () => {
      assert.throws(() => functionPolicy(fn, { ...input(fn), ...change }), message);
    });
  }
});

describe("infra/api/function-policies lambdaTrustPolicy (IAM simulator)", () => {
  const role = `arn:aws:iam::${ACCOUNT}:role/mobile-s3-dev-api-uploads-abc1234`;
  const assume = (principal: string, sourceAccount?: string): IamRequest => ({
    principal,
    action: "sts:AssumeRole",
    resource: role,
    context: sourceAccount ? { "aws:SourceAccount": sourceAccount } : {},
  });

  it("lets Lambda assume the role on behalf of this account only", async () => {
    const decisions = await decideAll({ resourcePolicy: lambdaTrustPolicy(ACCOUNT) }, [
      assume("lambda.amazonaws.com", ACCOUNT),
      assume("lambda.amazonaws.com", "210987654321"),
      assume("lambda.amazonaws.com"),
      assume("edgelambda.amazonaws.com", ACCOUNT),
      assume(`arn:aws:iam::${ACCOUNT}:role/admin`, ACCOUNT),
    ]);
    assert.deepEqual(decisions, ["Allowed", DENIED, DENIED, DENIED, DENIED]);
  });

  it("has no Resource element (IAM rejects one in a trust policy) and refuses a malformed account", () => {
    assert.ok(lambdaTrustPolicy(ACCOUNT).Statement.every((s) => !("Resource" in s)));
    assert.throws(() => lambdaTrustPolicy("*"), /\[accountId\] must be a 12-digit AWS account id/);
  });
});
