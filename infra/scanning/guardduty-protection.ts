import { TENANTS_ROOT } from "@mobile-s3/contract";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type ComponentArgs, LibraryComponent, type Transform } from "../component";
import { guardDutyRolePolicy, guardDutyTrustPolicy } from "./guardduty-policies";

export interface GuardDutyProtectedBucket {
  /** Distinguishes this bucket's plan among the component's children; stable across deploys. */
  id: string;
  bucketName: pulumi.Input<string>;
  bucketArn: pulumi.Input<string>;
  kmsKeyArn: pulumi.Input<string>;
}

export interface GuardDutyProtectionArgs extends ComponentArgs<GuardDutyProtectionTransform> {
  /**
   * The data buckets to protect, one Malware Protection plan each. Each bucket's key policy must
   * also name `roleArn` (`malwareScannerKeyGrant`), since the keys do not delegate to IAM.
   * @default (required)
   */
  buckets: GuardDutyProtectedBucket[];
  /**
   * The buckets as the role's policy names them: their ARNs, or name patterns covering several (the
   * stack's dedicated buckets), so the policy keeps one size however many tenants have a bucket.
   * @default each bucket's ARN
   * @example ["arn:aws:s3:::photos-prod-storage-0123abc", "arn:aws:s3:::photos-prod-t-*-5f3a9c1d"]
   */
  policyBucketArns?: pulumi.Input<string[]>;
  /**
   * Only new objects under this prefix are scanned (the scanner's quarantine copies are not).
   * @default "tenants/"
   */
  keyPrefix?: string;
}

/** One `Transform` per child of `GuardDutyProtection`: plans are named `<name>-<bucket id>`. */
export interface GuardDutyProtectionTransform {
  role?: Transform<aws.iam.RoleArgs>;
  rolePolicy?: Transform<aws.iam.RolePolicyArgs>;
  plan?: Transform<aws.guardduty.MalwareProtectionPlanArgs>;
}

/**
 * Amazon GuardDuty Malware Protection for S3 on every data bucket: a plan per bucket scanning new
 * objects under `tenants/` with tagging on, so GuardDuty writes `GuardDutyMalwareScanStatus` on each
 * scanned version and every read gate keys on `NO_THREATS_FOUND`; and the one role the plans use,
 * with exactly the documented permissions on these buckets and their keys. Works without a GuardDuty
 * detector (findings are then not generated; scan results still reach EventBridge).
 */
export class GuardDutyProtection extends LibraryComponent {
  /** The plans' role; name it in each bucket key's policy. */
  readonly roleArn: pulumi.Output<string>;
  readonly planArns: pulumi.Output<string>[];
  readonly role: aws.iam.Role;
  readonly plans: aws.guardduty.MalwareProtectionPlan[];

  constructor(name: string, args: GuardDutyProtectionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mobile-s3:scanning:GuardDutyProtection", name, args.tags ?? {}, opts);
    const t = args.transform ?? {};
    const keyPrefix = args.keyPrefix ?? TENANTS_ROOT;
    if (args.buckets.length === 0) {
      throw new Error("[buckets] must name at least one bucket to protect");
    }
    const ids = args.buckets.map((b) => b.id);
    if (new Set(ids).size !== ids.length) {
      throw new Error(`[buckets] ids must be unique, got ${ids.join(", ")}`);
    }
    const parent = { parent: this };
    const account = aws.getCallerIdentityOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);

    const role = this.child(
      aws.iam.Role,
      name,
      { description: `Role of the GuardDuty Malware Protection plans of ${name}`, assumeRolePolicy: JSON.stringify(guardDutyTrustPolicy()) },
      t.role,
    );
    const policy = this.child(
      aws.iam.RolePolicy,
      name,
      {
        role: role.id,
        policy: pulumi
          .all([
            partition.partition,
            region.region,
            account.accountId,
            args.policyBucketArns ?? pulumi.all(args.buckets.map((b) => b.bucketArn)),
            pulumi.all(args.buckets.map((b) => b.kmsKeyArn)),
          ])
          .apply(([p, r, accountId, bucketArns, kmsKeyArns]) =>
            JSON.stringify(guardDutyRolePolicy({ partition: p, region: r, accountId, keyPrefix, bucketArns, kmsKeyArns })),
          ),
      },
      t.rolePolicy,
    );
    const plans = args.buckets.map((b) =>
      this.child(
        aws.guardduty.MalwareProtectionPlan,
        `${name}-${b.id}`,
        {
          role: role.arn,
          protectedResource: { s3Bucket: { bucketName: b.bucketName, objectPrefixes: [keyPrefix] } },
          actions: [{ taggings: [{ status: "ENABLED" }] }],
        },
        t.plan,
        // GuardDuty validates the role when the plan is created: its permissions must be in place.
        { dependsOn: [policy] },
      ),
    );

    this.role = role;
    this.plans = plans;
    this.roleArn = role.arn;
    this.planArns = plans.map((p) => p.arn);
    this.registerOutputs({ roleArn: this.roleArn, planArns: this.planArns });
  }
}
