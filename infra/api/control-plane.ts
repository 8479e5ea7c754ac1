import { API_FUNCTIONS, type ApiFunctionName, FUNCTION_NAMES, type FunctionName, LOG_LEVELS, type LogLevel, ROUTES, type ScanVocabulary } from "@mobile-s3/contract";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assertLogRetentionDays } from "../cdn/access-logs";
import { type ComponentArgs, LibraryComponent, type Transforms } from "../component";
import { AUTONAME_SUFFIX_LENGTH, NAME_CHARSETS, physicalName } from "../naming";
import { handlerArchive } from "./bundle";
import { type PolicyStatement } from "../iam/policy-document";
import { functionSizing, NEW_ACCOUNT_MAX_MEMORY_MB, SCAN_MEMORY_BOUNDS } from "./catalog";
import { apiCorsConfiguration } from "./cors";
import { functionEnvironment, type UserSettings } from "./function-environment";
import { functionPolicy, INDEX_FUNCTIONS, lambdaTrustPolicy, REVOCATION_ONLY_FUNCTIONS } from "./function-policies";
import { type ControlPlaneLimits, DEFAULT_THROTTLING, type Throttling, validateLimits, validateThrottling } from "./limits";
import { accessLogFormat } from "./access-log";
import { routeSlug, routeSourceArn } from "./routes";

/** One place user objects live: a bucket, optionally reached through a tenant's access point. */
export interface StorageTarget {
  bucketArn: string;
  bucketName: string;
  accessPointArn?: string;
}

export interface ControlPlaneArgs extends ComponentArgs<ControlPlaneTransform> {
  /**
   * Every bucket (and access point) the functions work in. Their roles get object access under
   * `tenants/` there and nowhere else; the scanner accepts events from these buckets only.
   * @default (required)
   * @example [{ bucketArn: storage.bucketArn, bucketName: storage.bucketName }]
   */
  storage: pulumi.Input<StorageTarget[]>;
  /**
   * How tenants map to buckets and access points, as JSON; handed to the functions as `TENANT_ROUTING`.
   * Counts towards Lambda's 4 KB environment limit, which is checked.
   * @default (required)
   */
  tenantRoutingJson: pulumi.Input<string>;
  /**
   * The user pool whose tokens the API accepts. Every route requires a valid token from `issuer`
   * whose `aud` (ID token) or `client_id` (access token) is one of `audience`.
   * @default (required)
   * @example { issuer: pulumi.interpolate`https://${pool.endpoint}`, audience: [client.id] }
   */
  jwt: { issuer: pulumi.Input<string>; audience: pulumi.Input<string>[] };
  /**
   * The object index (`ObjectIndexTable`): the table the uploads, objects, proxy and indexer
   * functions read and write (their `INDEX_TABLE`), and only those, on its items and indexes.
   * @default (required)
   * @example { tableName: index.tableName, tableArn: index.tableArn }
   */
  objectIndex: { tableName: pulumi.Input<string>; tableArn: pulumi.Input<string> };
  /**
   * The CloudFront distribution the `cdn-session` route issues signed cookies for. The private key
   * goes into a Secrets Manager secret that only that function may read.
   * @default none: no `cdn-session` function, route or secret
   */
  cdn?: { domainName: pulumi.Input<string>; keyPairId: pulumi.Input<string>; privateKeyPem: pulumi.Input<string> };
  /**
   * The malware scanner: `guardduty` needs only zip bundles (the scan function quarantines what
   * GuardDuty finds); `clamav` runs the scan and proxy functions from container images.
   * @default (required)
   * @example { vocabulary: GUARDDUTY_VOCABULARY }
   */
  scanning: ScanningSettings;
  /**
   * Limits checked before anything is signed; `presignTtlSeconds` is capped at 900 (Short lifetimes).
   * @default (required)
   */
  limits: ControlPlaneLimits;
  /**
   * Tenant claim, per-user quota and multipart lifetime the functions apply.
   * @default { tenantClaim: "custom:tenant" } (no quota)
   */
  users?: UserSettings;
  /**
   * Exact web origins allowed to call the API from a browser. Native apps send no `Origin` and need none.
   * @default []
   * @example ["https://app.example.com", "capacitor://localhost"]
   */
  corsOrigins?: string[];
  /**
   * Days CloudWatch Logs keeps the function and access logs (a period CloudWatch accepts).
   * @default 30
   */
  logRetentionDays?: number;
  /**
   * Level of the functions' application logs (`LOG_LEVEL`, and Lambda's own filter).
   * @default "INFO"
   */
  logLevel?: LogLevel;
  /**
   * Request rate across all routes before the API answers 429.
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  throttling?: Throttling;
  /**
   * Where each zip function's code comes from: the deployable archive of function `fn`, whose
   * `index.js` exports `handler`. Pass your own to deploy from another program or build.
   * @default `handlerArchive`: bundles this package's `functions/<fn>/handler.ts` with esbuild
   * @example (fn) => new pulumi.asset.FileArchive(`./dist/${fn}`)
   */
  functionCode?: (fn: FunctionName) => pulumi.Input<pulumi.asset.Archive>;
}

