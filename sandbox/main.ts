// `npm start -- [--stack <name>] [--port <n>] [--data-dir <dir>] [--scanner auto|clamav|off]`
// The whole control and data plane on loopback, no AWS account: see sandbox/README.md.
import { FUNCTION_NAMES, type FunctionName, type LogLevel, TENANTS_ROOT } from "@mobile-s3/contract";
import * as path from "node:path";
import { s3Client } from "../functions/shared/s3-client";
import { apiCorsConfiguration } from "../infra/api/cors";
import { bucketPlans } from "./bucket-plan";
import { sandboxCdnKey } from "./cdn-key";
import { exampleFile } from "./example-file";
import { Children } from "./children";
import { createBucket } from "./create-buckets";
import { createDataDir, removeDataDir } from "./data-dir";
import { installEngine, startEngine, stopEngine } from "./engine";
import { sandboxFunctionEnvironments } from "./function-environments";
import { sandboxHandlers } from "./handlers";
import { LocalIssuer, SANDBOX_AUDIENCE } from "./issuer";
import { HELP, parseOptions, type SandboxOptions, USAGE, UsageError } from "./options";
import { consoleProgress, type Progress } from "./progress";
import { banner, readyLine } from "./ready-line";
import { sandboxRouting } from "./routing";
import { sandboxScanner } from "./scanner";
import { startScanWorker } from "./scan-worker";
import { startEnforcement } from "./enforcement";
import { type S3Client } from "@aws-sdk/client-s3";
import { MOCK_ACCOUNT_ID } from "../offline/mocks";
import { localGuardDuty } from "./local-guardduty";
import { clamScanner, loadClamAvLocation } from "../functions/scan/clamscan";
import { SCAN_TIMEOUT_MS } from "../functions/scan/app";
import { DEFAULT_SCAN_MAX_BYTES } from "../functions/scan/core";
import { indexTableDefinition } from "../functions/shared/index-table";
import { indexedObjectEventsPattern } from "../infra/object-index/event-pattern";
import { createTable, indexTableName, startLocalDynamoDb } from "./dynamodb";
import { EventBus, type EventPattern } from "./event-bus";
import { storeWithTagEvents } from "./tag-events";

/** The account the sandbox's events say they come from: the planned stack's, whose ARNs the policies name. */
const SANDBOX_ACCOUNT_ID = MOCK_ACCOUNT_ID;
import { createSandboxServer } from "./server";
import { Shutdown, StoppingError } from "./shutdown";
import { planStack } from "./stack";

const LOG_LEVEL: LogLevel = "INFO";

