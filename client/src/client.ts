import { ControlPlane, type GetToken } from "./api";
import { platformSha256, type Sha256 } from "./checksum";
import { StorageArgumentError } from "./errors";
import { type FetchLike } from "./http";
import { type PendingUpload, UploadJournal } from "./journal";
import { safeLogger, type StorageLogger } from "./log";
import { DEFAULT_RETRY, type RetryOptions } from "./retry";
import { toByteSource, type UploadSource } from "./source";
import { type KeyValueStore } from "./stores/key-value-store";
import {
  type CallOptions,
  copyObject,
  type CopyOptions,
  listObjects,
  type ListOptions,
  listPages,
  objectRecord,
  removeFolder,
  type RemoveFolderOptions,
  removeObject,
  signedUrl,
  usageOf,
} from "./objects";
import { MemoryStore } from "./stores/memory-store";
import { type UploadOptions, UploadTask } from "./upload";
import { type CdnSession, type Copied, type ObjectListing, type ObjectRecord, type SignedUrl, type Usage } from "./wire";

export interface StorageClientOptions {
  /** The control-plane API's base URL: the stack output `appConfig.apiUrl` (or the sandbox's `api`). */
  apiUrl: string;
  /**
   * The signed-in user's Cognito ID token (Amplify Auth, AppAuth, or the sandbox's /dev/token). Called
   * before every request; with `forceRefresh: true` once after the API answered 401.
   */
  getToken: GetToken;
  /** Where multipart state survives an app restart (AsyncStorage-compatible). @default a MemoryStore */
  store?: KeyValueStore;
  /** Separates users or environments sharing one store. @default "default" */
  namespace?: string;
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** Hears about retries, pauses and failures; every line is redacted first. @default silent */
  logger?: StorageLogger;
  /** Parts in flight per upload. @default 3 */
  concurrency?: number;
  /** Part URLs asked for per request; at most the stack's `partUrlBatchMax`. @default 10 */
  partUrlBatch?: number;
  /** @default DEFAULT_RETRY: 6 attempts, 250 ms doubling to 20 s with full jitter, 120 s per request */
  retry?: Partial<RetryOptions>;
  /** SHA-256 for `checksum: true` where `crypto.subtle` is missing (React Native without a WebCrypto polyfill). */
  sha256?: Sha256;
  /** Randomness of the backoff; tests pass a seeded one. @default Math.random */
  random?: () => number;
}

export interface StorageClient {
  /** Uploads `source` to `options.path` in the user's home; await the task, or pause, resume, cancel it. */
  upload(source: UploadSource, options: UploadOptions): UploadTask;
  /**
   * One page of the user's objects from the object index, with their scan status, type and metadata;
   * with `delimiter: "/"` one folder's objects and subfolders. Sorted by name, modification time or size.
   */
  list(options?: ListOptions): Promise<ObjectListing>;
  /** Every page of a listing, following `nextCursor`: `for await (const { objects, folders } of client.listAll(…))`. */
  listAll(options?: ListOptions): AsyncIterableIterator<ObjectListing>;
  /** One object's record (`404 ObjectNotFound` if there is none). */
  meta(path: string, options?: CallOptions): Promise<ObjectRecord>;
  /** A short-lived presigned GET for an object scanned clean (409 NotScanned before). */
  getUrl(path: string, options?: CallOptions): Promise<SignedUrl>;
  /** Copies an object scanned clean within the home, server-side; the copy is scanned anew before it can be read. */
  copy(from: string, to: string, options?: CopyOptions): Promise<Copied>;
  /** Like `copy`, then deletes `from`. */
  move(from: string, to: string, options?: CopyOptions): Promise<Copied>;
  /** Deletes an object; deleting one that is not there succeeds. */
  remove(path: string, options?: CallOptions): Promise<void>;
  /** Deletes every object under a folder (`photos/2024/`), batch by batch; resolves with how many went. */
  removeFolder(prefix: string, options?: RemoveFolderOptions): Promise<{ deleted: number }>;
  /** The home's stored and reserved bytes, objects and open uploads, against its quota. */
  usage(options?: CallOptions): Promise<Usage>;
  /** CloudFront signed cookies for the user's home (full profile). Keep them out of logs. */
  cdnSession(options?: CallOptions): Promise<CdnSession>;
  /** Uploads a killed app left unfinished; call `upload` with the same file, path and metadata to continue one. */
  pendingUploads(): Promise<PendingUpload[]>;
}