/** One `Transform` per child of `ControlPlane`: per-function ones get `<name>-<fn>` as name. */
export type ControlPlaneTransform = Transforms<{
  role: aws.iam.RoleArgs; rolePolicy: aws.iam.RolePolicyArgs; logGroup: aws.cloudwatch.LogGroupArgs;
  function: aws.lambda.FunctionArgs; api: aws.apigatewayv2.ApiArgs; authorizer: aws.apigatewayv2.AuthorizerArgs;
  integration: aws.apigatewayv2.IntegrationArgs; permission: aws.lambda.PermissionArgs; route: aws.apigatewayv2.RouteArgs;
  accessLogGroup: aws.cloudwatch.LogGroupArgs; stage: aws.apigatewayv2.StageArgs;
  cdnKeySecret: aws.secretsmanager.SecretArgs; cdnKeySecretVersion: aws.secretsmanager.SecretVersionArgs;
  failureQueue: aws.sqs.QueueArgs; invokeConfig: aws.lambda.FunctionEventInvokeConfigArgs;
}>;

/** How long the failure queue keeps what the indexer could not index: SQS's longest (14 days). */
const FAILURE_RETENTION_SECONDS = 1_209_600;
/** Lambda's own retries of a failed asynchronous invocation (at most 2), before the on-failure destination. */
const ASYNC_RETRY_ATTEMPTS = 2;

/** IAM role and Lambda function names: at most 64 characters, and Pulumi appends "-" and 7 hex digits. */
const PHYSICAL_NAME_MAX = 64;

function assertNameFits(name: string): void {
  const longest = FUNCTION_NAMES.reduce((a, b) => (b.length > a.length ? b : a));
  physicalName({
    parts: [name, longest],
    maxLength: PHYSICAL_NAME_MAX,
    charset: NAME_CHARSETS.iam,
    reserve: AUTONAME_SUFFIX_LENGTH,
    message: (_, length) =>
      `ControlPlane name "${name}" makes function and role names ${length} characters, over AWS's ` +
      `${PHYSICAL_NAME_MAX}: shorten [app] or [environment], or the component name`,
  });
}

function assertLogLevel(level: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`[logLevel] must be one of ${LOG_LEVELS.join(", ")}, got "${level}"`);
  }
  return level as LogLevel;
}

function validateScanning(scanning: ScanningSettings): ScanningSettings {
  const memory = scanning.scanMemoryMb;
  const { min, max } = SCAN_MEMORY_BOUNDS;
  if (memory !== undefined && (!Number.isInteger(memory) || memory < min || memory > max)) {
    throw new Error(`[scanning.scanMemoryMb] must be an integer from ${min} to ${max} (Lambda's range; above ${NEW_ACCOUNT_MAX_MEMORY_MB} needs a quota increase on new accounts), got ${memory}`);
  }
  if (scanning.vocabulary.scanner === "clamav" && scanning.images === undefined) {
    throw new Error("[scanning.images] is required with ClamAV: clamd does not fit a zip package, so the scan and proxy functions run container images (ClamAvImage)");
  }
  if (scanning.vocabulary.scanner !== "clamav" && scanning.images !== undefined) {
    throw new Error(`[scanning.images] is for ClamAV only; ${scanning.vocabulary.scanner} needs none`);
  }
  return scanning;
}

function assertIssuer(issuer: string): string {
  if (!/^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(issuer) || issuer.endsWith("/")) {
    throw new Error(`[jwt.issuer] must be the user pool's https issuer URL without a trailing slash, got "${issuer}"`);
  }
  return issuer;
}

