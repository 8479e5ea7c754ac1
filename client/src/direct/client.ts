import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { type GetToken } from "../api";
import { StorageArgumentError } from "../errors";
import { safeLogger, type StorageLogger } from "../log";
import { type ListOptions } from "../objects";
import { toByteSource, type UploadSource } from "../source";
import { type SignedUrl, type StoredObject } from "../wire";
import { identityIdOf, tenantAndSub, unverifiedClaims } from "./claims";
import { type CredentialProvider, explainedCredentials, identityPoolCredentials } from "./credentials";
import { storageErrorOf } from "./failures";
import { homePrefix, isVisible } from "@mobile-s3/contract";
import { checkPath, checkPrefix, keyOf } from "./keys";
import { type DirectStorageConfig, type DirectTier, storageTarget } from "./storage";
import { type DirectUploadOptions, DirectUploadTask, MAX_PART_BYTES, MIN_PART_BYTES } from "./upload";

export interface DirectClientOptions {
  /** The stack's region: `appConfig.region`. */
  region: string;
  /** `appConfig.identityPoolId` (`<region>:<uuid>`). */
  identityPoolId: string;
  /** `appConfig.userPoolId` (`<region>_<id>`): the identity pool's login provider. */
  userPoolId: string;
  /**
   * The signed-in user's user-pool ID token, as for the core client. Called for the identity pool
   * whenever credentials are fetched (with `forceRefresh: true` once after Cognito refused it), and
   * once to read the user's tenant and `sub`.
   */
  getToken: GetToken;
  /** `appConfig.storage`: which bucket or access point each tenant's objects are in. */
  storage: DirectStorageConfig;
  /** `appConfig.homeKey`: homes keyed by the user-pool `sub` (default stacks) or the identity id. */
  homeKey: "userSub" | "identityId";
  /** `appConfig.tenantClaim`, e.g. `custom:tenant`. */
  tenantClaim: string;
  /** Hears about uploads; every line is redacted first. @default silent */
  logger?: StorageLogger;
  /**
   * More S3 client settings (`endpoint`, `forcePathStyle`, `maxAttempts`, `requestHandler`…).
   * `region` and `credentials` come from the options above.
   * @default AWS S3, checksums only where S3 requires them
   */
  s3?: Omit<S3ClientConfig, "region" | "credentials">;
  /** Where credentials come from instead of the identity pool (tests, or an app with its own provider). @default fromCognitoIdentityPool */
  credentials?: CredentialProvider;
  /** Parts in flight per upload. @default 3 */
  concurrency?: number;
  /** Bytes per part of a multipart upload (5 MiB to 5 GiB); files up to this size go in one PutObject. @default 5 MiB */
  partSize?: number;
  /** Lifetime of `getUrl`'s URLs, in seconds (at most 900; never past the credentials' expiry). @default 300 */
  urlExpiresIn?: number;
}

/** Where this user's objects are: S3's `Bucket` parameter (a bucket or an access point) and the home. */
export interface DirectLocation {
  tier: DirectTier;
  bucket: string;
  tenant: string;
  /** The user-pool `sub` or the identity id, per `homeKey`. */
  home: string;
  /** `tenants/{tenant}/home/{home}/` */
  prefix: string;
}

/**
 * A listed object. Unlike the core's listing there is no `scanStatus`: the app role may not read
 * object tags (so that it can never be given the right to write them).
 */
export type DirectObject = Omit<StoredObject, "scanStatus">;
export type DirectObjectPage = { objects: DirectObject[]; nextCursor?: string };
/** S3's own listing: by key, every object under `prefix` (no folders, sorting or metadata: those come from the API's object index). */
export type DirectListOptions = Pick<ListOptions, "prefix" | "cursor" | "limit" | "signal">;

