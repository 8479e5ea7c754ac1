import { type ControlPlane } from "./api";
import { sha256Base64, type Sha256 } from "./checksum";
import { StorageArgumentError, StorageError, UploadCancelledError } from "./errors";
import { fetchOnce, type HttpAnswer, type HttpContext, retrying, s3ErrorCode, s3ErrorMessage } from "./http";
import { type UploadJournal, type UploadRecord } from "./journal";
import { type Log } from "./log";
import { sameMetadata, uploadMetadata } from "./metadata";
import { objectRecord } from "./objects";
import { PartUrls } from "./part-urls";
import { ProgressMeter, type UploadProgress } from "./progress";
import { sleep } from "./retry";
import { type ByteSource, bytesOf, chunkSize, sampleFingerprint } from "./source";
import { type Completed, type ListedParts, type MultipartPlan, type ObjectRecord, type SinglePlan, type UploadPlan, uploadRoute } from "./wire";

export interface UploadOptions {
  /** Where the file goes, relative to the user's home (the server derives the rest from the token). */
  path: string;
  /** Must be on the stack's allowlist (`allowedContentTypes`). */
  contentType: string;
  /**
   * Custom metadata stored with the object (S3 user-defined metadata) and shown by `list` and `meta`:
   * at most 10 keys of lowercase letters, digits and hyphens, string values, 2 KB in all. A map the
   * server would refuse rejects the task with `StorageError` code `InvalidMetadata` before any request.
   * @default none
   * @example { album: "Summer 2026", "taken-by": "Zoë" }
   */
  metadata?: Record<string, string>;
  /** Called with confirmed bytes; monotonic, first at 0%, last exactly once at 100%. */
  onProgress?: (progress: UploadProgress) => void;
  /** Aborting it cancels the upload (and aborts its multipart upload), like `cancel()`. */
  signal?: AbortSignal;
  /** Parts sent at once. @default the client's `concurrency` (3) */
  concurrency?: number;
  /** Sends a SHA-256 of the file that S3 checks (single uploads; the server signs it into the URL). @default false */
  checksum?: boolean;
  /** Look for a saved upload of this path, size and type and continue it. @default true */
  resume?: boolean;
}

export interface UploadResult {
  path: string;
  size: number;
  /** S3's ETag of the object (quoted, `"…-N"` for N parts); empty if the engine did not give one. */
  etag: string;
  mode: "single" | "multipart";
  /** Each part's ETag as S3 answered it (one entry for a single PUT). */
  parts: { partNumber: number; etag: string }[];
  /** Parts that were already on the server when this upload started (a resumed upload). */
  resumedParts: number;
}

export type UploadStatus = "running" | "paused" | "completed" | "failed" | "cancelled";

export interface UploadContext {
  api: ControlPlane;
  http: HttpContext;
  journal: UploadJournal;
  log: Log;
  sha256: Sha256 | undefined;
  concurrency: number;
  partUrlBatch: number;
}

/** Why in-flight requests were aborted: the app paused, or cancelled. */
const PAUSED = Symbol("paused");
const CANCELLED = Symbol("cancelled");

/**
 * One upload: `await` it (or `.done`), and `pause()`, `resume()` or `cancel()` it while it runs.
 * Pausing aborts the parts in flight (their bytes are sent again on resume) and keeps everything S3
 * confirmed; a failed upload keeps its saved state too, so calling `upload` again for the same
 * file continues it.
 */
export class UploadTask implements PromiseLike<UploadResult> {
  readonly done: Promise<UploadResult>;
  private state: UploadStatus = "running";
  private interrupt = new AbortController();
  private resumed: { promise: Promise<void>; resolve: () => void } | undefined;
  private record: UploadRecord | undefined;
  private cancelling: Promise<void> | undefined;
  /** `options.metadata` as the server stores it, once checked. */
  private metadata: Record<string, string> = {};

  constructor(
    private readonly context: UploadContext,
    private readonly source: ByteSource,
    private readonly options: UploadOptions,
  ) {
    checkOptions(options, source);
    if (options.signal?.aborted) {
      this.state = "cancelled";
    }
    options.signal?.addEventListener("abort", () => void this.cancel(), { once: true });
    this.done = this.run().then(
      (result) => {
        this.state = "completed";
        return result;
      },
      async (err: unknown) => {
        if (this.state === "cancelled") {
          await this.abortRemote();
          throw new UploadCancelledError(options.path);
        }
        this.state = "failed";
        this.context.log.error("upload failed", { path: options.path, error: err });
        throw err;
      },
    );
  }

