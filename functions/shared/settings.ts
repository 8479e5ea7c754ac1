import { ConfigurationError, DEFAULT_TENANT_CLAIM, type Env, ENV, requireInteger, type FunctionRouting, type LogLevel, parseRouting, requireJson, SCANNERS, type ScannerName, scanVocabulary, type ScanVocabulary } from "@mobile-s3/contract";
import { type S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { type TokenSettings } from "./identity";
import { createLogger, type Logger, readLogLevel } from "./log";
import { readSessionsRevokedBefore } from "./revocation";
import { lazyS3Client } from "./s3-sdk";

/*
 * Optional settings every API function reads the same way. The deployed program sets none of them
 * (API Gateway's JWT authorizer verifies tokens, the SDK finds S3, Cognito names the claim
 * `custom:tenant`); the sandbox and the tests set them.
 */


const CLAIM_NAME = /^[A-Za-z0-9:_.-]{1,128}$/;

function optionalString(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (err) {
    throw new ConfigurationError(name, `must be an http(s) URL, got "${value}"`, { cause: err });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigurationError(name, `must be an http(s) URL, got "${value}"`);
  }
  return value;
}

/**
 * The scanner whose tags mark objects clean (SCANNER, required: a function that guessed would gate
 * reads on a tag nobody writes, or trust one anybody could).
 */
export function readScanVocabulary(env: Env): ScanVocabulary {
  const name = optionalString(env, ENV.scanner);
  if (name === undefined) {
    throw new ConfigurationError(ENV.scanner, `is required but not set (one of ${SCANNERS.join(", ")})`);
  }
  if (!(SCANNERS as readonly string[]).includes(name)) {
    throw new ConfigurationError(ENV.scanner, `must be one of ${SCANNERS.join(", ")}, got "${name}"`);
  }
  return scanVocabulary(name as ScannerName);
}

/** The verified claim that names the caller's tenant (TENANT_CLAIM, default `custom:tenant`). */
export function readTenantClaim(env: Env): string {
  const claim = optionalString(env, ENV.tenantClaim) ?? DEFAULT_TENANT_CLAIM;
  if (!CLAIM_NAME.test(claim)) {
    throw new ConfigurationError(ENV.tenantClaim, `must be a claim name such as ${DEFAULT_TENANT_CLAIM}, got "${claim}"`);
  }
  return claim;
}

/** Where a caller's objects live and when they may be read, for the functions that read or write them. */
export interface ObjectScope {
  /** Where each tenant's objects live (TENANT_ROUTING). */
  tenantRouting: FunctionRouting;
  /** The verified claim naming the caller's tenant (TENANT_CLAIM). */
  tenantClaim: string;
  /** The scanner whose tags say an object is clean (SCANNER; Scan before read). */
  scan: ScanVocabulary;
}

export function readObjectScope(env: Env): ObjectScope {
  return { tenantRouting: parseRouting(requireJson(env, ENV.tenantRouting)), tenantClaim: readTenantClaim(env), scan: readScanVocabulary(env) };
}

/**
 * How to verify bearer tokens where no JWT authorizer ran (sandbox, tests): JWT_ISSUER and
 * JWT_AUDIENCE, and optionally JWT_JWKS (the issuer's key set as JSON, so nothing is fetched;
 * otherwise `<issuer>/.well-known/jwks.json`). Undefined when JWT_ISSUER is not set.
 */
export function readTokenSettings(env: Env): TokenSettings | undefined {
  const issuer = optionalString(env, ENV.jwtIssuer);
  if (issuer === undefined) {
    for (const name of [ENV.jwtAudience, ENV.jwtJwks]) {
      if (optionalString(env, name) !== undefined) {
        throw new ConfigurationError(name, `is set but ${ENV.jwtIssuer} is not; set both or neither`);
      }
    }
    return undefined;
  }
  httpUrl(ENV.jwtIssuer, issuer);
  const audience = optionalString(env, ENV.jwtAudience);
  if (audience === undefined) {
    throw new ConfigurationError(ENV.jwtAudience, `is required when ${ENV.jwtIssuer} is set (the app client id)`);
  }
  const jwksText = optionalString(env, ENV.jwtJwks);
  if (jwksText === undefined) {
    return { issuer, audience };
  }
  let jwks: unknown;
  try {
    jwks = JSON.parse(jwksText);
  } catch (err) {
    throw new ConfigurationError(ENV.jwtJwks, "must be a JSON key set", { cause: err });
  }
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => k !== null && typeof k === "object")) {
    throw new ConfigurationError(ENV.jwtJwks, 'must be a JSON key set, {"keys":[…]} with at least one key');
  }
  return { issuer, audience, jwks: { keys } };
}