/** The Cognito user pool behind an issuer `https://cognito-idp.<region>.amazonaws.com/<pool id>`; undefined for another issuer. */
function userPoolOf(issuer: string, partition: string, accountId: string): { id: string; arn: string } | undefined {
  const match = /^https:\/\/cognito-idp\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([\w-]+_[0-9a-zA-Z]+)$/.exec(issuer);
  return match ? { id: match[2], arn: `arn:${partition}:cognito-idp:${match[1]}:${accountId}:userpool/${match[2]}` } : undefined;
}

interface StorageScope {
  bucketArns: string[];
  accessPointArns: string[];
  bucketNames: string[];
}

function storageScope(storage: StorageTarget[]): StorageScope {
  if (storage.length === 0) {
    throw new Error("[storage] must name at least one bucket");
  }
  const unique = (values: (string | undefined)[]) => [...new Set(values.filter((v): v is string => v !== undefined))];
  return {
    bucketArns: unique(storage.map((s) => s.bucketArn)),
    accessPointArns: unique(storage.map((s) => s.accessPointArn)),
    bucketNames: unique(storage.map((s) => s.bucketName)),
  };
}

/** A container image a function runs instead of a zip bundle (ClamAV does not fit a zip). */
export interface FunctionImage {
  /** `<repository>@sha256:<digest>`, so a new build redeploys the function. */
  imageUri: pulumi.Input<string>;
  /** The handler the image's runtime starts for this function (`imageConfig.commands`). */
  command: string[];
  /** Variables the image's code needs beyond the function's own. */
  environment?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Statements the function's role needs for the image's code (e.g. reading signature files). */
  policyStatements?: pulumi.Input<PolicyStatement[]>;
  /** `/tmp` size in MB (512 to 10240). @default 512 (Lambda's default) */
  ephemeralStorageMb?: number;
}

/** Which scanner tags uploads, and how the functions that run ClamAV are packaged. */
export interface ScanningSettings {
  /** The scanner's tag vocabulary; read gates and the objects function key on its clean value. */
  vocabulary: ScanVocabulary;
  /**
   * Memory of the scan function with ClamAV, in MB.
   * @default 3008 (the most a new account may give a function)
   */
  scanMemoryMb?: number;
  /**
   * ClamAV only, required then: the images the scan and proxy functions run.
   * @default none (GuardDuty: every function is a zip bundle)
   */
  images?: { scan: FunctionImage; proxy: FunctionImage };
}

/** One function of the control plane and what it runs with. */
export interface DeployedFunction {
  role: aws.iam.Role;
  policy: aws.iam.RolePolicy;
  logGroup: aws.cloudwatch.LogGroup;
  fn: aws.lambda.Function;
}

/**
 * The control plane of access patterns 2-4: an HTTP API whose every route requires a
 * user-pool JWT, one Lambda function per concern (uploads, objects, CDN session, proxy) with its
 * own least-privilege role and log group, and the two functions EventBridge invokes: the malware
 * scanner (`ScanTrigger` wires the events to `scanFunctionArn`) and the indexer, which keeps the
 * object index true (`IndexTrigger` wires the events and the schedule to `indexerFunctionArn`; what
 * it fails lands in `indexerFailureQueue`). Access logs never hold a token, a query string or a
 * presigned URL (No secrets in logs).
 */
export class ControlPlane extends LibraryComponent {
  /** Base URL of the API (its `$default` stage). */
  readonly apiUrl: pulumi.Output<string>;
  readonly apiId: pulumi.Output<string>;
  /** `arn:aws:execute-api:<region>:<account>:<apiId>`, for permissions and alarms. */
  readonly apiExecutionArn: pulumi.Output<string>;
  /** Every function's execution role. */
  readonly functionRoleArns: pulumi.Output<string[]>;
  /**
   * The roles that read or write objects' bytes: make them users of the buckets' KMS keys. Every
   * function but the indexer, which reads metadata only.
   */
  readonly bucketKeyUserArns: pulumi.Output<string[]>;
  /** The roles that read or write the object index: make them users of its key (`ObjectIndexTable.keyUserArns`). */
  readonly indexKeyUserArns: pulumi.Output<string[]>;
  /** The malware scanner, for `ScanTrigger`. */
  readonly scanFunctionArn: pulumi.Output<string>;
  /** The indexer, for `IndexTrigger`. */
  readonly indexerFunctionArn: pulumi.Output<string>;
  /**
   * What the indexer could not index: its invocations that failed every attempt (Lambda's on-failure
   * destination) and, through `IndexTrigger`, the events EventBridge could not deliver. SSE-SQS.
   */
  readonly indexerFailureQueue: aws.sqs.Queue;
  readonly api: aws.apigatewayv2.Api;
  readonly authorizer: aws.apigatewayv2.Authorizer;
  readonly stage: aws.apigatewayv2.Stage;
  readonly accessLogGroup: aws.cloudwatch.LogGroup;
  /** Each deployed function (no `cdn-session` without `cdn`). */
  readonly functions: ReadonlyMap<FunctionName, DeployedFunction>;
  /** Each API function's integration. */
  readonly integrations: ReadonlyMap<ApiFunctionName, aws.apigatewayv2.Integration>;
  readonly routes: aws.apigatewayv2.Route[];
  /** The secret holding the CloudFront private key; present with `cdn`. */
  readonly cdnKeySecret?: aws.secretsmanager.Secret;

  constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    assertNameFits(name);
    const limits = validateLimits(args.limits);
    const corsConfiguration = apiCorsConfiguration(args.corsOrigins ?? []);
    const retentionInDays = args.logRetentionDays ?? 30;
    assertLogRetentionDays(retentionInDays);
    const logLevel = assertLogLevel(args.logLevel ?? "INFO");
    const throttling = validateThrottling(args.throttling ?? DEFAULT_THROTTLING);
    if (args.jwt.audience.length === 0) {
      throw new Error("[jwt.audience] must name at least one user-pool app client id");
    }
    // Checked here when already known, so the run fails before any child exists; values known only
    // at deploy time are checked again when they resolve.
    if (typeof args.jwt.issuer === "string") {
      assertIssuer(args.jwt.issuer);
    }
    if (Array.isArray(args.storage)) {
      storageScope(args.storage);
    }
    const scanning = validateScanning(args.scanning);
    super("mobile-s3:api:ControlPlane", name, args.tags ?? {}, opts);
    const t = args.transform ?? {};
    const code = args.functionCode ?? handlerArchive;
    const account = aws.getCallerIdentityOutput({}, { parent: this });
    const storage = pulumi.output(args.storage).apply(storageScope);
    /** `/<component>/<function>`: one readable folder of log groups per control plane. */
    const logGroupName = (purpose: string) => `/${name}/${purpose}`;

    let cdnKey: { secret: aws.secretsmanager.Secret; version: aws.secretsmanager.SecretVersion; environment: pulumi.Output<CdnEnvironment> } | undefined;
    if (args.cdn) {
      const secret = this.child(
        aws.secretsmanager.Secret,
        `${name}-cdn-key`,
        { description: "CloudFront private key the cdn-session function signs cookies with" },
        t.cdnKeySecret,
      );
      const version = this.child(
        aws.secretsmanager.SecretVersion,
        `${name}-cdn-key`,
        { secretId: secret.id, secretString: pulumi.secret(args.cdn.privateKeyPem) },
        t.cdnKeySecretVersion,
      );
      // What cdn-session is told: where the key is, never the key.
      cdnKey = { secret, version, environment: pulumi.output({ domainName: args.cdn.domainName, keyPairId: args.cdn.keyPairId, privateKeySecretArn: secret.arn }) };
      this.cdnKeySecret = secret;
    }

    // Kept apart from the indexer so that its role can be granted sending to it before the function exists.
    const failureQueue = this.child(
      aws.sqs.Queue,
      `${name}-indexer-failures`,
      { sqsManagedSseEnabled: true, messageRetentionSeconds: FAILURE_RETENTION_SECONDS },
      t.failureQueue,
    );
    const objectIndex = pulumi.output(args.objectIndex);
    // The admin function signs users out of the pool that issues the API's tokens.
    const partition = aws.getPartitionOutput({}, { parent: this });
    const userPool = pulumi.all([pulumi.output(args.jwt.issuer), partition.partition, account.accountId]).apply(([issuer, p, accountId]) => userPoolOf(issuer, p, accountId));