  get status(): UploadStatus {
    return this.state;
  }

  then<A = UploadResult, B = never>(onDone?: ((value: UploadResult) => A | PromiseLike<A>) | null, onFail?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.done.then(onDone, onFail);
  }

  /** Stops sending: parts in flight are aborted, confirmed parts are kept. No-op unless running. */
  pause(): void {
    if (this.state !== "running") {
      return;
    }
    this.state = "paused";
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.resumed = { promise, resolve };
    this.interrupt.abort(PAUSED);
    this.context.log.info("upload paused", { path: this.options.path });
  }

  /** Continues a paused upload (signing part URLs again if they expired meanwhile). */
  resume(): void {
    if (this.state !== "paused") {
      return;
    }
    this.state = "running";
    this.interrupt = new AbortController();
    this.resumed?.resolve();
    this.resumed = undefined;
    this.context.log.info("upload resumed", { path: this.options.path });
  }

  /**
   * Stops for good: aborts the requests in flight and the multipart upload (S3 drops its parts) and
   * forgets the saved state. `done` rejects with `UploadCancelledError`. Resolves once S3 has been told.
   */
  cancel(): Promise<void> {
    if (this.state === "completed" || this.state === "failed") {
      return Promise.resolve();
    }
    if (this.cancelling === undefined) {
      this.state = "cancelled";
      this.interrupt.abort(CANCELLED);
      this.resumed?.resolve();
      // The caller asked for the rejection; it must not surface as an unhandled one.
      this.cancelling = this.done.then(
        () => undefined,
        () => undefined,
      );
    }
    return this.cancelling;
  }

  private async run(): Promise<UploadResult> {
    const { path, contentType } = this.options;
    this.metadata = uploadMetadata(path, this.options.metadata);
    const size = this.source.size;
    const key = this.context.journal.keyOf(path, size, contentType);
    // Read only where a multipart upload needs it: a single PUT (most photos) never touches it.
    let sampled: Promise<string> | undefined;
    const fingerprint = () => (sampled ??= sampleFingerprint(this.source));
    this.checkCancelled();

    const saved = this.options.resume === false ? undefined : await this.context.journal.load(key);
    if (saved !== undefined) {
      const current = await fingerprint();
      const resumed = await this.step((signal) => this.reconcile(saved, current, signal));
      if (resumed !== undefined) {
        return this.multipart(resumed);
      }
    }
    // Not interruptible: an upload S3 created must be known here, or cancel could not abort it.
    const plan = await this.plan();
    if (plan.mode === "single") {
      this.checkCancelled();
      return this.single(plan);
    }
    this.record = {
      version: 1,
      key,
      requestedPath: path,
      path: plan.path,
      size,
      contentType,
      metadata: this.metadata,
      fingerprint: "",
      uploadId: plan.uploadId,
      partSize: plan.partSize,
      partCount: plan.partCount,
      parts: [],
      createdAt: new Date().toISOString(),
    };
    // Set before the record is saved; the record exists already, so a cancel meanwhile aborts the upload.
    this.record.fingerprint = await fingerprint();
    // Cancelled while S3 created it: the record lets the cancellation abort it.
    this.checkCancelled();
    checkLayout(plan, size);
    await this.context.journal.save(key, () => this.record!);
    return this.multipart(this.record, plan.parts);
  }

  private async plan(signal?: AbortSignal): Promise<UploadPlan> {
    const { path, contentType } = this.options;
    const size = this.source.size;
    let checksumSHA256: string | undefined;
    if (this.options.checksum === true && size <= MAX_CHECKSUM_BYTES) {
      checksumSHA256 = await sha256Base64(await bytesOf(await this.source.slice(0, size)), this.context.sha256);
    }
    const { body } = await this.context.api.call<UploadPlan>({
      operation: `start the upload of ${path}`,
      method: "POST",
      route: "/v1/uploads",
      body: {
        path,
        contentType,
        size,
        ...(checksumSHA256 === undefined ? {} : { checksumSHA256 }),
        // Left out when empty, so an upload without metadata is the request it always was.
        ...(Object.keys(this.metadata).length === 0 ? {} : { metadata: this.metadata }),
      },
      signal,
    });
    return body;
  }

