import { CLAMAV_ENV, FRESHCLAM_TIMEOUT_MS } from "@mobile-s3/contract";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { bundleHandler, FUNCTIONS_DIR } from "../api/bundle";
import { type FunctionImage } from "../api/control-plane";
import { lambdaTrustPolicy } from "../api/function-policies";
import { type ComponentArgs, LibraryComponent, type Transforms } from "../component";
import { HardenedBucket, type HardenedBucketTransform } from "../storage/hardened-bucket";
import { type LifecycleSettings } from "../storage/lifecycle";
import { definitionsReadStatements, definitionsUpdaterPolicy } from "./clamav-policies";

/** The Dockerfile the image is built from (its header says what the context holds). */
export const CLAMAV_DOCKERFILE = path.join(FUNCTIONS_DIR, "scan", "Dockerfile");

/** The bundles in the image, by the file name the Dockerfile copies and the handler it exports. */
const IMAGE_BUNDLES = [
  { file: "scan.js", folder: "scan", entry: "handler.ts" },
  { file: "proxy.js", folder: "proxy", entry: "handler.ts" },
  { file: "definitions.js", folder: "scan", entry: "definitions-handler.ts" },
] as const;

/**
 * The signature database in /tmp: the public ClamAV databases are about 400 MB on disk, and a
 * refresh stages a new daily beside the old one. Lambda's default of 512 MB is too little.
 */
export const CLAMAV_EPHEMERAL_STORAGE_MB = 2048;
/** freshclam tests every new database by loading it (`TestDatabases yes`): a gigabyte and more. */
export const DEFINITIONS_UPDATER_MEMORY_MB = 3008;
/** freshclam's own limit plus the uploads. */
export const DEFINITIONS_UPDATER_TIMEOUT_S = Math.ceil(FRESHCLAM_TIMEOUT_MS / 1000) + 120;

export interface ImageContext {
  /** A directory holding the Dockerfile and the three bundles. */
  dir: string;
  /** SHA-256 of everything in it: the image's tag, so an unchanged image is never rebuilt or pushed. */
  contentHash: string;
}

/**
 * Writes the image's build context: the Dockerfile and the bundles of the scan, proxy and
 * definitions handlers, built as the zip functions are (infra/api/bundle.ts, deterministic). The
 * directory is named by the content hash, so the same sources always give the same context.
 */
