import * as assert from "node:assert/strict";
import { AbortMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { combine, decide, type Decision } from "../../../sandbox/iam-gateway/evaluate";
import { roleArnOfSession } from "../../../sandbox/iam-gateway/principals";
import { ACCOUNT, APP_ROLE, FUNCTIONS, type GatewayWorld, homeOf, startWorld, statusOf, subOf, TENANTS, USERS } from "./fixture";

type Action = "GetObject" | "PutObject" | "DeleteObject" | "AbortMultipartUpload" | "ListMultipartUploadParts" | "ListBucket";
interface Row {
  who: string;
  principal: string;
  identityPolicy: unknown;
  session: Record<string, string>;
  client: S3Client;
  storage: string;
  action: Action;
  key: string;
  /** The design's verdict for app users (Least privilege, docs/ARCHITECTURE.md), when the row has one. */
  expected?: "Allowed" | "Denied";
}

/**
 * The differential table: every row decided (a) by the simulator directly, from policies and a
 * context written out here, and (b) by a real request through the gateway to the engine (2xx or a
 * 404 from the engine = allowed, 403 = denied). Zero disagreements allowed.
 */
describe("sandbox/iam-gateway: differential table (simulator vs gateway)", function () {
  this.timeout(90_000);
  let world: GatewayWorld;
  const rows: Row[] = [];

  before(async () => {
    world = await startWorld();
    const keyKinds = (tenant: string, user: string, storageTenant: string) => {
      const other = USERS.find((u) => u !== user)!;
      const otherTenant = TENANTS.find((t) => t.id !== tenant && t.id !== storageTenant)?.id ?? TENANTS.find((t) => t.id !== tenant)!.id;
      return {
        "own home": homeOf(tenant, user),
        "other user's home": homeOf(tenant, other),
        "other tenant": homeOf(otherTenant, user),
        "storage tenant's user": homeOf(storageTenant, "u1"),
        "tenant root": `tenants/${tenant}/`,
        quarantine: "quarantine/",
      };
    };
    const addRows = (who: string, principal: string, identityPolicy: unknown, session: Record<string, string>, client: S3Client, ownTenant: string, user: string, designed: boolean) => {
      for (const storage of TENANTS) {
        const kinds = keyKinds(ownTenant, user, storage.id);
        const seen = new Set<string>();
        for (const [kind, prefix] of Object.entries(kinds)) {
          if (seen.has(prefix)) {
            continue;
          }
          seen.add(prefix);
          const expectedFor = (own: boolean): "Allowed" | "Denied" | undefined => (designed ? (own ? "Allowed" : "Denied") : undefined);
          const own = kind === "own home" && storage.id === ownTenant;
          for (const action of ["GetObject", "PutObject", "DeleteObject", "AbortMultipartUpload", "ListMultipartUploadParts"] as Action[]) {
            rows.push({ who, principal, identityPolicy, session, client, storage: storage.id, action, key: `${prefix}${action === "GetObject" ? "photo.jpg" : `${action}-${rows.length}.bin`}`, expected: expectedFor(own) });
          }
          rows.push({ who, principal, identityPolicy, session, client, storage: storage.id, action: "ListBucket", key: prefix, expected: expectedFor(own) });
        }
        rows.push({ who, principal, identityPolicy, session, client, storage: storage.id, action: "ListBucket", key: "", expected: designed ? "Denied" : undefined });
      }
    };
    for (const tenant of TENANTS) {
      for (const user of USERS) {
        const client = world.client(world.userCredentials(tenant.id, user));
        const session = { "aws:PrincipalTag/tenant": tenant.id, "aws:PrincipalTag/home": subOf(tenant.id, user) };
        addRows(`${tenant.tier}:${tenant.id}/${user}`, `arn:aws:sts::${ACCOUNT}:assumed-role/${APP_ROLE}/CognitoIdentityCredentials`, world.policies.app, session, client, tenant.id, user, true);
      }
    }
    for (const fn of FUNCTIONS) {
      addRows(`fn:${fn}`, world.roles[fn].principalArn, world.policies.functions[fn], {}, world.client(world.roles[fn]), "acme", "u1", false);
    }
    // Every GetObject target exists, tagged clean, so the read gate passes where the policy allows.
    const seeded = new Set<string>();
    for (const row of rows.filter((r) => r.action === "GetObject")) {
      const bucket = row.storage === "initech" ? world.dedicated : world.pooled;
      if (!seeded.has(`${bucket}/${row.key}`)) {
        seeded.add(`${bucket}/${row.key}`);
        await world.admin.send(new PutObjectCommand({ Bucket: bucket, Key: row.key, Body: "seed", Tagging: "scan-status=clean" }));
      }
    }
  });
  after(() => world?.close());

  /** (a) The simulator, from a hand-written authorization. */
  async function simulated(row: Row): Promise<Decision> {
    const target = world.storageOf(row.storage);
    const list = row.action === "ListBucket";
    const context: Record<string, string | string[]> = {
      ...row.session,
      ...(row.principal.includes(APP_ROLE) ? { "cognito-identity.amazonaws.com:sub": "unused" } : {}),
      "aws:SecureTransport": "true",
      "s3:TlsVersion": "1.3",
      "aws:PrincipalArn": roleArnOfSession(row.principal),
      "aws:ResourceAccount": ACCOUNT,
      ...(list ? { "s3:prefix": row.key } : {}),
      ...(row.action === "GetObject" ? { "s3:ExistingObjectTag/scan-status": "clean" } : {}),
    };
    const action = `s3:${row.action}`;
    const bucketArn = `arn:aws:s3:::${row.storage === "initech" ? world.dedicated : world.pooled}`;
    const bucketPolicy = row.storage === "initech" ? world.policies.dedicated : world.policies.pooled;
    const base = { principal: row.principal, action, resourceAccount: ACCOUNT };
    if (target.kind === "bucket") {
      return decide({ identityPolicies: [row.identityPolicy], resourcePolicy: bucketPolicy }, { ...base, resource: list ? bucketArn : `${bucketArn}/${row.key}`, context });
    }
    const apKeys = { "s3:DataAccessPointArn": target.arn, "s3:DataAccessPointAccount": ACCOUNT };
    return combine([
      await decide({ identityPolicies: [row.identityPolicy], resourcePolicy: world.policies.accessPoint }, { ...base, resource: list ? target.arn : `${target.arn}/object/${row.key}`, context: { ...context, ...apKeys } }),
      await decide({ identityPolicies: [], resourcePolicy: bucketPolicy }, { ...base, resource: list ? bucketArn : `${bucketArn}/${row.key}`, context, droppedBySimulator: apKeys }),
    ]);
  }

  /** (b) A real request through the gateway. */
  async function throughGateway(row: Row): Promise<"Allowed" | "Denied" | string> {
    const Bucket = world.storageOf(row.storage).bucket;
    const Key = row.key;
    const fakeUpload = "2~iamgwnotanupload";
    const send = {
      GetObject: () => row.client.send(new GetObjectCommand({ Bucket, Key })).then((o) => o.Body?.transformToString()),
      PutObject: () => row.client.send(new PutObjectCommand({ Bucket, Key, Body: "x" })),
      DeleteObject: () => row.client.send(new DeleteObjectCommand({ Bucket, Key })),
      AbortMultipartUpload: () => row.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: fakeUpload })),
      ListMultipartUploadParts: () => row.client.send(new ListPartsCommand({ Bucket, Key, UploadId: fakeUpload })),
      ListBucket: () => row.client.send(new ListObjectsV2Command({ Bucket, Prefix: Key, MaxKeys: 1 })),
    }[row.action];
    const status = await statusOf(send());
    return status === 200 || status === 204 || status === 404 ? "Allowed" : status === 403 ? "Denied" : `HTTP ${status}`;
  }

  it("agrees on every row", async () => {
    const disagreements: string[] = [];
    const designMisses: string[] = [];
    let allowed = 0;
    const queue = [...rows];
    const worker = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const sim = (await simulated(row)) === "Allowed" ? "Allowed" : "Denied";
        const real = await throughGateway(row);
        const line = `${row.who} ${row.action} in ${row.storage}: ${row.key || "(root)"} — simulator ${sim}, gateway ${real}`;
        if (sim !== real) {
          disagreements.push(line);
        }
        // This table found a gap (now closed by the pool's *ListOnlyThroughTheirAccessPoint and
        // *ListNothingInThePool denies): access-point and bucket tenants could list their home in the pool directly.
        if (row.expected !== undefined && row.expected !== sim) {
          designMisses.push(line);
        }
        allowed += sim === "Allowed" ? 1 : 0;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    process.stdout.write(`      differential table: ${rows.length} rows (${allowed} allowed, ${rows.length - allowed} denied), ${disagreements.length} disagreements\n`);
    assert.deepEqual(disagreements, []);
    assert.deepEqual(designMisses, [], "app users: own home allowed, everything else denied");
    assert.ok(rows.length >= 150, `${rows.length} rows`);
  });
});