  private async single(first: SinglePlan): Promise<UploadResult> {
    const progress = new ProgressMeter(this.source.size, 1, this.options.onProgress, this.context.log);
    progress.report();
    const body = await this.source.slice(0, this.source.size);
    let plan = first;
    let replanned = false;
    const answer = await this.step(async (signal) => {
      for (;;) {
        if (Date.parse(plan.expiresAt) <= Date.now()) {
          plan = (await this.plan(signal)) as SinglePlan;
        }
        const put = await this.s3Put(`PUT ${plan.path}`, plan.url, { method: plan.method, headers: plan.headers, body: body as RequestInit["body"] }, signal);
        if (put.status === 403 && !replanned) {
          // Most likely the URL expired while the app was paused or offline: sign again, once.
          replanned = true;
          plan = (await this.plan(signal)) as SinglePlan;
          continue;
        }
        return put;
      }
    });
    if (answer.status !== 200) {
      throw s3Failure(`PUT ${plan.path}`, answer);
    }
    const etag = answer.headers.get("etag") ?? "";
    progress.finish();
    return { path: plan.path, size: this.source.size, etag, mode: "single", parts: [{ partNumber: 1, etag }], resumedParts: 0 };
  }

  /** A saved upload checked against the server's list of parts; undefined if it cannot continue. */
  private async reconcile(saved: UploadRecord, fingerprint: string, signal?: AbortSignal): Promise<UploadRecord | undefined> {
    // S3 fixed the metadata when it created the upload: completing it would store the old map.
    const other = saved.fingerprint !== fingerprint ? "content" : !sameMetadata(saved.metadata ?? {}, this.metadata) ? "metadata" : undefined;
    if (other !== undefined) {
      this.context.log.info(`saved upload is of other ${other}; starting again`, { path: saved.path });
      await this.abortUpload(saved, signal);
      await this.context.journal.remove(saved.key);
      return undefined;
    }
    let listed: ListedParts;
    try {
      listed = (await this.context.api.call<ListedParts>({
        operation: `list the parts of ${saved.path}`,
        method: "GET",
        route: uploadRoute(saved.uploadId, "/parts"),
        query: { path: saved.path },
        signal,
      })).body;
    } catch (err) {
      if (err instanceof StorageError && err.status === 404) {
        // Completed, aborted or expired by the bucket's lifecycle: nothing to continue.
        this.context.log.info("saved upload is gone on the server; starting again", { path: saved.path });
        await this.context.journal.remove(saved.key);
        return undefined;
      }
      throw err;
    }
    // The server is the truth: a part saved here but lost there is sent again; one S3 has that was
    // never saved here (the app died between S3's answer and the save) is kept.
    const parts = listed.parts
      .filter((part) => part.partNumber >= 1 && part.partNumber <= saved.partCount && part.size === partBytes(saved, part.partNumber))
      .map((part): [number, string, number] => [part.partNumber, part.etag, part.size]);
    this.record = { ...saved, parts };
    this.context.log.info("resuming upload", { path: saved.path, partsOnServer: parts.length, partCount: saved.partCount });
    await this.context.journal.save(saved.key, () => this.record!);
    return this.record;
  }

  private async multipart(record: UploadRecord, signed?: MultipartPlan["parts"]): Promise<UploadResult> {
    const resumedParts = record.parts.length;
    const progress = new ProgressMeter(record.size, record.partCount, this.options.onProgress, this.context.log);
    progress.restore(
      record.parts.reduce((sum, [, , bytes]) => sum + bytes, 0),
      record.parts.length,
    );
    const done = new Set(record.parts.map(([n]) => n));
    const queue = Array.from({ length: record.partCount }, (_, i) => i + 1).filter((n) => !done.has(n));
    const sending = new Set<number>();
    // One batch request then covers the parts every worker is about to send, not one request each.
    const urls = new PartUrls(this.context.api, record, this.context.partUrlBatch, () => [...sending, ...queue]);
    urls.add(signed);
    const failure = new AbortController();

    const worker = async () => {
      while (queue.length > 0 && !failure.signal.aborted) {
        const partNumber = queue.shift()!;
        sending.add(partNumber);
        try {
          await this.step((signal) => this.sendPart(record, partNumber, urls, signal, progress));
        } catch (err) {
          failure.abort();
          this.interrupt.abort(err);
          throw err;
        } finally {
          sending.delete(partNumber);
        }
      }
    };
    const concurrency = Math.max(1, Math.min(this.options.concurrency ?? this.context.concurrency, queue.length));
    const results = await Promise.allSettled(Array.from({ length: concurrency }, worker));
    const firstFailure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (firstFailure !== undefined) {
      throw firstFailure.reason;
    }
    const completed = await this.step((signal) => this.complete(record, signal));
    await this.context.journal.remove(record.key);
    progress.finish();
    const parts = partsInOrder(record);
    return { path: completed.path, size: completed.size, etag: completed.etag, mode: "multipart", parts, resumedParts };
  }

