import { GUARDDUTY_VOCABULARY } from "@mobile-s3/contract";
import type * as aws from "@pulumi/aws";
import { functionPolicy } from "../../../infra/api/function-policies";
import { cloudFrontReadStatement } from "../../../infra/cdn/read-grant";
import { trailBucketPolicyGrants } from "../../../infra/observability/trail-policies";
import { bucketPolicy } from "../../../infra/storage/bucket-policy";
import { accessPointArn, accessPointPolicy, appUserPolicy, pooledBucketTenancyStatements, type StorageLayout } from "../../../infra/tenancy/access-policies";
import { type AnalyzerInput } from "../../harness/policy-pack";
import { policyJson, resource, unrelated } from "./build";
import { type PolicyCase, type PolicyCases } from "./types";

const ACCOUNT = "111122223333";
const REGION = "eu-central-1";
const BUCKET = "photos-demo-data";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/photos-demo-app-user`;
const DISTRIBUTION_ARN = `arn:aws:cloudfront::${ACCOUNT}:distribution/E2EXAMPLE1`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/photos-demo`;

const LAYOUT: StorageLayout = {
  partition: "aws",
  region: REGION,
  accountId: ACCOUNT,
  pooledBucket: BUCKET,
  accessPointPrefix: "photos-demo-",
  dedicatedBucket: { prefix: "photos-demo-t-", suffix: "-a1b2" },
  homeKey: "userSub",
  readGate: GUARDDUTY_VOCABULARY,
};
const AP_ARN = accessPointArn(LAYOUT, "photos-demo-globex");

/** What the engine sends for a value `pulumi preview` cannot know yet (a policy built from a new bucket's ARN). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The wildcard-principal policies' config, overriding the narrowing keys. */
const narrowingKeys = (policy: string, keys: string[]) => ({ [policy]: { narrowingConditionKeys: keys } });

// ---------------------------------------------------------------------------------------------
// Documents in the three forms programs pass them.

type DocStatement = Record<string, unknown>;

/** An allow statement with one thing set by the caller. */
function allow(sid: string, fields: DocStatement): DocStatement {
  return { Sid: sid, Effect: "Allow", ...fields };
}

/** As a plain object: `policy: { Version, Statement }` is accepted by BucketPolicy, RolePolicy… */
function policyObject(statements: DocStatement[]): object {
  return { Version: "2012-10-17", Statement: statements };
}

type GetPolicyDocumentStatement = aws.types.input.iam.GetPolicyDocumentStatement;

/**
 * The `json` that `aws.iam.getPolicyDocument({ statements })` returns, rendered as the provider
 * renders it (Terraform's aws_iam_policy_document): indented, Effect defaulting to Allow, lists of one
 * collapsed to a string, `Principal: "*"` for type "*", and `&{…}` turned into the `${…}` policy variable.
 */
function getPolicyDocumentJson(statements: GetPolicyDocumentStatement[]): string {
  const one = (values: string[] | undefined) =>
    values === undefined || values.length === 0 ? undefined : values.length === 1 ? values[0] : [...values].sort().reverse();
  const principals = (list: { type: string; identifiers: string[] }[] | undefined) => {
    if (list === undefined || list.length === 0) {
      return undefined;
    }
    if (list.length === 1 && list[0].type === "*") {
      return "*";
    }
    return Object.fromEntries(list.map((p) => [p.type, one(p.identifiers)]));
  };
  const conditions = (list: GetPolicyDocumentStatement["conditions"]) => {
    if (list === undefined || list.length === 0) {
      return undefined;
    }
    const out: Record<string, Record<string, unknown>> = {};
    for (const c of list) {
      out[c.test] = { ...out[c.test], [c.variable]: one(c.values) };
    }
    return out;
  };
  const doc = {
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
      Sid: s.sid,
      Effect: s.effect ?? "Allow",
      Action: one(s.actions),
      NotAction: one(s.notActions),
      Resource: one(s.resources),
      NotResource: one(s.notResources),
      Principal: principals(s.principals),
      NotPrincipal: principals(s.notPrincipals),
      Condition: conditions(s.conditions),
    })),
  };
  return JSON.stringify(doc, null, 2).replace(/&\{/g, "${");
}

// ---------------------------------------------------------------------------------------------
// Resources.

const bucketPolicyOf = (name: string, policy: unknown) => resource("aws:s3/bucketPolicy:BucketPolicy", name, { bucket: BUCKET, policy });
const accessPointWith = (name: string, policy: unknown) =>
  resource("aws:s3/accessPoint:AccessPoint", name, { bucket: BUCKET, name: "photos-demo-globex", policy });
const rolePolicyOf = (name: string, policy: unknown) => resource("aws:iam/rolePolicy:RolePolicy", name, { role: "photos-demo-app-user", policy });

const single = (label: string, input: AnalyzerInput, config?: PolicyCase["config"]): PolicyCase => ({
  label,
  resources: [input],
  ...(config ? { config } : {}),
});

