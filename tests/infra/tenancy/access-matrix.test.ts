import { CLAMAV_VOCABULARY, GUARDDUTY_VOCABULARY, type ScanVocabulary } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { accessPointArn, accessPointPolicy, appUserPolicy, pooledBucketTenancyStatements, type StorageLayout } from "../../../infra/tenancy/access-policies";
import { bucketPolicy } from "../../../infra/storage/bucket-policy";
import { type Decision, type IamRequest, simulate, simulateThroughAccessPoint } from "../../harness/iam";

/**
 * Least privilege, for every tier and both home-key modes: 3 tenants (one per tier) × 2 users ×
 * {GetObject, PutObject, DeleteObject, AbortMultipartUpload, ListMultipartUploadParts} on their own
 * home, another user's home and another tenant's storage, plus ListBucket with the prefix of their
 * own home, another user's, another tenant's and the root. Own-home requests are allowed; every
 * other one is denied, by the simulator evaluating the very documents the program deploys.
 */
const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/photos-dev-app-user`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-2222-4333-8444-555555555555`;

type Tier = "pooled" | "accessPoint" | "bucket";
const TENANTS: { id: string; tier: Tier }[] = [
  { id: "acme", tier: "pooled" },
  { id: "globex", tier: "accessPoint" },
  { id: "initech", tier: "bucket" },
];
const USERS = ["u1", "u2"];
const OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"];

function layoutFor(homeKey: StorageLayout["homeKey"], readGate: ScanVocabulary | undefined): StorageLayout {
  return {
    partition: "aws",
    region: REGION,
    accountId: ACCOUNT,
    pooledBucket: "photos-dev-storage-abc1234",
    accessPointPrefix: "photos-dev-",
    dedicatedBucket: { prefix: "photos-dev-t-", suffix: "-5f3a9c1d" },
    homeKey,
    ...(readGate ? { readGate } : {}),
  };
}

/** The identity a user's STS session carries, in each home-key mode. */
function homeOf(tenant: string, user: string, homeKey: StorageLayout["homeKey"]): string {
  return homeKey === "userSub" ? `sub-${tenant}-${user}` : `${REGION}:id-${tenant}-${user}`;
}

function sessionContext(tenant: string, user: string, homeKey: StorageLayout["homeKey"]): Record<string, string> {
  const home = homeOf(tenant, user, homeKey);
  return {
    "aws:PrincipalArn": ROLE_ARN,
    "aws:PrincipalTag/tenant": tenant,
    ...(homeKey === "userSub" ? { "aws:PrincipalTag/home": home } : { "cognito-identity.amazonaws.com:sub": home }),
    "aws:SecureTransport": "true",
    "aws:ResourceAccount": ACCOUNT,
  };
}

/** Where the objects of `tenant` live, as the ARNs a request names. */
function storageOf(layout: StorageLayout, tenant: { id: string; tier: Tier }) {
  const pooled = `arn:aws:s3:::${layout.pooledBucket}`;
  switch (tenant.tier) {
    case "pooled":
      return { kind: "bucket" as const, container: pooled, object: (key: string) => `${pooled}/${key}` };
    case "bucket": {
      const bucket = `arn:aws:s3:::${layout.dedicatedBucket.prefix}${tenant.id}${layout.dedicatedBucket.suffix}`;
      return { kind: "bucket" as const, container: bucket, object: (key: string) => `${bucket}/${key}` };
    }
    case "accessPoint": {
      const ap = accessPointArn(layout, `${layout.accessPointPrefix}${tenant.id}`);
      return {
        kind: "accessPoint" as const,
        container: ap,
        object: (key: string) => `${ap}/object/${key}`,
        bucketObject: (key: string) => `${pooled}/${key}`,
        bucketContainer: pooled,
      };
    }
  }
}

function policiesFor(layout: StorageLayout, sessionsIssuedBefore?: string) {
  const identity = appUserPolicy(layout, sessionsIssuedBefore === undefined ? {} : { sessionsIssuedBefore });
  const pooled = bucketPolicy({
    bucketArn: `arn:aws:s3:::${layout.pooledBucket}`,
    kmsKeyArn: KEY_ARN,
    grants: pooledBucketTenancyStatements({
      layout,
      appRoleArn: ROLE_ARN,
      accessPointTenants: TENANTS.filter((t) => t.tier === "accessPoint").map((t) => t.id),
      bucketTenants: TENANTS.filter((t) => t.tier === "bucket").map((t) => t.id),
    }),
  });
  const dedicated = (tenant: string) =>
    bucketPolicy({ bucketArn: `arn:aws:s3:::${layout.dedicatedBucket.prefix}${tenant}${layout.dedicatedBucket.suffix}`, kmsKeyArn: KEY_ARN });
  const accessPoint = (tenant: string) => accessPointPolicy({ layout, tenant, appRoleArn: ROLE_ARN });
  return { identity, pooled, dedicated, accessPoint };
}