  private async sendPart(record: UploadRecord, partNumber: number, urls: PartUrls, signal: AbortSignal, progress: ProgressMeter): Promise<void> {
    const start = (partNumber - 1) * record.partSize;
    const body = await this.source.slice(start, Math.min(record.size, start + record.partSize));
    const size = chunkSize(body);
    const operation = `PUT part ${partNumber} of ${record.path}`;
    let resigned = false;
    for (;;) {
      const url = await urls.get(partNumber, signal);
      const answer = await this.s3Put(operation, url, { method: "PUT", body: body as RequestInit["body"] }, signal);
      if (answer.status === 403 && !resigned) {
        // Expired while paused or queued, or the device clock is off: sign this part again, once.
        resigned = true;
        urls.invalidate(partNumber);
        continue;
      }
      if (answer.status !== 200) {
        throw s3Failure(operation, answer);
      }
      const etag = answer.headers.get("etag");
      if (etag === null) {
        throw new StorageError(`${operation}: S3's answer carries no readable ETag; a web app needs ETag in the bucket's CORS ExposeHeaders`, {
          status: answer.status,
          code: "MissingETag",
        });
      }
      record.parts.push([partNumber, etag, size]);
      progress.confirm(size);
      await this.context.journal.save(record.key, () => record);
      return;
    }
  }

  private async complete(record: UploadRecord, signal: AbortSignal): Promise<Completed> {
    const parts = partsInOrder(record);
    let completed: Completed;
    try {
      completed = (await this.context.api.call<Completed>({
        operation: `complete the upload of ${record.path}`,
        method: "POST",
        route: uploadRoute(record.uploadId, "/complete"),
        body: { path: record.path, parts },
        signal,
      })).body;
    } catch (err) {
      // A completion whose answer was lost, retried: S3 no longer knows the upload because it worked.
      const landed = err instanceof StorageError && err.status === 404 ? await this.findCompleted(record, signal) : undefined;
      if (landed === undefined) {
        throw err;
      }
      completed = landed;
    }
    if (completed.size !== record.size) {
      throw new StorageError(`complete the upload of ${record.path}: the server stored ${completed.size} bytes, the file has ${record.size}`, {
        code: "SizeMismatch",
      });
    }
    return completed;
  }