export interface DirectClient {
  /**
   * Uploads `source` to `options.path` in the user's home; await the task, or cancel it. Bytes and
   * Blobs go to lib-storage as they are (a Blob is streamed part by part, not copied). A byte source
   * is read with one `slice(0, size)`: a web File's slice is a Blob and costs nothing, but a React
   * Native file module's slice loads the whole file into memory; for large files there, prefer the
   * core client, which reads one part at a time.
   */
  upload(source: UploadSource, options: DirectUploadOptions): DirectUploadTask;
  /** One page of the user's objects, paths relative to the home. */
  list(options?: DirectListOptions): Promise<DirectObjectPage>;
  /**
   * A presigned GET signed on the device with the session's credentials, no request made. In the
   * full profile S3 answers it only once the scanner tagged the object clean (403 before).
   */
  getUrl(path: string, options?: { signal?: AbortSignal; expiresIn?: number }): Promise<SignedUrl>;
  /** Deletes an object; deleting one that is not there succeeds. */
  remove(path: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** The user's bucket (or access point) and home prefix, read from the token (and credentials). */
  location(): Promise<DirectLocation>;
  /** Closes the S3 client's connections. */
  destroy(): void;
}

const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;
const MAX_URL_SECONDS = 900;

/**
 * Access pattern 1: the app calls S3 itself with temporary credentials of the identity pool's
 * authenticated role, in the same home as the presigned API (`tenants/{tenant}/home/{home}/`). It
 * makes only requests that role allows (infra/tenancy/access-policies.ts): PutObject and multipart
 * uploads, DeleteObject, GetObject (presigned), and ListBucket with a prefix under the home.
 * Content types, sizes and quotas are not checked here: IAM cannot, and stacks that need them use
 * the presigned API. One client per signed-in user: the home is read once.
 */
export function createDirectClient(options: DirectClientOptions): DirectClient {
  checkDirectOptions(options);
  const log = safeLogger(options.logger);
  const credentials = explainedCredentials(options.credentials ?? identityPoolCredentials(options));
  const s3 = new S3Client({
    // The SDK's default (WHEN_SUPPORTED) adds a CRC32 to every PutObject and UploadPart and makes
    // lib-storage create multipart uploads with ChecksumAlgorithm CRC32. Ceph RGW before Reef (the
    // local engine is Pacific) ignores those headers, so it would be an integrity check in name
    // only; a body the SDK cannot hash up front fails outright ("Unable to calculate hash for
    // flowing readable stream") or needs aws-chunked trailers; and in a browser every checksum
    // header must pass the bucket's CORS rule, which exposes only ETag, so response checksums could
    // not be read. Only where S3 requires one (none of direct mode's operations) is a checksum sent.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    ...options.s3,
    region: options.region,
    credentials,
  });
  const context = { s3, log, concurrency: options.concurrency ?? 3, partSize: options.partSize ?? MIN_PART_BYTES };

  let located: Promise<DirectLocation> | undefined;
  const location = (): Promise<DirectLocation> => {
    located ??= locate().catch((err: unknown) => {
      located = undefined;
      throw err;
    });
    return located;
  };

  async function locate(): Promise<DirectLocation> {
    const { tenant, sub } = tenantAndSub(unverifiedClaims(await options.getToken({ forceRefresh: false })), options.tenantClaim);
    const home = options.homeKey === "identityId" ? identityIdOf(await s3.config.credentials()) : sub;
    const { tier, bucket } = storageTarget(options.storage, tenant);
    return { tier, bucket, tenant, home, prefix: homePrefix(tenant, home) };
  }

  /** `work` with its failures as `StorageError`s naming `operation`; an abort rethrows the signal's reason, as the core does. */
  async function run<T>(operation: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    if (signal?.aborted) {
      throw signal.reason;
    }
    try {
      return await work();
    } catch (err) {
      if (signal?.aborted) {
        throw signal.reason;
      }
      throw storageErrorOf(operation, err);
    }
  }

  return {
    upload(source, uploadOptions) {
      const byteSource = toByteSource(source);
      const path = checkUploadOptions(uploadOptions, byteSource.size);
      const target = location().then((where) => ({ bucket: where.bucket, key: keyOf(where.prefix, path, "upload"), owner: where.home }));
      return new DirectUploadTask(context, target, byteSource, { ...uploadOptions, path });
    },

    async list(listOptions = {}) {
      const prefix = checkPrefix(listOptions.prefix, "list");
      const limit = listOptions.limit ?? DEFAULT_LIST_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
        throw new StorageArgumentError(`list: [limit] must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
      }
      if (listOptions.cursor !== undefined && (typeof listOptions.cursor !== "string" || listOptions.cursor === "")) {
        throw new StorageArgumentError("list: [cursor] must be the nextCursor of the previous page");
      }
      return run(`list ${prefix || "the home"}`, listOptions.signal, async () => {
        const where = await location();
        // The role may list only with s3:prefix under the home, which this prefix always is.
        const answer = await s3.send(
          new ListObjectsV2Command({ Bucket: where.bucket, Prefix: keyOf(where.prefix, prefix, "list"), MaxKeys: limit, ContinuationToken: listOptions.cursor }),
          { abortSignal: listOptions.signal },
        );
        const objects = (answer.Contents ?? [])
          .filter((o) => o.Key?.startsWith(where.prefix) && isVisible(o.Key.slice(where.prefix.length)))
          .map((o) => ({
            path: o.Key!.slice(where.prefix.length),
            size: o.Size ?? 0,
            etag: o.ETag ?? "",
            lastModified: o.LastModified?.toISOString() ?? "",
          }));
        return { objects, ...(answer.IsTruncated && answer.NextContinuationToken ? { nextCursor: answer.NextContinuationToken } : {}) };
      });
    },

    async getUrl(path, callOptions = {}) {
      const relative = checkPath(path, "getUrl");
      const expiresIn = callOptions.expiresIn ?? options.urlExpiresIn ?? 300;
      checkExpiry(expiresIn, "getUrl: [expiresIn]");
      return run(`get a URL for ${relative}`, callOptions.signal, async () => {
        const where = await location();
        const key = keyOf(where.prefix, relative, "getUrl");
        const signingCredentials = await s3.config.credentials();
        const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: where.bucket, Key: key }), { expiresIn });
        // A URL signed with session credentials stops working when the session ends.
        const until = Math.min(Date.now() + expiresIn * 1000, signingCredentials.expiration?.getTime() ?? Infinity);
        return { url, expiresAt: new Date(until).toISOString() };
      });
    },

    async remove(path, callOptions = {}) {
      const relative = checkPath(path, "remove");
      await run(`delete ${relative}`, callOptions.signal, async () => {
        const where = await location();
        await s3.send(new DeleteObjectCommand({ Bucket: where.bucket, Key: keyOf(where.prefix, relative, "remove") }), { abortSignal: callOptions.signal });
      });
    },

    location,

    destroy() {
      s3.destroy();
    },
  };
}

function checkUploadOptions(options: DirectUploadOptions, size: number): string {
  const path = checkPath(options?.path, "upload");
  if (typeof options.contentType !== "string" || options.contentType === "") {
    throw new StorageArgumentError("upload: [contentType] must be a media type such as image/jpeg");
  }
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new StorageArgumentError(`upload: the source must hold at least one byte, got ${size}`);
  }
  checkConcurrency(options.concurrency, "upload");
  return path;
}

function checkConcurrency(value: number | undefined, where: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > 32)) {
    throw new StorageArgumentError(`${where}: [concurrency] must be an integer from 1 to 32, got ${value}`);
  }
}

function checkExpiry(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_URL_SECONDS) {
    throw new StorageArgumentError(`${name} must be a whole number of seconds from 1 to ${MAX_URL_SECONDS} (presigned URLs live at most 15 minutes), got ${value}`);
  }
}

function checkDirectOptions(options: DirectClientOptions): void {
  const fail = (message: string) => new StorageArgumentError(`createDirectClient: ${message}`);
  if (typeof options?.region !== "string" || !/^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(options.region)) {
    throw fail(`[region] must be an AWS region such as eu-west-1 (appConfig.region), got ${JSON.stringify(options?.region)}`);
  }
  const { region } = options;
  if (typeof options.identityPoolId !== "string" || !options.identityPoolId.startsWith(`${region}:`) || !/^[\w-]+:[0-9a-f-]+$/.test(options.identityPoolId)) {
    throw fail(`[identityPoolId] must be an identity pool id in ${region}, "${region}:<uuid>" (appConfig.identityPoolId)`);
  }
  if (typeof options.userPoolId !== "string" || !options.userPoolId.startsWith(`${region}_`) || !/^[\w-]+_[0-9a-zA-Z]+$/.test(options.userPoolId)) {
    throw fail(`[userPoolId] must be a user pool id in ${region}, "${region}_<id>" (appConfig.userPoolId)`);
  }
  if (typeof options.getToken !== "function") {
    throw fail("[getToken] must be a function returning the user's ID token");
  }
  const storage = options.storage;
  if (typeof storage?.pooledBucket !== "string" || storage.pooledBucket === "" || typeof storage.tenants !== "object" || storage.tenants === null) {
    throw fail("[storage] must be the stack output appConfig.storage: { pooledBucket, tenants }");
  }
  if (options.homeKey !== "userSub" && options.homeKey !== "identityId") {
    throw fail(`[homeKey] must be "userSub" or "identityId" (appConfig.homeKey), got ${JSON.stringify(options.homeKey)}`);
  }
  if (typeof options.tenantClaim !== "string" || options.tenantClaim === "") {
    throw fail("[tenantClaim] must be the ID token claim that names the tenant (appConfig.tenantClaim), e.g. custom:tenant");
  }
  if (options.credentials !== undefined && typeof options.credentials !== "function") {
    throw fail("[credentials] must be a credential provider function");
  }
  checkConcurrency(options.concurrency, "createDirectClient");
  const partSize = options.partSize;
  if (partSize !== undefined && (!Number.isSafeInteger(partSize) || partSize < MIN_PART_BYTES || partSize > MAX_PART_BYTES)) {
    throw fail(`[partSize] must be a whole number of bytes from ${MIN_PART_BYTES} (5 MiB) to ${MAX_PART_BYTES} (5 GiB), got ${partSize}`);
  }
  if (options.urlExpiresIn !== undefined) {
    checkExpiry(options.urlExpiresIn, "createDirectClient: [urlExpiresIn]");
  }
}