    const deployFunction = (fn: FunctionName): DeployedFunction => {
      const childName = `${name}-${fn}`;
      const image = fn === "scan" || fn === "proxy" ? scanning.images?.[fn] : undefined;
      const sizing = functionSizing(fn, { scanner: scanning.vocabulary.scanner, scanMemoryMb: scanning.scanMemoryMb });
      const role = this.child(
        aws.iam.Role,
        childName,
        {
          description: `Execution role of the ${fn} function of ${name}`,
          assumeRolePolicy: account.accountId.apply((accountId) => JSON.stringify(lambdaTrustPolicy(accountId))),
        },
        t.role,
      );
      const logGroup = this.child(aws.cloudwatch.LogGroup, childName, { name: logGroupName(fn), retentionInDays }, t.logGroup);
      const policy = this.child(
        aws.iam.RolePolicy,
        childName,
        {
          role: role.id,
          policy: pulumi
            .all([storage, logGroup.arn, cdnKey?.secret.arn, image?.policyStatements ?? [], objectIndex.tableArn, failureQueue.arn, userPool])
            .apply(([scope, logGroupArn, secretArn, extraStatements, indexTableArn, failureQueueArn, pool]) =>
              JSON.stringify(
                functionPolicy(fn, {
                  bucketArns: scope.bucketArns,
                  accessPointArns: scope.accessPointArns,
                  logGroupArn,
                  cdnPrivateKeySecretArn: secretArn,
                  scan: scanning.vocabulary,
                  indexTableArn,
                  failureQueueArn,
                  ...(pool === undefined ? {} : { userPoolArn: pool.arn }),
                  extraStatements,
                }),
              ),
            ),
        },
        t.rolePolicy,
      );
      const variables = pulumi
        .all([args.tenantRoutingJson, storage, cdnKey?.environment, image?.environment ?? {}, objectIndex.tableName, userPool])
        .apply(([tenantRoutingJson, scope, cdn, imageVariables, indexTableName, pool]) => ({
          ...functionEnvironment(fn, {
            logLevel,
            tenantRoutingJson,
            limits,
            bucketNames: scope.bucketNames,
            cdn,
            users: args.users,
            scanner: scanning.vocabulary.scanner,
            indexTableName,
            ...(pool === undefined ? {} : { userPoolId: pool.id }),
          }),
          ...imageVariables,
        }));
      const packaging = image
        ? {
            packageType: "Image",
            imageUri: image.imageUri,
            imageConfig: { commands: image.command },
            ...(image.ephemeralStorageMb ? { ephemeralStorage: { size: image.ephemeralStorageMb } } : {}),
          }
        : { packageType: "Zip", runtime: "nodejs22.x", handler: "index.handler", code: code(fn) };
      const lambda = this.child(
        aws.lambda.Function,
        childName,
        {
          description: `${fn} function of ${name}`,
          ...packaging,
          architectures: ["arm64"],
          role: role.arn,
          memorySize: sizing.memorySize,
          timeout: sizing.timeout,
          environment: { variables },
          loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: logLevel, systemLogLevel: "WARN" },
        },
        t.function,
        // Invoked only once it may write its logs and reach its data (and, for cdn-session, its key).
        { dependsOn: [policy, logGroup, ...(fn === "cdn-session" && cdnKey ? [cdnKey.version] : [])] },
      );
      return { role, policy, logGroup, fn: lambda };
    };

    const deployed = new Map<FunctionName, DeployedFunction>();
    for (const fn of FUNCTION_NAMES) {
      if (fn !== "cdn-session" || cdnKey) {
        deployed.set(fn, deployFunction(fn));
      }
    }
    const indexer = deployed.get("indexer")!;
    // EventBridge invokes the indexer asynchronously: Lambda retries a failed event twice (0 to 2,
    // "Configuring error handling settings for Lambda asynchronous invocations"), then sends it to
    // the queue, its on-failure destination ("PutFunctionEventInvokeConfig", Lambda API Reference),
    // and the scheduled reconciliation repairs what it left behind meanwhile.
    this.child(
      aws.lambda.FunctionEventInvokeConfig,
      `${name}-indexer`,
      {
        functionName: indexer.fn.name,
        maximumRetryAttempts: ASYNC_RETRY_ATTEMPTS,
        destinationConfig: { onFailure: { destination: failureQueue.arn } },
      },
      t.invokeConfig,
      { dependsOn: [indexer.policy] },
    );

    const api = this.child(
      aws.apigatewayv2.Api,
      name,
      { protocolType: "HTTP", description: `Control plane of ${name} (API.md v1)`, corsConfiguration },
      t.api,
    );
    const authorizer = this.child(
      aws.apigatewayv2.Authorizer,
      `${name}-jwt`,
      {
        apiId: api.id,
        name: "user-pool-jwt",
        authorizerType: "JWT",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: { issuer: pulumi.output(args.jwt.issuer).apply(assertIssuer), audiences: args.jwt.audience },
      },
      t.authorizer,
    );

    const integrations = new Map<ApiFunctionName, aws.apigatewayv2.Integration>();
    const exposeFunction = (fn: ApiFunctionName, lambda: aws.lambda.Function): aws.apigatewayv2.Route[] => {
      const integration = this.child(
        aws.apigatewayv2.Integration,
        `${name}-${fn}`,
        { apiId: api.id, integrationType: "AWS_PROXY", integrationMethod: "POST", integrationUri: lambda.invokeArn, payloadFormatVersion: "2.0" },
        t.integration,
      );
      integrations.set(fn, integration);
      return ROUTES[fn].map((routeKey) => {
        const childName = `${name}-${routeSlug(routeKey)}`;
        const permission = this.child(
          aws.lambda.Permission,
          childName,
          {
            action: "lambda:InvokeFunction",
            function: lambda.arn,
            principal: "apigateway.amazonaws.com",
            sourceArn: api.executionArn.apply((executionArn) => routeSourceArn(executionArn, routeKey)),
          },
          t.permission,
        );
        return this.child(
          aws.apigatewayv2.Route,
          childName,
          { apiId: api.id, routeKey, target: pulumi.interpolate`integrations/${integration.id}`, authorizationType: "JWT", authorizerId: authorizer.id },
          t.route,
          { dependsOn: [permission] },
        );
      });
    };
    const routes = API_FUNCTIONS.flatMap((fn) => {
      const target = deployed.get(fn);
      return target ? exposeFunction(fn, target.fn) : [];
    });

    const accessLogs = this.child(aws.cloudwatch.LogGroup, `${name}-access`, { name: logGroupName("access"), retentionInDays }, t.accessLogGroup);
    const stage = this.child(
      aws.apigatewayv2.Stage,
      name,
      {
        apiId: api.id,
        name: "$default",
        autoDeploy: true,
        accessLogSettings: { destinationArn: accessLogs.arn, format: accessLogFormat() },
        defaultRouteSettings: {
          throttlingRateLimit: throttling.rateLimit,
          throttlingBurstLimit: throttling.burstLimit,
          // API-wide metrics (what the 4xx/5xx alarms watch) are free; per-route ones bill as custom metrics.
          detailedMetricsEnabled: false,
        },
      },
      t.stage,
      { dependsOn: routes },
    );

    this.api = api;
    this.authorizer = authorizer;
    this.stage = stage;
    this.accessLogGroup = accessLogs;
    this.functions = deployed;
    this.integrations = integrations;
    this.routes = routes;
    this.apiUrl = api.apiEndpoint;
    this.apiId = api.id;
    this.apiExecutionArn = api.executionArn;
    const roleArns = (keep: (fn: FunctionName) => boolean) => pulumi.all([...deployed].filter(([fn]) => keep(fn)).map(([, d]) => d.role.arn));
    this.functionRoleArns = roleArns(() => true);
    // Neither the indexer nor the admin function reads an object's bytes.
    this.bucketKeyUserArns = roleArns((fn) => fn !== "indexer" && fn !== "admin");
    this.indexKeyUserArns = roleArns((fn) => INDEX_FUNCTIONS.includes(fn) || REVOCATION_ONLY_FUNCTIONS.includes(fn));
    this.scanFunctionArn = deployed.get("scan")!.fn.arn;
    this.indexerFunctionArn = indexer.fn.arn;
    this.indexerFailureQueue = failureQueue;
    this.registerOutputs({
      apiUrl: this.apiUrl,
      apiId: this.apiId,
      apiExecutionArn: this.apiExecutionArn,
      functionRoleArns: this.functionRoleArns,
      bucketKeyUserArns: this.bucketKeyUserArns,
      indexKeyUserArns: this.indexKeyUserArns,
      scanFunctionArn: this.scanFunctionArn,
      indexerFunctionArn: this.indexerFunctionArn,
      indexerFailureQueueArn: failureQueue.arn,
    });
  }
}

interface CdnEnvironment {
  domainName: string;
  keyPairId: string;
  privateKeySecretArn: string;
}