  /**
   * The object a completion whose answer was lost left, from the object index. The index follows S3's
   * events, seconds behind: an object not there yet (or there in an older version) is looked up
   * again, backing off, before the upload counts as gone.
   */
  private async findCompleted(record: UploadRecord, signal: AbortSignal): Promise<Completed | undefined> {
    const since = Date.parse(record.createdAt) - CLOCK_SKEW_MS;
    const { retry } = this.context.http;
    for (let look = 1; ; look++) {
      const object = await this.indexed(record.path, signal);
      if (object !== undefined && object.size === record.size && Date.parse(object.lastModified) >= since) {
        return { path: object.path, etag: object.etag, size: object.size };
      }
      if (look >= INDEX_LOOKS) {
        return undefined;
      }
      await sleep(Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (look - 1)), signal);
    }
  }

  private async indexed(path: string, signal: AbortSignal): Promise<ObjectRecord | undefined> {
    try {
      return await objectRecord(this.context.api, path, { signal });
    } catch (err) {
      if (err instanceof StorageError && err.status === 404) {
        return undefined;
      }
      throw err;
    }
  }

  private s3Put(operation: string, url: string, init: RequestInit, signal: AbortSignal): Promise<HttpAnswer> {
    return retrying(this.context.http, () => fetchOnce(this.context.http, url, init, signal), { operation, signal, codeOf: s3ErrorCode });
  }

  /**
   * Runs `work` with the current interrupt signal; when the app pauses, waits for `resume()` and
   * runs it again from the start (a part is re-sent whole: S3 keeps no half parts).
   */
  private async step<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (;;) {
      this.checkCancelled();
      if (this.resumed !== undefined) {
        await this.resumed.promise;
        continue;
      }
      const signal = this.interrupt.signal;
      try {
        return await work(signal);
      } catch (err) {
        if (signal.aborted && signal.reason === PAUSED) {
          continue;
        }
        if (signal.aborted && signal.reason === CANCELLED) {
          throw new UploadCancelledError(this.options.path);
        }
        throw err;
      }
    }
  }

  private checkCancelled(): void {
    if (this.state === "cancelled") {
      throw new UploadCancelledError(this.options.path);
    }
  }

  private async abortRemote(): Promise<void> {
    if (this.record !== undefined) {
      await this.abortUpload(this.record);
      await this.context.journal.remove(this.record.key);
    }
  }

  private async abortUpload(record: UploadRecord, signal?: AbortSignal): Promise<void> {
    try {
      await this.context.api.call({
        operation: `abort the upload of ${record.path}`,
        method: "DELETE",
        route: uploadRoute(record.uploadId),
        query: { path: record.path },
        signal,
      });
    } catch (err) {
      if (!(err instanceof StorageError && err.status === 404)) {
        // The bucket's lifecycle rule removes what this could not; say so rather than fail the cancel.
        this.context.log.warn("could not abort the multipart upload; the bucket lifecycle will", { path: record.path, error: err });
      }
    }
  }
}

/** Files up to this size are hashed for `checksum` (the server accepts a checksum for single uploads only). */
const MAX_CHECKSUM_BYTES = 5 * 1024 ** 3;
/** How far the device clock may be behind S3's when deciding whether an object is this upload's. */
const CLOCK_SKEW_MS = 15 * 60_000;
/** Looks at the index for a completed upload: with the default backoff, about 8 s for the indexer to catch up. */
const INDEX_LOOKS = 6;

/** The confirmed parts as docs/API.md's completion and the result list them: by part number. */
function partsInOrder(record: UploadRecord): { partNumber: number; etag: string }[] {
  return [...record.parts].sort((a, b) => a[0] - b[0]).map(([partNumber, etag]) => ({ partNumber, etag }));
}

function partBytes(record: Pick<UploadRecord, "size" | "partSize">, partNumber: number): number {
  return Math.min(record.partSize, record.size - (partNumber - 1) * record.partSize);
}

function checkLayout(plan: MultipartPlan, size: number): void {
  if (!Number.isSafeInteger(plan.partSize) || plan.partSize < 1 || Math.ceil(size / plan.partSize) !== plan.partCount) {
    throw new StorageError(`start the upload of ${plan.path}: the server's part layout (${plan.partCount} × ${plan.partSize} bytes) does not fit ${size} bytes`, {
      code: "InvalidPartLayout",
    });
  }
}

function checkOptions(options: UploadOptions, source: ByteSource): void {
  if (typeof options?.path !== "string" || options.path === "") {
    throw new StorageArgumentError("upload: [path] must be the file's path in the user's home, e.g. photos/cat.jpg");
  }
  if (typeof options.contentType !== "string" || options.contentType === "") {
    throw new StorageArgumentError("upload: [contentType] must be a media type such as image/jpeg");
  }
  if (!Number.isSafeInteger(source.size) || source.size < 1) {
    throw new StorageArgumentError(`upload: the source must hold at least one byte, got ${source.size}`);
  }
  if (options.concurrency !== undefined && (!Number.isInteger(options.concurrency) || options.concurrency < 1 || options.concurrency > 32)) {
    throw new StorageArgumentError(`upload: [concurrency] must be an integer from 1 to 32, got ${options.concurrency}`);
  }
}

function s3Failure(operation: string, answer: HttpAnswer): StorageError {
  const code = s3ErrorCode(answer);
  const message = s3ErrorMessage(answer);
  return new StorageError(`${operation}: S3 answered ${answer.status}${code ? ` ${code}` : ""}${message ? ` (${message})` : ""}`, { status: answer.status, code });
}