async function start(opts: SandboxOptions, progress: Progress, shutdown: Shutdown, children: Children): Promise<void> {
  const dataDir = await createDataDir(opts.dataDir);
  await shutdown.track("delete the data dir", () => removeDataDir(dataDir));

  // Listen first: the port is ours from now on, and the issuer's URL is known.
  const server = createSandboxServer();
  await shutdown.track("stop the API", () => server.close());
  const port = await server.listen(opts.port);
  const api = `http://127.0.0.1:${port}`;
  progress.step(`API listening on ${api} (answers 503 until ready); data in ${dataDir}`);

  progress.step(`running the Pulumi program for stack ${opts.stack} under mocks`);
  const { run, config } = await planStack(opts.stack);
  shutdown.checkpoint();
  const plans = bucketPlans(run);
  progress.step(`the program creates ${plans.length} buckets and ${run.resources.length} resources in all`);

  await installEngine(children, progress);
  shutdown.checkpoint();
  const engineDir = path.join(dataDir, "rgw");
  // Tracked before it starts: a failed or interrupted start leaves daemons that stop.sh finds by their PID files.
  await shutdown.track("stop the S3 engine", () => stopEngine(engineDir));
  progress.step("starting the S3 engine (Ceph RADOS Gateway)");
  const engine = await startEngine(engineDir, children, progress);
  shutdown.checkpoint();

  const s3 = s3Client({
    endpoint: engine.endpoint,
    region: engine.region,
    forcePathStyle: true,
    credentials: { accessKeyId: engine.accessKeyId, secretAccessKey: engine.secretAccessKey },
  });
  await shutdown.track("close the S3 client", async () => s3.destroy());
  const notes: string[] = [];
  for (const plan of plans) {
    notes.push(...(await createBucket(s3, plan)));
    shutdown.checkpoint();
  }
  progress.step(`created ${plans.map((p) => p.name).join(", ")}`);
  for (const note of notes) {
    progress.note(note);
  }

  const scan = await sandboxScanner(opts.scanner, dataDir, children, progress);
  shutdown.checkpoint();

  // The object index: DynamoDB in memory, its table as the program declares it.
  const dynamo = await startLocalDynamoDb({ region: engine.region });
  await shutdown.track("stop the local DynamoDB", () => dynamo.close());
  const dynamodb = dynamo.client();
  await shutdown.track("close the DynamoDB client", async () => dynamodb.destroy());
  const indexTable = indexTableName(run, config);
  await createTable(dynamodb, indexTableDefinition(indexTable));
  shutdown.checkpoint();
  progress.step(`DynamoDB (dynalite, in memory) on ${dynamo.endpoint}: object index table ${indexTable}`);

  const routing = sandboxRouting(run);
  // The buckets users' objects live in send S3's events to the bus, whatever the profile: the
  // sandbox serves the API, and so the index it reads, in every profile.
  const eventBuckets = routing.scanBuckets;
  const bus = new EventBus({
    onGiveUp: (target, event, err) => {
      const detail = event.detail as { bucket?: { name?: string }; object?: { key?: string } } | undefined;
      progress.warn([
        `the ${target} failed three times on "${event["detail-type"]}" for ${detail?.bucket?.name}/${detail?.object?.key} (${err instanceof Error ? err.name : "error"});`,
        "the object index may miss this change until it is reconciled",
      ]);
    },
  });

  const issuer = new LocalIssuer(api, SANDBOX_AUDIENCE, config.identity.tenantClaim);
  // From here on nothing but the stand-ins for AWS services talks to the engine directly.
  const enforcement = await startEnforcement({
    run,
    config,
    plans,
    engine,
    issuer,
    accountId: MOCK_ACCOUNT_ID,
    events: { onS3Event: (event) => bus.publish(event), eventBuckets },
  });
  await shutdown.track("stop the IAM gateway", () => enforcement.gateway.close());
  progress.step(`IAM gateway on ${enforcement.gateway.endpoint}: every S3 request is decided by the program's policies`);
  const roleClients = Object.fromEntries(
    FUNCTION_NAMES.map((fn) => {
      const { accessKeyId, secretAccessKey, sessionToken } = enforcement.roles[fn];
      return [fn, s3Client({ endpoint: enforcement.gateway.endpoint, region: engine.region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey, sessionToken } })];
    }),
  ) as Record<FunctionName, S3Client>;
  await shutdown.track("close the functions' S3 clients", async () => Object.values(roleClients).forEach((c) => c.destroy()));
  const cdn = sandboxCdnKey();
  for (const tenant of routing.accessPointTenants) {
    progress.note(
      `tenant ${tenant} (accessPoint tier): Ceph has no access points, so it is served from ${routing.routing.pooledBucket} directly, under the same keys (its access point policy is not enforced)`,
    );
  }
  const envs = sandboxFunctionEnvironments({
    config,
    routing: routing.routing,
    scanBuckets: routing.scanBuckets,
    logLevel: LOG_LEVEL,
    s3Endpoint: enforcement.gateway.endpoint,
    dynamodb: { endpoint: dynamo.endpoint, indexTable },
    token: { issuer: issuer.issuer, audience: issuer.audience, jwks: issuer.jwks },
    cdn,
    ...(scan.database === undefined ? {} : { clamavDb: scan.database }),
  });
  const handlers = sandboxHandlers(envs, roleClients, s3, dynamodb, LOG_LEVEL, scan.scanner);

  // EventBridge: the program's rule sends the indexed object events under tenants/ to the indexer.
  bus.addTarget({ name: "indexer", pattern: indexedObjectEventsPattern(eventBuckets, TENANTS_ROOT) as EventPattern, invoke: handlers.indexer });
  await shutdown.track("stop the event bus", () => bus.close());

  // With GuardDuty, a local stand-in scans with ClamAV, writes GuardDuty's tags and sends its
  // scan results to the scan function; with ClamAV, the scan function itself gets S3's events.
  const onObjectCreated =
    config.scanning.scanner === "guardduty"
      ? localGuardDuty({
          // GuardDuty's verdict tag is an S3 PutObjectTagging like any other: S3 sends its event.
          store: storeWithTagEvents(handlers.store, {
            owner: s3,
            account: SANDBOX_ACCOUNT_ID,
            region: engine.region,
            buckets: eventBuckets,
            onS3Event: (event) => bus.publish(event),
          }),
          scanner: scan.scanner ?? clamScanner({ ...loadClamAvLocation(envs.scan), timeoutMs: SCAN_TIMEOUT_MS, maxFileBytes: DEFAULT_SCAN_MAX_BYTES }),
          scanResults: handlers.scan,
          region: engine.region,
          accountId: SANDBOX_ACCOUNT_ID,
          maxBytes: DEFAULT_SCAN_MAX_BYTES,
        })
      : handlers.scan;
  const worker = startScanWorker({
    store: handlers.store,
    buckets: routing.scanBuckets,
    scan: onObjectCreated,
    region: engine.region,
    onGiveUp: (bucket, key, err) =>
      progress.warn([`the scan of ${bucket}/${key} failed repeatedly (${err instanceof Error ? err.name : "error"}); it stays unscanned and unreadable`]),
  });
  await shutdown.track("stop the scan worker", () => worker.stop());
  // Stop taking requests before anything behind them stops.
  await shutdown.track("stop the API", () => server.close());

  server.serve({
    issuer,
    cdnPublicKeyPem: cdn.publicKeyPem,
    routes: handlers.routes,
    cors: apiCorsConfiguration(config.corsOrigins),
    onRequest: (line) => process.stdout.write(`[api] ${line}\n`),
  });

  const ready = {
    api,
    issuer: issuer.issuer,
    s3: {
      endpoint: enforcement.gateway.endpoint,
      region: engine.region,
      buckets: plans.map((p) => p.name),
      engine: { endpoint: engine.endpoint, accessKeyId: engine.accessKeyId, secretAccessKey: engine.secretAccessKey },
    },
    identityPool: enforcement.identityPool,
    dynamodb: { endpoint: dynamo.endpoint, region: dynamo.region, indexTable },
  };
  process.stdout.write(`${readyLine(ready)}\n`);
  process.stdout.write(
    `${banner({
      ...ready,
      stack: opts.stack,
      audience: issuer.audience,
      tenantClaim: issuer.tenantClaim,
      dataDir,
      scanner: scan.description,
      cdnDomain: cdn.domainName,
      example: exampleFile(config.limits.allowedContentTypes),
    })}\n`,
  );
}