/** Decides one request the way AWS would for where it is addressed. */
async function decide(
  layout: StorageLayout,
  target: { id: string; tier: Tier },
  request: { action: string; key?: string; prefix?: string; context: Record<string, string> },
  /** The app role's policy carries the emergency revocation of sessions issued before it. */
  sessionsIssuedBefore?: string,
): Promise<Decision> {
  const p = policiesFor(layout, sessionsIssuedBefore);
  const storage = storageOf(layout, target);
  const isList = request.action === "s3:ListBucket";
  const context = isList ? { ...request.context, "s3:prefix": request.prefix! } : request.context;
  const base: IamRequest = {
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/photos-dev-app-user/CognitoIdentityCredentials`,
    action: request.action,
    resource: isList ? storage.container : storage.object(request.key!),
    context,
  };
  if (storage.kind === "accessPoint") {
    return simulateThroughAccessPoint(
      { identityPolicies: [p.identity], accessPointPolicy: p.accessPoint(target.id), bucketPolicy: p.pooled },
      { ...base, accessPointArn: storage.container, bucketResource: isList ? storage.bucketContainer : storage.bucketObject(request.key!) },
    );
  }
  const resourcePolicy = target.tier === "bucket" ? p.dedicated(target.id) : p.pooled;
  return (await simulate({ identityPolicies: [p.identity], resourcePolicy }, base)).decision;
}

for (const homeKey of ["userSub", "identityId"] as const) {
  for (const readGate of [GUARDDUTY_VOCABULARY, CLAMAV_VOCABULARY, undefined]) {
    const profile = readGate ? `full profile, ${readGate.scanner}` : "minimal profile";
    describe(`infra/tenancy/access-policies: access matrix (homeKey ${homeKey}, ${profile})`, () => {
      const layout = layoutFor(homeKey, readGate);
      const tagKey = `s3:ExistingObjectTag/${(readGate ?? GUARDDUTY_VOCABULARY).tagKey}`;
      const clean = { [tagKey]: (readGate ?? GUARDDUTY_VOCABULARY).clean };

      for (const tenant of TENANTS) {
        for (const user of USERS) {
          const me = sessionContext(tenant.id, user, homeKey);
          const myHome = `tenants/${tenant.id}/home/${homeOf(tenant.id, user, homeKey)}/`;
          const otherUser = USERS.find((u) => u !== user)!;
          const theirHome = `tenants/${tenant.id}/home/${homeOf(tenant.id, otherUser, homeKey)}/`;

          it(`${tenant.tier} tenant ${tenant.id}, ${user}: own home allowed, another user's denied, every action`, async () => {
            const rows: string[] = [];
            for (const action of OBJECT_ACTIONS) {
              const context = action === "s3:GetObject" ? { ...me, ...clean } : me;
              rows.push(`${action} own: ${await decide(layout, tenant, { action, key: `${myHome}photo.jpg`, context })}`);
              rows.push(`${action} other user: ${await decide(layout, tenant, { action, key: `${theirHome}photo.jpg`, context })}`);
            }
            assert.deepEqual(
              rows.map((r) => r.replace(/ImplicitlyDenied|ExplicitlyDenied/, "Denied")),
              OBJECT_ACTIONS.flatMap((a) => [`${a} own: Allowed`, `${a} other user: Denied`]),
            );
          });

          it(`${tenant.tier} tenant ${tenant.id}, ${user}: denied in every other tenant's storage`, async () => {
            for (const other of TENANTS.filter((t) => t.id !== tenant.id)) {
              // The attacker names the other tenant's storage, with the other tenant's prefix or their own.
              const keys = [`tenants/${other.id}/home/${homeOf(other.id, user, homeKey)}/x`, `${myHome}x`];
              for (const action of OBJECT_ACTIONS) {
                for (const key of keys) {
                  const context = action === "s3:GetObject" ? { ...me, ...clean } : me;
                  const decision = await decide(layout, other, { action, key, context });
                  assert.notEqual(decision, "Allowed", `${action} on ${other.tier} tenant ${other.id} key ${key}`);
                }
              }
            }
          });

          it(`${tenant.tier} tenant ${tenant.id}, ${user}: lists only its own home`, async () => {
            const other = TENANTS.find((t) => t.id !== tenant.id)!;
            const cases: [string, string, Decision | "Denied"][] = [
              ["own home", myHome, "Allowed"],
              ["inside own home", `${myHome}2024/`, "Allowed"],
              ["another user's home", theirHome, "Denied"],
              ["another tenant's prefix", `tenants/${other.id}/home/${homeOf(other.id, user, homeKey)}/`, "Denied"],
              ["the tenant root", `tenants/${tenant.id}/`, "Denied"],
              ["the bucket root", "", "Denied"],
            ];
            for (const [label, prefix, expected] of cases) {
              const decision = await decide(layout, tenant, { action: "s3:ListBucket", prefix, context: me });
              assert.equal(decision === "Allowed" ? "Allowed" : "Denied", expected, `ListBucket ${label} (${prefix})`);
            }
          });
        }
      }

      it("refuses a session whose tenant or home tag would reach inside another home (red-team: tags substituted raw into ARNs)", async () => {
        const victim = `tenants/acme/home/${homeOf("acme", "u2", homeKey)}/`;
        const attacker = homeOf("acme", "u1", homeKey);
        const pooled = TENANTS[0];
        // A tenant attribute an administrator set to `acme/home/<victim>`: its home is a folder of the victim's.
        const forged = { ...sessionContext("acme", "u1", homeKey), "aws:PrincipalTag/tenant": `acme/home/${homeOf("acme", "u2", homeKey)}` };
        const inVictimsHome = `${victim}home/${attacker}/stolen.jpg`;
        const rows: string[] = [];
        for (const action of ["s3:PutObject", "s3:DeleteObject"]) {
          rows.push(`${action}: ${await decide(layout, pooled, { action, key: inVictimsHome, context: forged })}`);
        }
        rows.push(`s3:ListBucket: ${await decide(layout, pooled, { action: "s3:ListBucket", prefix: `${victim}home/${attacker}/`, context: forged })}`);
        for (const bad of ["acme*", "ac?me"]) {
          const context = { ...sessionContext("acme", "u1", homeKey), "aws:PrincipalTag/tenant": bad };
          // The key need not match: the deny covers every request of such a session.
          rows.push(`${bad}: ${await decide(layout, pooled, { action: "s3:PutObject", key: `tenants/acme/home/${attacker}/x`, context })}`);
        }
        if (homeKey === "userSub") {
          const context = { ...sessionContext("acme", "u1", homeKey), "aws:PrincipalTag/home": `${homeOf("acme", "u2", homeKey)}/x` };
          rows.push(`home tag: ${await decide(layout, pooled, { action: "s3:PutObject", key: `${victim}x/y`, context })}`);
        }
        assert.deepEqual(rows, [
          "s3:PutObject: ExplicitlyDenied",
          "s3:DeleteObject: ExplicitlyDenied",
          "s3:ListBucket: ExplicitlyDenied",
          "acme*: ExplicitlyDenied",
          "ac?me: ExplicitlyDenied",
          ...(homeKey === "userSub" ? ["home tag: ExplicitlyDenied"] : []),
        ]);
        // The same request from a well-formed session of that folder's owner is allowed: the deny is what refuses.
        assert.equal(await decide(layout, pooled, { action: "s3:PutObject", key: `${victim}x`, context: sessionContext("acme", "u2", homeKey) }), "Allowed");
      });

      if (readGate) {
        it("reads only objects the scanner tagged clean, in every tier", async () => {
          for (const tenant of TENANTS) {
            const me = sessionContext(tenant.id, "u1", homeKey);
            const key = `tenants/${tenant.id}/home/${homeOf(tenant.id, "u1", homeKey)}/new.jpg`;
            // The other scanner's clean verdict is only a tag like any other: it opens nothing.
            const other = readGate === GUARDDUTY_VOCABULARY ? CLAMAV_VOCABULARY : GUARDDUTY_VOCABULARY;
            for (const [k, tag] of [
              [tagKey, "pending"],
              [tagKey, readGate.infected],
              ...readGate.unscannable.map((u) => [tagKey, u]),
              [`s3:ExistingObjectTag/${other.tagKey}`, other.clean],
            ]) {
              const decision = await decide(layout, tenant, { action: "s3:GetObject", key, context: { ...me, [k]: tag } });
              assert.notEqual(decision, "Allowed", `${tenant.tier}: ${tag} object`);
            }
            const untagged = await decide(layout, tenant, { action: "s3:GetObject", key, context: me });
            assert.notEqual(untagged, "Allowed", `${tenant.tier}: untagged object`);
          }
        });
      }

      it("never lets users tag objects (they could mark them clean), but for the owner tag naming their own home", async () => {
        for (const tenant of TENANTS) {
          const me = sessionContext(tenant.id, "u1", homeKey);
          const home = homeOf(tenant.id, "u1", homeKey);
          const key = `tenants/${tenant.id}/home/${home}/a.jpg`;
          const tagging = (tags: Record<string, string>) => ({
            ...me,
            "s3:RequestObjectTagKeys": Object.keys(tags),
            ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`s3:RequestObjectTag/${k}`, v])),
          });
          const decideTags = (tags: Record<string, string>) => decide(layout, tenant, { action: "s3:PutObjectTagging", key, context: tagging(tags) as unknown as Record<string, string> });
          assert.notEqual(await decide(layout, tenant, { action: "s3:PutObjectTagging", key, context: me }), "Allowed", `${tenant.tier}: no tags named`);
          assert.equal(await decideTags({ owner: home }), "Allowed", `${tenant.tier}: the owner tag of its own home`);
          const forgeries: Record<string, string>[] = [{ owner: homeOf(tenant.id, "u2", homeKey) }, { owner: home, "scan-status": "clean" }, { GuardDutyMalwareScanStatus: "NO_THREATS_FOUND" }, { "scan-status": "clean" }];
          for (const forged of forgeries) {
            assert.notEqual(await decideTags(forged), "Allowed", `${tenant.tier}: ${JSON.stringify(forged)}`);
          }
        }
      });

      it("keeps access-point and bucket tenants out of the pooled bucket, whatever their own policy allows", async () => {
        for (const tenant of TENANTS.filter((t) => t.tier !== "pooled")) {
          const me = sessionContext(tenant.id, "u1", homeKey);
          const key = `tenants/${tenant.id}/home/${homeOf(tenant.id, "u1", homeKey)}/a.jpg`;
          const direct = await decide(layout, { id: tenant.id, tier: "pooled" }, { action: "s3:PutObject", key, context: me });
          assert.equal(direct, "ExplicitlyDenied", `${tenant.tier} tenant writing straight into the pool`);
          // Listings are authorised on the bucket ARN: the object-ARN guards do not reach them (the sandbox's differential table found it).
          const prefix = `tenants/${tenant.id}/home/${homeOf(tenant.id, "u1", homeKey)}/`;
          const listing = await decide(layout, { id: tenant.id, tier: "pooled" }, { action: "s3:ListBucket", prefix, context: me });
          assert.equal(listing, "ExplicitlyDenied", `${tenant.tier} tenant listing its home straight in the pool`);
        }
      });

      it("denies a session without a tenant tag everywhere", async () => {
        const { ["aws:PrincipalTag/tenant"]: _dropped, ...untagged } = sessionContext("acme", "u1", homeKey);
        for (const tenant of TENANTS) {
          const key = `tenants/${tenant.id}/home/${homeOf("acme", "u1", homeKey)}/a.jpg`;
          assert.notEqual(await decide(layout, tenant, { action: "s3:PutObject", key, context: untagged }), "Allowed", tenant.tier);
        }
      });

      it("refuses sessions issued before revokeSessionsIssuedBefore and allows those issued after, in every tier", async () => {
        const cutoff = "2026-05-01T12:00:00Z";
        const rows: string[] = [];
        for (const tenant of TENANTS) {
          const home = `tenants/${tenant.id}/home/${homeOf(tenant.id, "u1", homeKey)}/`;
          for (const [label, issued] of [["before", "2026-05-01T11:59:59Z"], ["after", "2026-05-01T12:00:01Z"]]) {
            const me = { ...sessionContext(tenant.id, "u1", homeKey), "aws:TokenIssueTime": issued };
            const get = await decide(layout, tenant, { action: "s3:GetObject", key: `${home}clean.jpg`, context: { ...me, ...clean } }, cutoff);
            const put = await decide(layout, tenant, { action: "s3:PutObject", key: `${home}new.jpg`, context: me }, cutoff);
            rows.push(`${tenant.tier} ${label}: GetObject ${get}, PutObject ${put}`);
          }
        }
        assert.deepEqual(
          rows,
          TENANTS.flatMap((t) => [
            `${t.tier} before: GetObject ExplicitlyDenied, PutObject ExplicitlyDenied`,
            `${t.tier} after: GetObject Allowed, PutObject Allowed`,
          ]),
        );
      });

      it("denies plain HTTP even for the owner, in every tier", async () => {
        for (const tenant of TENANTS) {
          const me = { ...sessionContext(tenant.id, "u1", homeKey), "aws:SecureTransport": "false" };
          const key = `tenants/${tenant.id}/home/${homeOf(tenant.id, "u1", homeKey)}/a.jpg`;
          assert.equal(await decide(layout, tenant, { action: "s3:PutObject", key, context: me }), "ExplicitlyDenied", tenant.tier);
        }
      });
    });
  }
}
