import { CLAMAV_ENV, ConfigurationError, type Env, FRESHCLAM_TIMEOUT_MS } from "@mobile-s3/contract";
import { errorName, type Logger } from "../shared/log";
import { envLogger, envS3Client } from "../shared/settings";
import { absolutePath, DEFAULT_FRESHCLAM_PATH, readDefinitionsBucket, s3DefinitionsBucket } from "./clamav";
import { assertMirror, DefinitionsError, type FreshclamMirror, spawnFreshclam, updateDefinitions, type UpdateOutcome, type UpdatePorts } from "./definitions-core";

/*
 * The definitions updater: the scan image run with the command `definitions.handler`, invoked by an
 * EventBridge schedule. It runs freshclam into /tmp and publishes the databases to the definitions
 * bucket (definitions-core.ts). A failure is thrown, so the invocation is marked failed (and
 * alarmed on); the scanners keep the definitions they have.
 */

/** Where the updater keeps freshclam's database between invocations of one execution environment. */
export const DEFINITIONS_WORK_DIR = "/tmp/clamav-update";

export interface DefinitionsUpdaterConfig {
  bucket: string;
  freshclamPath: string;
  mirror: FreshclamMirror;
}

export function loadDefinitionsUpdaterConfig(env: Env): DefinitionsUpdaterConfig {
  const bucket = readDefinitionsBucket(env);
  if (bucket === undefined) {
    throw new ConfigurationError(CLAMAV_ENV.definitionsBucket, "is required but not set");
  }
  const freshclamPath = absolutePath(env, CLAMAV_ENV.freshclamPath, DEFAULT_FRESHCLAM_PATH);
  const mirrorSetting = (name: string, value: string): string => {
    try {
      return assertMirror(name, value);
    } catch (err) {
      throw new ConfigurationError(name, "must be a host name or an http(s) URL without spaces or credentials", { cause: err });
    }
  };
  const databaseMirror = env[CLAMAV_ENV.databaseMirror]?.trim();
  const privateMirrors = (env[CLAMAV_ENV.privateMirrors] ?? "")
    .split(",")
    .map((m) => m.trim())
    .filter((m) => m !== "")
    .map((m) => mirrorSetting(CLAMAV_ENV.privateMirrors, m));
  const mirror: FreshclamMirror = {
    ...(databaseMirror ? { databaseMirror: mirrorSetting(CLAMAV_ENV.databaseMirror, databaseMirror) } : {}),
    ...(privateMirrors.length > 0 ? { privateMirrors } : {}),
  };
  return { bucket, freshclamPath, mirror };
}

/** The updater as Lambda runs it: configuration read once per cold start, one update per invocation. */
export function createDefinitionsUpdater(
  env: Env,
  ports: Partial<UpdatePorts> & { workDir?: string } = {},
): (event: unknown) => Promise<UpdateOutcome> {
  const config = loadDefinitionsUpdaterConfig(env);
  const s3 = envS3Client(env);
  const log: Logger = ports.log ?? envLogger("clamav-definitions", env);
  const bucket =
    ports.bucket ??
    s3DefinitionsBucket(s3, config.bucket);
  const freshclam = ports.freshclam ?? spawnFreshclam(config.freshclamPath, FRESHCLAM_TIMEOUT_MS);
  const workDir = ports.workDir ?? DEFINITIONS_WORK_DIR;
  return async () => {
    try {
      return await updateDefinitions({ bucket, freshclam, log, ...(ports.now ? { now: ports.now } : {}) }, { workDir, mirror: config.mirror });
    } catch (err) {
      // A DefinitionsError says what went wrong in our words; anything else by name only (an SDK
      // error's message may quote a request).
      log.error("definitions update failed", { error: errorName(err), ...(err instanceof DefinitionsError ? { reason: err.message } : {}) });
      throw err;
    }
  };
}

let update: ((event: unknown) => Promise<UpdateOutcome>) | undefined;

/**
 * EventBridge schedule target. Built on the first invocation rather than at module load, so that
 * importing this module (the tests, the bundle check) starts nothing and reads no environment.
 */
export async function handler(event: unknown): Promise<void> {
  update ??= createDefinitionsUpdater(process.env);
  await update(event);
}