function main(argv: string[]): void {
  // A reader that went away (a script that read the ready line and closed the pipe) must not crash us.
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);

  let opts: SandboxOptions;
  try {
    opts = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`sandbox: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return;
  }

  const progress = consoleProgress();
  const children = new Children();
  const shutdown = new Shutdown((label, err) => process.stderr.write(`sandbox: could not ${label}: ${(err as Error).message ?? String(err)}\n`));
  let exitCode: number | undefined;

  const stop = (code: number, why: string) => {
    if (exitCode !== undefined) {
      return;
    }
    exitCode = code;
    progress.step(why);
    // Scripts still running first (an engine half-started), then everything else, last started first.
    void children
      .stopAll()
      .then(() => shutdown.stop())
      .then(() => {
        progress.step("stopped; nothing left running");
        process.exit(code);
      });
  };

  // A Ctrl-C under `npm start` arrives twice at once: from the terminal and forwarded by npm.
  let firstSignalAt = 0;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (exitCode === undefined) {
        firstSignalAt = Date.now();
        stop(0, `${signal}: stopping`);
      } else if (Date.now() - firstSignalAt > 1000) {
        progress.step(`${signal}: still stopping, please wait`);
      }
    });
  }

  start(opts, progress, shutdown, children).then(
    () => {
      // From here on anything unexpected ends the sandbox cleanly instead of leaving daemons behind.
      process.on("uncaughtException", (err) => stop(1, `unexpected failure (${err.name}: ${err.message}): stopping`));
      process.on("unhandledRejection", (reason) => stop(1, `unexpected failure (${String(reason)}): stopping`));
    },
    (err: unknown) => {
      if (err instanceof StoppingError || exitCode !== undefined) {
        return;
      }
      const message = err instanceof UsageError ? `${err.message}\n${USAGE}` : (err as Error).message ?? String(err);
      process.stderr.write(`sandbox: could not start: ${message}\n`);
      stop(err instanceof UsageError ? 2 : 1, "stopping what had started");
    },
  );
}

main(process.argv.slice(2));
