import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type ComponentArgs, LibraryComponent, type Transforms } from "../component";
import { tableKeyPolicy } from "../kms/key-policy";
import { indexTableSchema } from "./table-schema";

export interface ObjectIndexTableArgs extends ComponentArgs<ObjectIndexTableTransform> {
  /**
   * Roles that read and write the index (the control plane's `indexKeyUserArns`). They may use the
   * table's key through DynamoDB only; they still need DynamoDB permissions on the table in their
   * own policies.
   * @default [] (nobody reads the table until a role is named here)
   * @example controlPlane.indexKeyUserArns
   */
  keyUserArns?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Let `pulumi destroy` delete the table and its key: deletion protection off, nothing kept. For
   * throwaway stacks only; the index is rebuilt from the buckets by the indexer's reconciliation,
   * but the reservations of uploads in progress are not.
   * @default false (deletion protection on; the table and its key are kept on destroy)
   */
  forceDestroy?: boolean;
  /**
   * Days of continuous backups point-in-time recovery keeps (DynamoDB allows 1 to 35).
   * @default 35
   */
  recoveryPeriodDays?: number;
}

/** One `Transform` per child of `ObjectIndexTable`. */
export type ObjectIndexTableTransform = Transforms<{ key: aws.kms.KeyArgs; table: aws.dynamodb.TableArgs }>;

/** What point-in-time recovery keeps at most, and its default ("PointInTimeRecoverySpecification", DynamoDB API Reference: 1 to 35 days). */
const MAX_RECOVERY_PERIOD_DAYS = 35;

function assertRecoveryPeriod(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_RECOVERY_PERIOD_DAYS) {
    throw new Error(`[recoveryPeriodDays] must be an integer from 1 to ${MAX_RECOVERY_PERIOD_DAYS}, got ${days}`);
  }
  return days;
}

/**
 * The object index: one DynamoDB table per stack (contract/object-index.ts), which the indexer keeps
 * true to the buckets and the API reads instead of listing S3. On demand (no capacity to plan),
 * point-in-time recovery on, encrypted with its own customer managed key (rotation on) whose policy
 * lets only the named roles use it, through DynamoDB (Customer-managed encryption), and, outside
 * throwaway stacks, deletion protection on and kept by `pulumi destroy`.
 */
export class ObjectIndexTable extends LibraryComponent {
  readonly tableName: pulumi.Output<string>;
  readonly tableArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly table: aws.dynamodb.Table;
  readonly key: aws.kms.Key;

  constructor(name: string, args: ObjectIndexTableArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const recoveryPeriodInDays = assertRecoveryPeriod(args.recoveryPeriodDays ?? MAX_RECOVERY_PERIOD_DAYS);
    super("mobile-s3:object-index:ObjectIndexTable", name, args.tags, opts);
    const t = args.transform ?? {};
    const parent = { parent: this };
    const forceDestroy = args.forceDestroy ?? false;
    // Deletion protection would fail a destroy half-way, as Cognito's does for the user pool: the
    // table is kept out of the destroy instead, and so is its key, without which it is unreadable.
    const keep = { retainOnDelete: !forceDestroy };

    const account = aws.getCallerIdentityOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);
    const policy = pulumi
      .all([partition.partition, account.accountId, region.region, args.keyUserArns ?? []])
      .apply(([p, accountId, r, keyUserArns]) => JSON.stringify(tableKeyPolicy({ partition: p, accountId, region: r, keyUserArns })));
    this.key = this.child(
      aws.kms.Key,
      `${name}-key`,
      { description: `Encrypts the ${name} object index table`, enableKeyRotation: true, deletionWindowInDays: 30, policy },
      t.key,
      keep,
    );

    this.table = this.child(
      aws.dynamodb.Table,
      name,
      {
        ...indexTableSchema(),
        billingMode: "PAY_PER_REQUEST",
        pointInTimeRecovery: { enabled: true, recoveryPeriodInDays },
        // `enabled` with a `kmsKeyArn`: this key. `enabled` alone would be the AWS managed key
        // aws/dynamodb, and `enabled: false` the AWS owned key (the provider's TableServerSideEncryption).
        serverSideEncryption: { enabled: true, kmsKeyArn: this.key.arn },
        deletionProtectionEnabled: !forceDestroy,
      },
      t.table,
      keep,
    );

    this.tableName = this.table.name;
    this.tableArn = this.table.arn;
    this.kmsKeyArn = this.key.arn;
    this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn, kmsKeyArn: this.kmsKeyArn });
  }
}