/** An S3-compatible endpoint to use instead of AWS's (S3_ENDPOINT; path-style, for the local engine). */
export function readS3Endpoint(env: Env): string | undefined {
  const endpoint = optionalString(env, ENV.s3Endpoint);
  return endpoint === undefined ? undefined : httpUrl(ENV.s3Endpoint, endpoint);
}

/**
 * The S3 client's settings: the SDK's defaults in AWS (region and role credentials from the
 * runtime; No long-lived credentials); an S3_ENDPOINT, addressed path-style, in the sandbox and the tests.
 */
export function s3ClientConfig(env: Env): S3ClientConfig {
  const endpoint = readS3Endpoint(env);
  return endpoint === undefined ? {} : { endpoint, forcePathStyle: true };
}

/** The S3 client `env` describes, built (and the SDK loaded) by its first call. */
export function envS3Client(env: Env): () => Promise<S3Client> {
  return lazyS3Client(s3ClientConfig(env));
}

/** A DynamoDB-compatible endpoint to use instead of AWS's (DYNAMODB_ENDPOINT: the sandbox's and the tests' local engine). */
export function readDynamoDbEndpoint(env: Env): string | undefined {
  const endpoint = optionalString(env, ENV.dynamodbEndpoint);
  return endpoint === undefined ? undefined : httpUrl(ENV.dynamodbEndpoint, endpoint);
}

/** The object index's table (INDEX_TABLE), required by every function that reads or writes the index. */
export function readIndexTable(env: Env): string {
  const table = optionalString(env, ENV.indexTable);
  if (table === undefined || !/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    throw new ConfigurationError(ENV.indexTable, `must name the object index's DynamoDB table (3-255 letters, digits, _ . -)${table === undefined ? "" : `, got "${table}"`}`);
  }
  return table;
}

/** Bytes one home may keep (USER_QUOTA_BYTES); undefined (unset or empty): no quota. */
export function readUserQuota(env: Env): number | undefined {
  return optionalString(env, ENV.userQuotaBytes) === undefined ? undefined : requireInteger(env, ENV.userQuotaBytes, { min: 1, max: Number.MAX_SAFE_INTEGER });
}

/** The logger of `service` at LOG_LEVEL. */
export function envLogger(service: string, env: Env): Logger {
  return createLogger(service, readLogLevel(env));
}

/**
 * What the runtime reads for itself, none of it a function's own configuration: the log level,
 * where S3 is, how to verify tokens where no JWT authorizer ran, and which tokens are revoked.
 */
export interface AdapterSettings {
  logLevel: LogLevel;
  s3: S3ClientConfig;
  /** Where the object index's DynamoDB is: AWS's (the SDK's defaults) unless DYNAMODB_ENDPOINT names another. */
  dynamodb: { endpoint?: string };
  token?: TokenSettings;
  /** ID tokens issued before this instant (ms since the epoch) are refused: SESSIONS_REVOKED_BEFORE. */
  sessionsRevokedBefore?: number;
  /** Where users' revocation items are (REVOCATION_TABLE), and the claim naming the tenant of their partition. */
  revocation?: { table: string; tenantClaim: string };
}

export function readAdapterSettings(env: Env): AdapterSettings {
  const token = readTokenSettings(env);
  const dynamodbEndpoint = readDynamoDbEndpoint(env);
  const sessionsRevokedBefore = readSessionsRevokedBefore(env);
  const revocationTable = optionalString(env, ENV.revocationTable);
  if (revocationTable !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(revocationTable)) {
    throw new ConfigurationError(ENV.revocationTable, `must name the DynamoDB table of users' revocation items (3-255 letters, digits, _ . -), got "${revocationTable}"`);
  }
  return {
    logLevel: readLogLevel(env),
    s3: s3ClientConfig(env),
    dynamodb: dynamodbEndpoint === undefined ? {} : { endpoint: dynamodbEndpoint },
    ...(token === undefined ? {} : { token }),
    ...(sessionsRevokedBefore === undefined ? {} : { sessionsRevokedBefore }),
    ...(revocationTable === undefined ? {} : { revocation: { table: revocationTable, tenantClaim: readTenantClaim(env) } }),
  };
}
