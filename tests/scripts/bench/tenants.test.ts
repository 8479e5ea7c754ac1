import { type Tier } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";
import { type Profile } from "../../../infra/config";
import { capacity, cloudResources, planTier, quotaRefusal, resourcesPerTenant, tenantEntries } from "../../../scripts/bench/tenants";

/** A stand-in for the program's quotas: each profile accepts up to a number of tenants per tier. */
function refusalUpTo(limits: Partial<Record<`${Tier}/${Profile}`, number>>) {
  const calls: string[] = [];
  const refusal = (tier: Tier, n: number, profile: Profile) => {
    calls.push(`${tier}/${profile}/${n}`);
    const limit = limits[`${tier}/${profile}`] ?? Infinity;
    return n > limit ? `[mobile-s3:tenants] ${n} ${tier} tenants is over ${limit} in ${profile}` : undefined;
  };
  return Object.assign(refusal, { calls });
}

describe("scripts/bench/tenants", () => {
  it("lists n tenants of a tier as the tenants config takes them", () => {
    assert.deepEqual(tenantEntries("pooled", 2), ["t1", "t2"]);
    assert.deepEqual(tenantEntries("accessPoint", 2), ["t1:accessPoint", "t2:accessPoint"]);
    assert.deepEqual(tenantEntries("bucket", 1), ["t1:bucket"]);
  });

  describe("capacity (the most tenants the quotas accept)", () => {
    it("is the asked number when it is accepted, asking once", () => {
      const refusal = refusalUpTo({});
      assert.deepEqual(capacity("pooled", "full", 1000, refusal), { tenants: 1000 });
      assert.equal(refusal.calls.length, 1);
    });

    for (const limit of [0, 1, 24, 250, 999]) {
      it(`finds a quota at ${limit} by bisection, with the refusal of one more`, () => {
        const refusal = refusalUpTo({ "bucket/full": limit });
        const cap = capacity("bucket", "full", 1000, refusal);
        assert.equal(cap.tenants, limit);
        assert.equal(cap.refusal, `[mobile-s3:tenants] ${limit + 1} bucket tenants is over ${limit} in full`);
        assert.ok(refusal.calls.length <= 12, `${refusal.calls.length} quota checks`);
      });
    }
  });

  describe("planTier", () => {
    it("measures in the full profile when it accepts every asked size", () => {
      assert.deepEqual(planTier("pooled", [1, 100, 1000], refusalUpTo({})), { tier: "pooled", profile: "full", sizes: [1, 100, 1000] });
    });

    it("moves to the profile that accepts more, capping the sizes there and saying why", () => {
      const plan = planTier("bucket", [1, 100, 1000], refusalUpTo({ "bucket/full": 24, "bucket/minimal": 250 }));
      assert.deepEqual(plan, {
        tier: "bucket",
        profile: "minimal",
        sizes: [1, 100, 250],
        refusal: "[mobile-s3:tenants] 251 bucket tenants is over 250 in minimal",
      });
    });

    it("stays in the full profile when the other accepts no more, or only a few more", () => {
      for (const minimal of [276, 282, 551]) {
        const plan = planTier("accessPoint", [1, 100, 1000], refusalUpTo({ "accessPoint/full": 276, "accessPoint/minimal": minimal }));
        assert.equal(plan.profile, "full", `minimal accepting ${minimal}`);
        assert.deepEqual(plan.sizes, [1, 100, 276]);
      }
    });

    it("moves when the full profile accepts not even one, and the other does", () => {
      assert.equal(planTier("bucket", [1, 100], refusalUpTo({ "bucket/full": 0, "bucket/minimal": 3 })).profile, "minimal");
    });

    it("merges sizes that the cap makes equal, and always measures one tenant", () => {
      assert.deepEqual(planTier("bucket", [100, 1000], refusalUpTo({ "bucket/full": 50, "bucket/minimal": 50 })).sizes, [1, 50]);
    });

    it("fails, naming the tier, when not even one tenant is accepted", () => {
      assert.throws(() => planTier("bucket", [1, 100], refusalUpTo({ "bucket/full": 0, "bucket/minimal": 0 })), /no profile accepts a single bucket tenant/);
    });
  });

  describe("quotaRefusal (the program's own checks)", function () {
    this.timeout(30_000);
    it("accepts 24 bucket tenants in the full profile and refuses the 25th, naming the key and CloudFront's limit", () => {
      assert.equal(quotaRefusal("bucket", 24, "full"), undefined);
      assert.match(quotaRefusal("bucket", 25, "full")!, /^\[mobile-s3:tenants\] 25 bucket-tier tenants need 26 CloudFront origins/);
    });

    it("accepts 1,000 pooled tenants", () => {
      assert.equal(quotaRefusal("pooled", 1000, "full"), undefined);
    });
  });

  it("counts cloud resources: custom ones, not the stack, components or providers", () => {
    const r = (type: string, custom: boolean) => ({ type, custom }) as { type: string; custom: boolean } as never;
    const run = {
      resources: [
        r("pulumi:pulumi:Stack", false),
        r("mobile-s3:storage:HardenedBucket", false),
        r("pulumi:providers:aws", true),
        r("aws:s3/bucket:Bucket", true),
        r("aws:s3/bucketPolicy:BucketPolicy", true),
      ],
    };
    assert.equal(cloudResources(run), 2);
  });

  it("divides what N tenants add over one tenant by N − 1", () => {
    assert.equal(resourcesPerTenant(107, 107 + 9 * 23, 24), 9);
    assert.equal(resourcesPerTenant(98, 98, 1000), 0);
    assert.throws(() => resourcesPerTenant(1, 1, 1), /needs more than one tenant/);
  });
});