/** The program's own documents, from the same builders the program uses. */
const program = {
  pooledBucketPolicy: () =>
    bucketPolicy({
      bucketArn: BUCKET_ARN,
      kmsKeyArn: KEY_ARN,
      grants: [
        ...pooledBucketTenancyStatements({ layout: LAYOUT, appRoleArn: ROLE_ARN, accessPointTenants: ["globex"], bucketTenants: ["initech"] }),
        cloudFrontReadStatement({ bucketArn: BUCKET_ARN, distributionArn: DISTRIBUTION_ARN, keyPrefix: "tenants/", readGate: GUARDDUTY_VOCABULARY }),
      ],
    }),
  trailBucketPolicy: () =>
    bucketPolicy({
      bucketArn: "arn:aws:s3:::photos-demo-audit",
      kmsKeyArn: KEY_ARN,
      grants: trailBucketPolicyGrants({ accountId: ACCOUNT, bucketArn: "arn:aws:s3:::photos-demo-audit", trailArn: TRAIL_ARN }),
    }),
  accessPointPolicy: () => accessPointPolicy({ layout: LAYOUT, tenant: "globex", appRoleArn: ROLE_ARN }),
  appUserPolicy: (homeKey: StorageLayout["homeKey"]) => appUserPolicy({ ...LAYOUT, homeKey }),
  functionPolicy: () =>
    functionPolicy("objects", {
      bucketArns: [BUCKET_ARN],
      accessPointArns: [accessPointArn(LAYOUT, "photos-demo-*")],
      logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/photos-demo-objects`,
      scan: GUARDDUTY_VOCABULARY,
    }),
};

const GET = { Action: "s3:GetObject", Resource: `${BUCKET_ARN}/*` };
const AP_GET = { Action: "s3:GetObject", Resource: `${AP_ARN}/object/*` };
const toRole = { Principal: { AWS: ROLE_ARN } };

// ---------------------------------------------------------------------------------------------
// aws-s3-bucketpolicy-disallow-wildcard-principal

const BUCKET_PRINCIPAL = "aws-s3-bucketpolicy-disallow-wildcard-principal";
const everyone = (condition?: Record<string, Record<string, unknown>>, principal: unknown = "*"): DocStatement =>
  allow("Open", { Principal: principal, ...GET, ...(condition ? { Condition: condition } : {}) });

const bucketWildcardPrincipal: PolicyCases = {
  policy: BUCKET_PRINCIPAL,
  kind: "resource",
  nonCompliant: [
    single("Principal \"*\" without a condition (JSON string)", bucketPolicyOf("open", policyJson([everyone()]))),
    single("Principal {\"AWS\": \"*\"} without a condition (object)", bucketPolicyOf("open-aws", policyObject([everyone(undefined, { AWS: "*" })]))),
    single(
      "a principal list holding \"*\" beside a named role",
      bucketPolicyOf("open-list", policyJson([everyone(undefined, { AWS: [ROLE_ARN, "*"] })])),
    ),
    single(
      "Principal \"*\" under a condition on a key that names no caller (aws:SecureTransport)",
      bucketPolicyOf("open-tls", policyJson([everyone({ Bool: { "aws:SecureTransport": "true" } })])),
    ),
    single("StringLike aws:SourceArn \"*\" narrows nothing", bucketPolicyOf("open-like-star", policyJson([everyone({ StringLike: { "aws:SourceArn": "*" } })]))),
    single(
      "ArnLike aws:SourceArn with a wildcard account matches every account's distributions",
      bucketPolicyOf("open-any-account", policyJson([everyone({ ArnLike: { "aws:SourceArn": "arn:aws:cloudfront::*:distribution/*" } })])),
    ),
    single(
      "StringLike aws:PrincipalOrgID \"o-*\" matches every organisation",
      bucketPolicyOf("open-any-org", policyJson([everyone({ StringLike: { "aws:PrincipalOrgID": "o-*" } })])),
    ),
    single(
      "StringEqualsIfExists aws:SourceAccount also holds when the key is absent",
      bucketPolicyOf("open-if-exists", policyJson([everyone({ StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT } })])),
    ),
    single(
      "StringNotEquals aws:PrincipalAccount lets every other account in",
      bucketPolicyOf("open-not-equals", policyJson([everyone({ StringNotEquals: { "aws:PrincipalAccount": "444455556666" } })])),
    ),
    single(
      "ForAllValues:StringEquals aws:PrincipalOrgID also holds when the key is absent",
      bucketPolicyOf("open-for-all", policyJson([everyone({ "ForAllValues:StringEquals": { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } })])),
    ),
    single(
      "a narrowing key compared with itself (${aws:SourceAccount})",
      bucketPolicyOf("open-self", policyJson([everyone({ StringEquals: { "aws:SourceAccount": "${aws:SourceAccount}" } })])),
    ),
    single(
      "one concrete and one open value for the same key",
      bucketPolicyOf("open-one-value", policyJson([everyone({ StringLike: { "aws:SourceArn": [DISTRIBUTION_ARN, "*"] } })])),
    ),
    single("Allow with NotPrincipal (everyone but the named role)", bucketPolicyOf("not-principal", policyJson([allow("AllButOne", { NotPrincipal: { AWS: ROLE_ARN }, ...GET })]))),
    single(
      "Principal \"*\" from aws.iam.getPolicyDocument without a condition",
      bucketPolicyOf(
        "open-get-policy-document",
        getPolicyDocumentJson([{ sid: "Open", principals: [{ type: "*", identifiers: ["*"] }], actions: ["s3:GetObject"], resources: [`${BUCKET_ARN}/*`] }]),
      ),
    ),
    single("a bucket's inline policy (aws:s3/bucket:Bucket)", resource("aws:s3/bucket:Bucket", "inline", { bucket: BUCKET, policy: policyJson([everyone()]) })),
    single("a legacy BucketV2's inline policy", resource("aws:s3/bucketV2:BucketV2", "inline-v2", { bucket: BUCKET, policy: policyJson([everyone()]) })),
    single(
      "an S3 on Outposts bucket policy",
      resource("aws:s3control/bucketPolicy:BucketPolicy", "outposts", { bucket: "arn:aws:s3-outposts:eu-central-1:111122223333:outpost/op-1/bucket/b", policy: policyJson([everyone()]) }),
    ),
    single("a single Statement object instead of a list", bucketPolicyOf("open-single", JSON.stringify({ Version: "2012-10-17", Statement: everyone() }))),
    single(
      "a policy object whose Resource is unknown in a preview but whose Principal is known to be \"*\"",
      bucketPolicyOf("open-preview", policyObject([allow("Open", { Principal: "*", Action: "s3:GetObject", Resource: UNKNOWN })])),
    ),
    single("a policy that is not JSON", bucketPolicyOf("not-json", "{\"Statement\": [")),
    single("a policy that is JSON but not a policy document", bucketPolicyOf("not-a-document", "[\"s3:GetObject\"]")),
    single(
      "aws:SourceAccount when configured to accept only aws:SourceArn",
      bucketPolicyOf("narrowed-by-unlisted-key", policyJson([everyone({ StringEquals: { "aws:SourceAccount": ACCOUNT } })])),
      narrowingKeys(BUCKET_PRINCIPAL, ["aws:SourceArn"]),
    ),
  ],
  compliant: [
    single("the program's pooled-bucket policy (guards, access-point delegation, CloudFront OAC)", bucketPolicyOf("shared", JSON.stringify(program.pooledBucketPolicy()))),
    single("the program's audit-log bucket policy (CloudTrail under aws:SourceArn)", bucketPolicyOf("audit", JSON.stringify(program.trailBucketPolicy()))),
    single(
      "Deny to Principal \"*\" without a condition (only takes away)",
      bucketPolicyOf("deny-all", policyJson([{ Sid: "DenyAll", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`] }])),
    ),
    single("Principal \"*\" with StringEquals aws:SourceArn of one distribution", bucketPolicyOf("oac", policyJson([everyone({ StringEquals: { "AWS:SourceArn": DISTRIBUTION_ARN } })]))),
    single(
      "Principal \"*\" with ArnLike aws:SourceArn: a * after a fixed account is not * alone",
      bucketPolicyOf("oac-prefix", policyJson([everyone({ ArnLike: { "aws:SourceArn": `arn:aws:cloudfront::${ACCOUNT}:distribution/*` } })])),
    ),
    single(
      "Principal {\"AWS\": \"*\"} with StringEquals aws:PrincipalOrgID (object)",
      bucketPolicyOf("org", policyObject([everyone({ StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } }, { AWS: "*" })])),
    ),
    single(
      "Principal \"*\" with ForAnyValue:StringLike aws:PrincipalOrgPaths under a fixed organisation",
      bucketPolicyOf("org-path", policyJson([everyone({ "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*" } })])),
    ),
    single(
      "Principal \"*\" with StringLike aws:userid of any session of one role",
      bucketPolicyOf("one-role", policyJson([everyone({ StringLike: { "aws:userid": "AROAEXAMPLEROLEID:*" } })])),
    ),
    single(
      "Principal \"*\" with a policy variable as the value (${aws:ResourceAccount} is not a wildcard)",
      bucketPolicyOf("same-account", policyJson([everyone({ StringEquals: { "aws:PrincipalAccount": "${aws:ResourceAccount}" } })])),
    ),
    single(
      "Principal \"*\" with aws:SourceArn, from aws.iam.getPolicyDocument",
      bucketPolicyOf(
        "oac-get-policy-document",
        getPolicyDocumentJson([
          {
            sid: "Oac",
            principals: [{ type: "Service", identifiers: ["cloudfront.amazonaws.com"] }],
            actions: ["s3:GetObject"],
            resources: [`${BUCKET_ARN}/*`],
          },
          {
            sid: "Delegate",
            principals: [{ type: "AWS", identifiers: ["*"] }],
            actions: ["s3:GetObject", "s3:ListBucket"],
            resources: [BUCKET_ARN, `${BUCKET_ARN}/*`],
            conditions: [{ test: "StringEquals", variable: "s3:DataAccessPointAccount", values: [ACCOUNT] }],
          },
        ]),
      ),
    ),
    single(
      "Principal \"*\" with an IP range when the pack is configured to count aws:SourceIp",
      bucketPolicyOf("office", policyJson([everyone({ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } })])),
      narrowingKeys(BUCKET_PRINCIPAL, ["aws:SourceIp"]),
    ),
    single("a policy unknown in a preview (skipped, checked again by pulumi up)", bucketPolicyOf("preview", UNKNOWN)),
    single("a bucket without an inline policy", resource("aws:s3/bucket:Bucket", "plain", { bucket: BUCKET })),
  ],
  notApplicable: [
    single("an SQS queue", unrelated()),
    single("an access point (its own policy)", accessPointWith("ap", policyJson([everyone()]))),
    single("an IAM role policy", rolePolicyOf("role-policy", policyJson([allow("Read", GET)]))),
  ],
};

// ---------------------------------------------------------------------------------------------
// aws-s3-accesspoint-disallow-wildcard-principal

const AP_PRINCIPAL = "aws-s3-accesspoint-disallow-wildcard-principal";
const apEveryone = (condition?: Record<string, Record<string, unknown>>, principal: unknown = "*"): DocStatement =>
  allow("Open", { Principal: principal, ...AP_GET, ...(condition ? { Condition: condition } : {}) });

const accessPointWildcardPrincipal: PolicyCases = {
  policy: AP_PRINCIPAL,
  kind: "resource",
  nonCompliant: [
    single("an access point with Principal \"*\" and no condition", accessPointWith("open", policyJson([apEveryone()]))),
    single("an access point with Principal {\"AWS\": \"*\"} (object)", accessPointWith("open-aws", policyObject([apEveryone(undefined, { AWS: "*" })]))),
    single(
      "an access point with StringLike aws:SourceArn \"*\"",
      accessPointWith("open-like-star", policyJson([apEveryone({ StringLike: { "aws:SourceArn": "*" } })])),
    ),
    single(
      "an access point with Allow through NotPrincipal",
      accessPointWith("not-principal", policyJson([allow("AllButOne", { NotPrincipal: { AWS: ROLE_ARN }, ...AP_GET })])),
    ),
    single(
      "an AccessPointPolicy (s3control) with Principal \"*\"",
      resource("aws:s3control/accessPointPolicy:AccessPointPolicy", "ap-policy", { accessPointArn: AP_ARN, policy: policyJson([apEveryone()]) }),
    ),
    single(
      "an Object Lambda access point policy with Principal \"*\"",
      resource("aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy", "olap", {
        name: "photos-demo-olap",
        policy: policyJson([allow("Open", { Principal: "*", Action: "s3-object-lambda:GetObject", Resource: `arn:aws:s3-object-lambda:${REGION}:${ACCOUNT}:accesspoint/photos-demo-olap` })]),
      }),
    ),
    single(
      "a Multi-Region access point policy with Principal \"*\" (details.policy)",
      resource("aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy", "mrap", {
        details: { name: "photos-demo-mrap", policy: policyJson([allow("Open", { Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3::${ACCOUNT}:accesspoint/mrap.mrap/object/*` })]) },
      }),
    ),
    single(
      "an access point policy from aws.iam.getPolicyDocument with Principal \"*\"",
      accessPointWith(
        "open-get-policy-document",
        getPolicyDocumentJson([{ sid: "Open", principals: [{ type: "AWS", identifiers: ["*"] }], actions: ["s3:GetObject"], resources: [`${AP_ARN}/object/*`] }]),
      ),
    ),
    single("an access point policy that is not JSON", accessPointWith("not-json", "Statement: []")),
  ],
  compliant: [
    single("the program's access point policy (Deny guards for the app role)", accessPointWith("program", JSON.stringify(program.accessPointPolicy()))),
    single("an access point granting one role", accessPointWith("one-role", policyJson([allow("AppRole", { ...toRole, ...AP_GET })]))),
    single(
      "an access point with Principal \"*\" and StringEquals aws:PrincipalAccount",
      accessPointWith("same-account", policyJson([apEveryone({ StringEquals: { "aws:PrincipalAccount": ACCOUNT } })])),
    ),
    single(
      "an access point with Principal \"*\" and StringEquals aws:SourceVpce",
      accessPointWith("vpce", policyObject([apEveryone({ StringEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } })])),
    ),
    single("an access point whose policy is unknown in a preview", accessPointWith("preview", UNKNOWN)),
    single("an access point without a policy", resource("aws:s3/accessPoint:AccessPoint", "no-policy", { bucket: BUCKET, name: "photos-demo-initech" })),
  ],
  notApplicable: [
    single("an SQS queue", unrelated()),
    single("a bucket policy", bucketPolicyOf("bucket-policy", policyJson([everyone()]))),
  ],
};

// ---------------------------------------------------------------------------------------------
// aws-s3-bucketpolicy-disallow-wildcard-actions

const bucketWildcardActions: PolicyCases = {
  policy: "aws-s3-bucketpolicy-disallow-wildcard-actions",
  kind: "resource",
  nonCompliant: [
    single("Allow \"s3:*\" to one role", bucketPolicyOf("all-s3", policyJson([allow("Everything", { ...toRole, Action: "s3:*", Resource: `${BUCKET_ARN}/*` })]))),
    single("Allow \"*\" to one role (object)", bucketPolicyOf("all", policyObject([allow("Everything", { ...toRole, Action: "*", Resource: `${BUCKET_ARN}/*` })]))),
    single(
      "Allow \"S3:*\" hidden in a list of named actions",
      bucketPolicyOf("all-in-list", policyJson([allow("Mixed", { ...toRole, Action: ["s3:GetObject", "S3:*"], Resource: `${BUCKET_ARN}/*` })])),
    ),
    single(
      "Allow through NotAction",
      bucketPolicyOf("not-action", policyJson([allow("AllButDelete", { ...toRole, NotAction: "s3:DeleteObject", Resource: `${BUCKET_ARN}/*` })])),
    ),
    single(
      "Allow \"s3:*\" from aws.iam.getPolicyDocument",
      bucketPolicyOf(
        "all-get-policy-document",
        getPolicyDocumentJson([{ sid: "Everything", principals: [{ type: "AWS", identifiers: [ROLE_ARN] }], actions: ["s3:*"], resources: [BUCKET_ARN, `${BUCKET_ARN}/*`] }]),
      ),
    ),
    single(
      "a bucket's inline policy allowing \"s3:*\"",
      resource("aws:s3/bucket:Bucket", "inline", { bucket: BUCKET, policy: policyJson([allow("Everything", { ...toRole, Action: "s3:*", Resource: BUCKET_ARN })]) }),
    ),
  ],
  compliant: [
    single("the program's pooled-bucket policy (Deny \"s3:*\" guards, named grants)", bucketPolicyOf("shared", JSON.stringify(program.pooledBucketPolicy()))),
    single("Allow \"s3:Get*\": a * after a fixed prefix is not every action", bucketPolicyOf("get-star", policyJson([allow("Reads", { ...toRole, Action: "s3:Get*", Resource: `${BUCKET_ARN}/*` })]))),
    single("Allow named actions (object)", bucketPolicyOf("named", policyObject([allow("Reads", { ...toRole, Action: ["s3:GetObject", "s3:ListBucket"], Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`] })]))),
    single("Deny with NotAction (takes away everything else)", bucketPolicyOf("deny-not-action", policyJson([{ Sid: "OnlyReads", Effect: "Deny", ...toRole, NotAction: "s3:GetObject", Resource: `${BUCKET_ARN}/*` }]))),
    single("a policy that is not JSON (reported once, by the wildcard-principal policy)", bucketPolicyOf("not-json", "{nope")),
    single("a policy unknown in a preview", bucketPolicyOf("preview", UNKNOWN)),
  ],
  notApplicable: [
    single("an SQS queue", unrelated()),
    single("an access point (its own policy)", accessPointWith("ap", policyJson([allow("Everything", { ...toRole, Action: "s3:*", Resource: `${AP_ARN}/object/*` })]))),
  ],
};

// ---------------------------------------------------------------------------------------------
// aws-s3-accesspoint-disallow-wildcard-actions

const accessPointWildcardActions: PolicyCases = {
  policy: "aws-s3-accesspoint-disallow-wildcard-actions",
  kind: "resource",
  nonCompliant: [
    single("an access point allowing \"s3:*\"", accessPointWith("all-s3", policyJson([allow("Everything", { ...toRole, Action: "s3:*", Resource: `${AP_ARN}/object/*` })]))),
    single("an access point allowing \"*\" (object)", accessPointWith("all", policyObject([allow("Everything", { ...toRole, Action: "*", Resource: `${AP_ARN}/object/*` })]))),
    single("an access point allowing through NotAction", accessPointWith("not-action", policyJson([allow("AllButDelete", { ...toRole, NotAction: ["s3:DeleteObject"], Resource: `${AP_ARN}/object/*` })]))),
    single(
      "an AccessPointPolicy (s3control) allowing \"s3:*\"",
      resource("aws:s3control/accessPointPolicy:AccessPointPolicy", "ap-policy", {
        accessPointArn: AP_ARN,
        policy: policyJson([allow("Everything", { ...toRole, Action: "s3:*", Resource: `${AP_ARN}/object/*` })]),
      }),
    ),
  ],
  compliant: [
    single("the program's access point policy (Deny \"s3:*\" guards)", accessPointWith("program", JSON.stringify(program.accessPointPolicy()))),
    single("an access point allowing named actions", accessPointWith("named", policyJson([allow("Reads", { ...toRole, ...AP_GET })]))),
    single("an access point policy unknown in a preview", accessPointWith("preview", UNKNOWN)),
  ],
  notApplicable: [
    single("an SQS queue", unrelated()),
    single("a bucket policy", bucketPolicyOf("bucket-policy", policyJson([allow("Everything", { ...toRole, Action: "s3:*", Resource: BUCKET_ARN })]))),
  ],
};

// ---------------------------------------------------------------------------------------------
// aws-iam-policy-disallow-s3-wildcard-actions

const scoped = (action: string | string[]): DocStatement => ({ Action: action, Resource: `${BUCKET_ARN}/tenants/*` });

const iamWildcardActions: PolicyCases = {
  policy: "aws-iam-policy-disallow-s3-wildcard-actions",
  kind: "resource",
  nonCompliant: [
    single("a role policy allowing \"s3:*\" on one prefix", rolePolicyOf("all-s3", policyJson([allow("Everything", scoped("s3:*"))]))),
    single("a role policy allowing \"*\" (object)", rolePolicyOf("all", policyObject([allow("Everything", scoped("*"))]))),
    single("a role policy allowing through a NotAction that leaves S3 in", rolePolicyOf("not-action", policyJson([allow("AllButIam", { NotAction: "iam:*", Resource: `${BUCKET_ARN}/*` })]))),
    single(
      "a managed IAM policy allowing \"s3:*\" from aws.iam.getPolicyDocument",
      resource("aws:iam/policy:Policy", "managed", {
        name: "photos-demo-everything",
        policy: getPolicyDocumentJson([{ sid: "Everything", actions: ["s3:*"], resources: [`${BUCKET_ARN}/*`] }]),
      }),
    ),
    single(
      "a role's inline policy allowing \"s3:*\"",
      resource("aws:iam/role:Role", "inline", {
        assumeRolePolicy: policyJson([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]),
        inlinePolicies: [{ name: "everything", policy: policyJson([allow("Everything", scoped("s3:*"))]) }],
      }),
    ),
    single(
      "a role's second inline policy allowing \"s3:*\" while the first is unknown in a preview",
      resource("aws:iam/role:Role", "inline-partly-known", {
        inlinePolicies: [{ name: "pending", policy: UNKNOWN }, { name: "everything", policy: policyJson([allow("Everything", scoped("s3:*"))]) }],
      }),
    ),
    single("a user policy allowing \"s3:*\"", resource("aws:iam/userPolicy:UserPolicy", "user", { user: "ci", policy: policyJson([allow("Everything", scoped("s3:*"))]) })),
    single("a group policy allowing \"s3:*\"", resource("aws:iam/groupPolicy:GroupPolicy", "group", { group: "ops", policy: policyJson([allow("Everything", scoped("s3:*"))]) })),
    single("a role policy that is not JSON", rolePolicyOf("not-json", "{\"Version\": \"2012-10-17\",")),
  ],
  compliant: [
    single("the program's app-user policy keyed by the user-pool sub (${aws:PrincipalTag/home})", rolePolicyOf("app-user", JSON.stringify(program.appUserPolicy("userSub")))),
    single("the program's app-user policy keyed by ${cognito-identity.amazonaws.com:sub}", rolePolicyOf("app-user-identity", JSON.stringify(program.appUserPolicy("identityId")))),
    single("the program's function policy", rolePolicyOf("function", JSON.stringify(program.functionPolicy()))),
    single("a role policy allowing \"s3:Put*\" (a * after a fixed prefix)", rolePolicyOf("put-star", policyObject([allow("Writes", scoped("s3:Put*"))]))),
    single("a role policy allowing \"kms:*\" (not S3)", rolePolicyOf("kms", policyJson([allow("Key", { Action: "kms:*", Resource: KEY_ARN })]))),
    single("Deny \"s3:*\"", rolePolicyOf("deny", policyJson([{ Sid: "NoDeletes", Effect: "Deny", ...scoped("s3:*") }]))),
    single("a role policy unknown in a preview", rolePolicyOf("preview", UNKNOWN)),
    single(
      "a role whose inline policy is unknown in a preview",
      resource("aws:iam/role:Role", "inline-preview", { inlinePolicies: [{ name: "scoped", policy: UNKNOWN }] }),
    ),
    single("a role whose inline policy list is unknown in a preview", resource("aws:iam/role:Role", "inline-list-preview", { inlinePolicies: UNKNOWN })),
    single(
      "a role whose first inline policy is unknown in a preview and second is scoped",
      resource("aws:iam/role:Role", "inline-partly-known", {
        inlinePolicies: [UNKNOWN, { name: "scoped", policy: policyJson([allow("Reads", scoped("s3:GetObject"))]) }],
      }),
    ),
  ],
  notApplicable: [
    single("an SQS queue", unrelated()),
    single("a bucket policy (a resource policy, checked by the bucket-policy rules)", bucketPolicyOf("bucket-policy", policyJson([allow("Everything", { ...toRole, Action: "s3:*", Resource: BUCKET_ARN })]))),
  ],
};

// ---------------------------------------------------------------------------------------------
// aws-iam-policy-disallow-s3-wildcard-resources

const IAM_RESOURCES = "aws-iam-policy-disallow-s3-wildcard-resources";
const on = (resourceArn: string | string[], action: string | string[] = "s3:GetObject"): DocStatement => ({ Action: action, Resource: resourceArn });

const iamWildcardResources: PolicyCases = {
  policy: IAM_RESOURCES,
  kind: "resource",
  nonCompliant: [
    single("s3:GetObject on \"*\"", rolePolicyOf("any", policyJson([allow("ReadAnything", on("*"))]))),
    single("s3:ListBucket on every bucket (arn:aws:s3:::*)", rolePolicyOf("any-bucket", policyJson([allow("ListAnyBucket", on("arn:aws:s3:::*", "s3:ListBucket"))]))),
    single(
      "s3:PutObject under tenants/ of every bucket (the bucket name is *)",
      rolePolicyOf("any-bucket-prefix", policyObject([allow("WriteAnyBucket", on("arn:aws:s3:::*/tenants/*", "s3:PutObject"))])),
    ),
    single("every access point (accesspoint/*)", rolePolicyOf("any-ap", policyJson([allow("AnyAccessPoint", on(`arn:aws:s3:${REGION}:${ACCOUNT}:accesspoint/*`))]))),
    single(
      "access points of any account (account *)",
      rolePolicyOf("any-account-ap", policyJson([allow("AnyAccountAccessPoint", on(`arn:aws:s3:${REGION}:*:accesspoint/photos-demo-*`))])),
    ),
    single("S3 actions granted on everything but a NotResource", rolePolicyOf("not-resource", policyJson([allow("AllButAudit", { Action: "s3:GetObject", NotResource: "arn:aws:s3:::photos-demo-audit/*" })]))),
    single("\"*\" actions on \"*\" (S3 included)", rolePolicyOf("admin", policyJson([allow("Admin", on("*", "*"))]))),
    single("a NotAction that leaves S3 in, on \"*\"", rolePolicyOf("not-action", policyJson([allow("AllButIam", { NotAction: "iam:*", Resource: "*" })]))),
    single("s3:ListAllMyBuckets on \"*\" when not configured as allowed", rolePolicyOf("list-buckets", policyJson([allow("ListBuckets", on("*", "s3:ListAllMyBuckets"))]))),
    single(
      "a role's inline policy from aws.iam.getPolicyDocument reading \"*\"",
      resource("aws:iam/role:Role", "inline", {
        inlinePolicies: [{ name: "reads", policy: getPolicyDocumentJson([{ sid: "ReadAnything", actions: ["s3:GetObject", "s3:GetObjectTagging"], resources: ["*"] }]) }],
      }),
    ),
    single("a user policy reading \"*\"", resource("aws:iam/userPolicy:UserPolicy", "user", { user: "ci", policy: policyJson([allow("ReadAnything", on("*"))]) })),
  ],
  compliant: [
    single("the program's app-user policy (tenant and home as policy variables)", rolePolicyOf("app-user", JSON.stringify(program.appUserPolicy("userSub")))),
    single("the program's app-user policy keyed by ${cognito-identity.amazonaws.com:sub}", rolePolicyOf("app-user-identity", JSON.stringify(program.appUserPolicy("identityId")))),
    single("the program's function policy (access points by the stack's name pattern app-env-*)", rolePolicyOf("function", JSON.stringify(program.functionPolicy()))),
    single("one bucket's tenants/ prefix: a * after a fixed prefix", rolePolicyOf("prefix", policyJson([allow("Tenants", on(`${BUCKET_ARN}/tenants/*`))]))),
    single(
      "a bucket named by a policy variable (not a wildcard), from aws.iam.getPolicyDocument with &{…}",
      rolePolicyOf(
        "variable-bucket",
        getPolicyDocumentJson([{ sid: "OwnBucket", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::photos-demo-t-&{aws:PrincipalTag/tenant}/*"] }]),
      ),
    ),
    single("non-S3 actions on \"*\"", rolePolicyOf("logs", policyJson([allow("Metrics", on("*", ["cloudwatch:PutMetricData", "xray:PutTraceSegments"]))]))),
    single("S3 actions on a non-S3 wildcard ARN do not reach S3", rolePolicyOf("logs-arn", policyJson([allow("Logs", on("arn:aws:logs:*:*:*", "*"))]))),
    single(
      "s3:ListAllMyBuckets on \"*\" when configured as allowed",
      rolePolicyOf("list-buckets", policyJson([allow("ListBuckets", on("*", "s3:ListAllMyBuckets"))])),
      { [IAM_RESOURCES]: { actionsAllowedOnAnyResource: ["s3:ListAllMyBuckets"] } },
    ),
    single("Deny S3 on \"*\"", rolePolicyOf("deny", policyJson([{ Sid: "NoDeletes", Effect: "Deny", ...on("*", "s3:DeleteObject") }]))),
    single("a role policy unknown in a preview", rolePolicyOf("preview", UNKNOWN)),
    single(
      "a policy object whose Resource is unknown in a preview (that statement is skipped, not flagged)",
      rolePolicyOf("resource-preview", policyObject([allow("ReadOwnBucket", on(UNKNOWN))])),
    ),
  ],
  notApplicable: [
    single("an SQS queue", unrelated()),
    single("an access point", accessPointWith("ap", policyJson([allow("ReadAnything", { ...toRole, ...on("*") })]))),
  ],
};

// ---------------------------------------------------------------------------------------------
// aws-iam-policyattachment-disallow-s3-wildcard-managed-policies

const MANAGED = "aws-iam-policyattachment-disallow-s3-wildcard-managed-policies";
const awsManaged = (name: string, partition = "aws") => `arn:${partition}:iam::aws:policy/${name}`;
const roleAttachment = (name: string, policyArn: string) =>
  resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", name, { role: "photos-demo-objects", policyArn });

const managedPolicies: PolicyCases = {
  policy: MANAGED,
  kind: "resource",
  nonCompliant: [
    single("a role attached AmazonS3FullAccess", roleAttachment("s3-full", awsManaged("AmazonS3FullAccess"))),
    single("a role attached AmazonS3ReadOnlyAccess in aws-us-gov", roleAttachment("s3-read", awsManaged("AmazonS3ReadOnlyAccess", "aws-us-gov"))),
    single("a role listing AdministratorAccess in managedPolicyArns", resource("aws:iam/role:Role", "admin", { managedPolicyArns: [awsManaged("service-role/AWSLambdaBasicExecutionRole"), awsManaged("AdministratorAccess")] })),
    single(
      "a role listing AmazonS3FullAccess beside a policy ARN still unknown in a preview",
      resource("aws:iam/role:Role", "partly-known", { managedPolicyArns: [UNKNOWN, awsManaged("AmazonS3FullAccess")] }),
    ),
    single("a user attached PowerUserAccess", resource("aws:iam/userPolicyAttachment:UserPolicyAttachment", "user", { user: "ci", policyArn: awsManaged("PowerUserAccess") })),
    single("a group attached ReadOnlyAccess", resource("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "group", { group: "ops", policyArn: awsManaged("ReadOnlyAccess") })),
    single("a PolicyAttachment of AmazonS3FullAccess", resource("aws:iam/policyAttachment:PolicyAttachment", "shared", { roles: ["photos-demo-objects"], policyArn: awsManaged("AmazonS3FullAccess") })),
    single(
      "an exclusive role attachment list holding AmazonS3FullAccess",
      resource("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "exclusive", { roleName: "photos-demo-objects", policyArns: [awsManaged("AmazonS3FullAccess")] }),
    ),
    single(
      "a job-function policy when configured to disallow it",
      roleAttachment("view-only", awsManaged("job-function/ViewOnlyAccess")),
      { [MANAGED]: { disallowedManagedPolicies: ["job-function/ViewOnlyAccess"] } },
    ),
  ],
  compliant: [
    single("a role attached the Lambda basic execution policy", roleAttachment("basic", awsManaged("service-role/AWSLambdaBasicExecutionRole"))),
    single("a role attached a customer managed policy named AmazonS3FullAccess", roleAttachment("own", `arn:aws:iam::${ACCOUNT}:policy/AmazonS3FullAccess`)),
    single("AmazonS3ReadOnlyAccess when configured as accepted", roleAttachment("s3-read", awsManaged("AmazonS3ReadOnlyAccess")), {
      [MANAGED]: { disallowedManagedPolicies: ["AmazonS3FullAccess"] },
    }),
    single("an attachment whose policy ARN is unknown in a preview", roleAttachment("preview", UNKNOWN)),
    single("a role without managed policies", resource("aws:iam/role:Role", "plain", { assumeRolePolicy: policyJson([]) })),
  ],
  notApplicable: [
    single("an SQS queue", unrelated()),
    single("a role policy (inline documents are checked by the identity-policy rules)", rolePolicyOf("role-policy", policyJson([allow("Everything", scoped("s3:*"))]))),
  ],
};

/** Family 2: wildcard grants. */
export const wildcardCases: PolicyCases[] = [
  bucketWildcardPrincipal,
  accessPointWildcardPrincipal,
  bucketWildcardActions,
  accessPointWildcardActions,
  iamWildcardActions,
  iamWildcardResources,
  managedPolicies,
];