/**
 * The app-side client of docs/API.md: presigned single and multipart uploads with retries,
 * resumable state and progress; listings, reads, copies, moves and deletes. It holds no AWS credentials and needs no Node
 * APIs: `fetch`, `AbortController` and (for checksums) `crypto.subtle` are all it uses.
 */
export function createStorageClient(options: StorageClientOptions): StorageClient {
  checkClientOptions(options);
  const log = safeLogger(options.logger);
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  // `{ maxAttempts: undefined }` keeps the default: spread as is, it would mean never giving up.
  const retry = { ...DEFAULT_RETRY, ...Object.fromEntries(Object.entries(options.retry ?? {}).filter(([, value]) => value !== undefined)) };
  const http = { fetch: fetchFn, retry, log, ...(options.random ? { random: options.random } : {}) };
  const api = new ControlPlane(options.apiUrl, options.getToken, http);
  const journal = new UploadJournal(options.store ?? new MemoryStore(), `${options.namespace ?? "default"}@${options.apiUrl}`);
  const context = {
    api,
    http,
    journal,
    log,
    sha256: options.sha256 ?? platformSha256(),
    concurrency: options.concurrency ?? 3,
    partUrlBatch: options.partUrlBatch ?? 10,
  };

  return {
    upload: (source, uploadOptions) => new UploadTask(context, toByteSource(source), uploadOptions),

    list: (listOptions) => listObjects(api, listOptions),
    listAll: (listOptions) => listPages(api, listOptions),
    meta: (path, callOptions) => objectRecord(api, path, callOptions),
    getUrl: (path, callOptions) => signedUrl(api, path, callOptions),
    copy: (from, to, copyOptions) => copyObject(api, "copy", from, to, copyOptions),
    move: (from, to, copyOptions) => copyObject(api, "move", from, to, copyOptions),
    remove: (path, callOptions) => removeObject(api, path, callOptions),
    removeFolder: (prefix, removeOptions) => removeFolder(api, prefix, removeOptions),
    usage: (callOptions) => usageOf(api, callOptions),

    async cdnSession(callOptions = {}) {
      const { body } = await api.call<CdnSession>({ operation: "start a CDN session", method: "POST", route: "/v1/cdn-session", signal: callOptions.signal });
      return body;
    },

    async pendingUploads() {
      const records = await journal.pending();
      return records.map((r) => ({
        path: r.requestedPath,
        size: r.size,
        contentType: r.contentType,
        metadata: r.metadata ?? {},
        partsDone: r.parts.length,
        partCount: r.partCount,
        createdAt: r.createdAt,
      }));
    },
  };
}

function checkClientOptions(options: StorageClientOptions): void {
  if (typeof options?.apiUrl !== "string" || !/^https?:\/\/[^/]+/.test(options.apiUrl)) {
    throw new StorageArgumentError(`createStorageClient: [apiUrl] must be the API's http(s) URL (appConfig.apiUrl), got ${JSON.stringify(options?.apiUrl)}`);
  }
  if (options.apiUrl.startsWith("http://") && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(options.apiUrl)) {
    throw new StorageArgumentError("createStorageClient: [apiUrl] must use https (plain http only for a local sandbox on loopback)");
  }
  if (typeof options.getToken !== "function") {
    throw new StorageArgumentError("createStorageClient: [getToken] must be a function returning the user's ID token");
  }
  if (options.fetch === undefined && typeof globalThis.fetch !== "function") {
    throw new StorageArgumentError("createStorageClient: this platform has no global fetch; pass [fetch]");
  }
  if (options.concurrency !== undefined && (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 32)) {
    throw new StorageArgumentError(`createStorageClient: [concurrency] must be an integer from 1 to 32, got ${options.concurrency}`);
  }
  if (options.partUrlBatch !== undefined && (!Number.isInteger(options.partUrlBatch) || options.partUrlBatch < 1 || options.partUrlBatch > 100)) {
    throw new StorageArgumentError(`createStorageClient: [partUrlBatch] must be an integer from 1 to 100 (and at most the stack's partUrlBatchMax), got ${options.partUrlBatch}`);
  }
  const retry = options.retry ?? {};
  for (const [name, min] of [["maxAttempts", 1], ["baseDelayMs", 0], ["maxDelayMs", 0], ["requestTimeoutMs", 1]] as const) {
    const value = retry[name];
    if (value !== undefined && (!Number.isFinite(value) || value < min)) {
      throw new StorageArgumentError(`createStorageClient: [retry.${name}] must be a number ≥ ${min}, got ${value}`);
    }
  }
}