export function writeImageContext(parentDir: string = os.tmpdir(), functionsDir: string = FUNCTIONS_DIR): ImageContext {
  const files = new Map<string, string>([["Dockerfile", readFileSync(path.join(functionsDir, "scan", "Dockerfile"), "utf8")]]);
  for (const bundle of IMAGE_BUNDLES) {
    files.set(bundle.file, bundleHandler(bundle.folder, functionsDir, bundle.entry));
  }
  const hash = createHash("sha256");
  for (const [name, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`${name}\0${text}\0`);
  }
  const contentHash = hash.digest("hex");
  const dir = path.join(parentDir, `mobile-s3-clamav-${contentHash.slice(0, 16)}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of files) {
    writeFileSync(path.join(dir, name), text);
  }
  return { dir, contentHash };
}

export interface ClamAvImageArgs extends ComponentArgs<ClamAvImageTransform> {
  /** Lifecycle of the definitions bucket (old signature versions expire like any object version). */
  lifecycle: LifecycleSettings;
  /**
   * Roles of the functions that scan (scan, proxy): they may decrypt the definitions with its key.
   * They are created after the images (ControlPlane), so a deferred output is expected here.
   */
  scannerRoleArns: pulumi.Input<string[]>;
  /**
   * How often the updater runs freshclam (an EventBridge schedule expression). ClamAV publishes
   * daily updates several times a day and asks mirrors not to poll more often than hourly.
   * @default "rate(3 hours)"
   */
  updateSchedule?: string;
  /**
   * freshclam's mirror: `privateMirrors` (URLs of a mirror you run, e.g. with cvdupdate) replace
   * `databaseMirror`.
   * @default { databaseMirror: "database.clamav.net" }
   */
  mirror?: { databaseMirror?: string; privateMirrors?: string[] };
  /**
   * The image's base (Amazon Linux 2023 with Node.js 22 and Lambda's runtime interface client).
   * Pin a digest (`public.ecr.aws/lambda/nodejs:22@sha256:…`) for reproducible builds.
   * @default "public.ecr.aws/lambda/nodejs:22"
   */
  baseImage?: string;
  /** Days CloudWatch Logs keeps the updater's logs (a period CloudWatch accepts). Required. */
  logRetentionDays: number;
  /** Let `pulumi destroy` delete the repository and the definitions bucket while they hold data. @default false */
  forceDestroy?: boolean;
  /** Writes the build context; the tests give a temporary directory. @default os.tmpdir() */
  contextParentDir?: string;
  /**
   * The folder holding `scan/Dockerfile`, `scan/handler.ts`, `scan/definitions-handler.ts` and
   * `proxy/handler.ts`, bundled into the image.
   * @default this package's `functions/`
   */
  functionsDir?: string;
}

/** One `Transform` per child of `ClamAvImage`. */
export type ClamAvImageTransform = Transforms<{
  repository: aws.ecr.RepositoryArgs; repositoryLifecycle: aws.ecr.LifecyclePolicyArgs; image: dockerbuild.ImageArgs;
  updaterRole: aws.iam.RoleArgs; updaterLogGroup: aws.cloudwatch.LogGroupArgs; updaterPolicy: aws.iam.RolePolicyArgs;
  updater: aws.lambda.FunctionArgs; schedule: aws.cloudwatch.EventRuleArgs; schedulePermission: aws.lambda.PermissionArgs;
  scheduleTarget: aws.cloudwatch.EventTargetArgs; firstUpdate: aws.lambda.InvocationArgs;
}> & {
  definitionsBucket?: HardenedBucketTransform;
};

/**
 * The self-hosted scanner's moving parts (`scanner: clamav`): one container image, built by Pulumi
 * from functions/scan/Dockerfile for arm64 and pushed to a private ECR repository; the definitions
 * bucket the updater publishes ClamAV's signatures to; the updater function (the same image, command
 * `definitions.handler`), run on a schedule and once at every deploy of a new image, so the scanners
 * find definitions at their first scan. `images` is what ControlPlane runs the scan and proxy
 * functions from: a warm clamd per execution environment fed from the bucket (functions/scan/clamav.ts).
 *
 * Building needs Docker with buildx on the machine running `pulumi up`, and
 * `BUILDX_NO_DEFAULT_ATTESTATIONS=1` (Lambda refuses image indexes with attestations: docs/deploying.md).
 */
export class ClamAvImage extends LibraryComponent {
  readonly images: { scan: FunctionImage; proxy: FunctionImage };
  /** `<repository>@sha256:<digest>` */
  readonly imageUri: pulumi.Output<string>;
  readonly repositoryUrl: pulumi.Output<string>;
  readonly definitionsBucketName: pulumi.Output<string>;
  readonly updaterFunctionName: pulumi.Output<string>;
  readonly repository: aws.ecr.Repository;
  readonly image: dockerbuild.Image;
  readonly definitionsBucket: HardenedBucket;
  readonly updater: aws.lambda.Function;

  constructor(name: string, args: ClamAvImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mobile-s3:scanning:ClamAvImage", name, args.tags, opts);
    const t = args.transform ?? {};
    const parent = { parent: this };
    const schedule = args.updateSchedule ?? "rate(3 hours)";
    if (!/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/.test(schedule)) {
      throw new Error(`[updateSchedule] must be an EventBridge schedule expression such as "rate(3 hours)", got "${schedule}"`);
    }

    this.repository = this.child(
      aws.ecr.Repository,
      name,
      {
        // Tags are content hashes: a tag never moves, so what a function runs is what was scanned.
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS" }],
        forceDelete: args.forceDestroy ?? false,
      },
      t.repository,
    );
    this.child(
      aws.ecr.LifecyclePolicy,
      name,
      {
        repository: this.repository.name,
        policy: JSON.stringify({
          rules: [{ rulePriority: 1, description: "Keep the last 10 images", selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 }, action: { type: "expire" } }],
        }),
      },
      t.repositoryLifecycle,
    );

    const context = writeImageContext(args.contextParentDir, args.functionsDir);
    const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: this.repository.registryId }, parent);
    this.image = this.child(
      dockerbuild.Image,
      name,
      {
        context: { location: context.dir },
        dockerfile: { location: path.join(context.dir, "Dockerfile") },
        buildArgs: { BASE_IMAGE: args.baseImage ?? "public.ecr.aws/lambda/nodejs:22" },
        // The functions run on Graviton (`architectures: ["arm64"]`).
        platforms: ["linux/arm64"],
        push: true,
        tags: [pulumi.interpolate`${this.repository.repositoryUrl}:${context.contentHash.slice(0, 32)}`],
        registries: [{ address: this.repository.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) }],
      },
      t.image,
    );
    this.imageUri = pulumi.interpolate`${this.repository.repositoryUrl}@${this.image.digest}`;
    this.repositoryUrl = this.repository.repositoryUrl;

    const definitions = new HardenedBucket(
      `${name}-defs`,
      { lifecycle: args.lifecycle, keyUserArns: args.scannerRoleArns, forceDestroy: args.forceDestroy, tags: args.tags, transform: t.definitionsBucket },
      parent,
    );
    this.definitionsBucketName = definitions.bucketName;

    const environment = pulumi.output({ [CLAMAV_ENV.definitionsBucket]: definitions.bucketName });
    const scannerImage = (command: string): FunctionImage => ({
      imageUri: this.imageUri,
      command: [command],
      environment,
      policyStatements: definitions.bucketArn.apply(definitionsReadStatements),
      ephemeralStorageMb: CLAMAV_EPHEMERAL_STORAGE_MB,
    });
    this.images = { scan: scannerImage("scan.handler"), proxy: scannerImage("proxy.handler") };

    const account = aws.getCallerIdentityOutput({}, parent);
    const role = this.child(
      aws.iam.Role,
      `${name}-updater`,
      {
        description: `Execution role of the ClamAV definitions updater of ${name}`,
        assumeRolePolicy: account.accountId.apply((id) => JSON.stringify(lambdaTrustPolicy(id))),
      },
      t.updaterRole,
    );
    const logGroup = this.child(aws.cloudwatch.LogGroup, `${name}-updater`, { retentionInDays: args.logRetentionDays }, t.updaterLogGroup);
    const policy = this.child(
      aws.iam.RolePolicy,
      `${name}-updater`,
      {
        role: role.id,
        policy: pulumi
          .all([definitions.bucketArn, logGroup.arn])
          .apply(([bucketArn, logGroupArn]) => JSON.stringify(definitionsUpdaterPolicy({ bucketArn, logGroupArn }))),
      },
      t.updaterPolicy,
    );
    const mirror = args.mirror ?? {};
    this.updater = this.child(
      aws.lambda.Function,
      `${name}-updater`,
      {
        description: `ClamAV definitions updater of ${name} (freshclam into the definitions bucket)`,
        packageType: "Image",
        imageUri: this.imageUri,
        imageConfig: { commands: ["definitions.handler"] },
        architectures: ["arm64"],
        role: role.arn,
        memorySize: DEFINITIONS_UPDATER_MEMORY_MB,
        timeout: DEFINITIONS_UPDATER_TIMEOUT_S,
        ephemeralStorage: { size: CLAMAV_EPHEMERAL_STORAGE_MB },
        // One update at a time: two freshclams would race on the manifest.
        reservedConcurrentExecutions: 1,
        environment: {
          variables: {
            [CLAMAV_ENV.definitionsBucket]: definitions.bucketName,
            ...(mirror.databaseMirror ? { [CLAMAV_ENV.databaseMirror]: mirror.databaseMirror } : {}),
            ...(mirror.privateMirrors?.length ? { [CLAMAV_ENV.privateMirrors]: mirror.privateMirrors.join(",") } : {}),
          },
        },
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      },
      t.updater,
      { dependsOn: [policy, logGroup] },
    );
    this.updaterFunctionName = this.updater.name;

    const rule = this.child(
      aws.cloudwatch.EventRule,
      `${name}-updater`,
      { description: "Runs the ClamAV definitions updater", scheduleExpression: schedule },
      t.schedule,
    );
    const permission = this.child(
      aws.lambda.Permission,
      `${name}-updater`,
      { action: "lambda:InvokeFunction", function: this.updater.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
      t.schedulePermission,
    );
    this.child(
      aws.cloudwatch.EventTarget,
      `${name}-updater`,
      { rule: rule.name, arn: this.updater.arn, retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } },
      t.scheduleTarget,
      { dependsOn: [permission] },
    );
    // Definitions exist before the first object is scanned: the deploy runs the updater once per image.
    this.child(
      aws.lambda.Invocation,
      `${name}-first-update`,
      { functionName: this.updater.name, input: JSON.stringify({ source: "mobile-s3.deploy" }), triggers: { image: this.imageUri } },
      t.firstUpdate,
    );
    this.definitionsBucket = definitions;

    this.registerOutputs({
      imageUri: this.imageUri,
      repositoryUrl: this.repositoryUrl,
      definitionsBucketName: this.definitionsBucketName,
      updaterFunctionName: this.updaterFunctionName,
    });
  }
}
