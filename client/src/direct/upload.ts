import { CompleteMultipartUploadCommand, PutObjectCommand, type S3Client, UploadPartCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { StorageArgumentError, UploadCancelledError } from "../errors";
import { type Log } from "../log";
import { ProgressMeter } from "../progress";
import { type ByteSource, type Chunk } from "../source";
import { type UploadOptions, type UploadResult } from "../upload";
import { errorName, storageErrorOf } from "./failures";

/** The core's upload options that S3 alone can honour (no checksum option, no resuming). */
export type DirectUploadOptions = Pick<UploadOptions, "path" | "contentType" | "onProgress" | "signal" | "concurrency">;

export type DirectUploadStatus = "running" | "completed" | "failed" | "cancelled";

/** S3's multipart rules: parts of 5 MiB to 5 GiB, except the last; at most 10,000 parts. */
export const MIN_PART_BYTES = 5 * 1024 ** 2;
export const MAX_PART_BYTES = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;

export interface DirectUploadContext {
  s3: S3Client;
  log: Log;
  concurrency: number;
  partSize: number;
}

export interface UploadTarget {
  bucket: string;
  key: string;
  /** The home the object is written into: its `owner` tag, as every write path sets it (the app role allows exactly this tag). */
  owner: string;
}

/**
 * One direct upload through `@aws-sdk/lib-storage`: a single PutObject up to `partSize`, multipart
 * above. `await` it, or `cancel()` it; there is no pause or resume (lib-storage keeps no state a
 * later upload could continue; the presigned client of the core does).
 *
 * Cancelling aborts the PutObject or the parts in flight, then lets lib-storage abort the
 * multipart upload (`leavePartsOnError: false`) before `done` rejects, so once it has rejected S3
 * holds nothing of the upload; cancelled after the last part, it is aborted instead of completed.
 * CreateMultipartUpload and CompleteMultipartUpload are never cut off midway: an upload S3 created
 * but the client never heard of could not be aborted, and a completion cut off may have happened
 * anyway. A cancel that comes while S3 completes the upload (or answers its single PutObject)
 * therefore leaves the object, and the task resolves.
 */
export class DirectUploadTask implements PromiseLike<UploadResult> {
  readonly done: Promise<UploadResult>;
  private state: DirectUploadStatus = "running";
  private readonly interrupt = new AbortController();
  private settled: Promise<void> | undefined;

  constructor(
    private readonly context: DirectUploadContext,
    target: Promise<UploadTarget>,
    private readonly source: ByteSource,
    private readonly options: DirectUploadOptions,
  ) {
    if (options.signal?.aborted) {
      this.interrupt.abort();
    }
    options.signal?.addEventListener("abort", () => void this.cancel(), { once: true });
    this.done = this.run(target).then(
      (result) => {
        this.state = "completed";
        return result;
      },
      (err: unknown) => {
        if (this.interrupt.signal.aborted) {
          this.state = "cancelled";
          if (err instanceof UploadCancelledError || errorName(err) === "AbortError") {
            this.context.log.info("upload cancelled", { path: options.path });
          } else {
            // Most likely AbortMultipartUpload itself failed: the bucket's lifecycle rule removes what it could not.
            this.context.log.warn("upload cancelled, but not cleanly; the bucket lifecycle removes any parts left", { path: options.path, error: storageErrorOf(`cancel the upload of ${options.path}`, err) });
          }
          throw new UploadCancelledError(options.path);
        }
        this.state = "failed";
        const failure = storageErrorOf(`upload ${options.path}`, err);
        this.context.log.error("upload failed", { path: options.path, error: failure });
        throw failure;
      },
    );
  }

  get status(): DirectUploadStatus {
    return this.state;
  }

  then<A = UploadResult, B = never>(onDone?: ((value: UploadResult) => A | PromiseLike<A>) | null, onFail?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.done.then(onDone, onFail);
  }

  /**
   * Stops the upload and aborts its multipart upload. `done` rejects with `UploadCancelledError`
   * (unless the upload was already completing). Resolves once S3 has been told.
   */
  cancel(): Promise<void> {
    if (this.settled === undefined) {
      this.interrupt.abort();
      // The caller asked for the rejection; it must not surface as an unhandled one.
      this.settled = this.done.then(
        () => undefined,
        () => undefined,
      );
    }
    return this.settled;
  }

  private async run(target: Promise<UploadTarget>): Promise<UploadResult> {
    const { path, contentType, onProgress } = this.options;
    const { bucket, key, owner } = await target;
    this.checkCancelled();
    const size = this.source.size;
    const partSize = Math.max(this.context.partSize, Math.ceil(size / MAX_PARTS));
    const partCount = size <= partSize ? 1 : Math.ceil(size / partSize);
    const body = await uploadBody(await this.source.slice(0, size));
    this.checkCancelled();

    const progress = new ProgressMeter(size, partCount, onProgress, this.context.log);
    progress.report();
    const parts: { partNumber: number; etag: string }[] = [];
    const client = interruptible(this.context.s3, this.interrupt.signal, (partNumber, etag, bytes) => {
      parts.push({ partNumber, etag });
      progress.confirm(bytes);
    });
    this.context.log.debug("upload started", { path, size, partSize, partCount });
    const upload = new Upload({
      client,
      // On the PutObject, or on the CreateMultipartUpload (S3 applies it at completion).
      params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType, Tagging: `owner=${encodeURIComponent(owner)}` },
      queueSize: Math.min(this.options.concurrency ?? this.context.concurrency, partCount),
      partSize,
      leavePartsOnError: false,
    });
    const output = await upload.done();
    progress.finish();
    const etag = output.ETag ?? "";
    return {
      path,
      size,
      etag,
      mode: partCount === 1 ? "single" : "multipart",
      parts: partCount === 1 ? [{ partNumber: 1, etag }] : parts.sort((a, b) => a.partNumber - b.partNumber),
      resumedParts: 0,
    };
  }

  private checkCancelled(): void {
    if (this.interrupt.signal.aborted) {
      throw new UploadCancelledError(this.options.path);
    }
  }
}

/**
 * `s3` as this upload's lib-storage sees it: PutObject and UploadPart carry the upload's abort
 * signal, CompleteMultipartUpload is not sent once it fired, and each part S3 confirmed is
 * reported. lib-storage's own `abort()` is not used: it passes no signal to requests and rejects
 * `done()` at once, before the multipart upload is aborted. A request failing this way instead
 * makes lib-storage abort the multipart upload first, then reject. Everything else is the shared
 * client, reached through the prototype.
 */
function interruptible(s3: S3Client, signal: AbortSignal, onPart: (partNumber: number, etag: string, bytes: number) => void): S3Client {
  const client = Object.create(s3) as S3Client;
  const send = async (command: Parameters<S3Client["send"]>[0], options?: Parameters<S3Client["send"]>[1]) => {
    if (command instanceof CompleteMultipartUploadCommand && signal.aborted) {
      // Cancelled after the last part: lib-storage aborts the multipart upload when completing fails.
      throw Object.assign(new Error("the upload was cancelled"), { name: "AbortError" });
    }
    const sendable = command instanceof UploadPartCommand || command instanceof PutObjectCommand;
    const output = await s3.send(command, sendable ? { ...options, abortSignal: signal } : options);
    if (command instanceof UploadPartCommand) {
      onPart(command.input.PartNumber ?? 0, (output as { ETag?: string }).ETag ?? "", byteLength(command.input.Body));
    }
    return output;
  };
  Object.defineProperty(client, "send", { value: send });
  return client;
}

/**
 * The body lib-storage gets. Bytes and Blobs go as they are: lib-storage cuts bytes into parts
 * without copying and streams a Blob part by part. A Blob that can neither be streamed nor read
 * (some React Native versions) cannot be uploaded here.
 */
async function uploadBody(chunk: Chunk): Promise<Uint8Array | Blob> {
  if (chunk instanceof Uint8Array) {
    return chunk;
  }
  const blob = chunk as Blob & { stream?: unknown; arrayBuffer?: unknown };
  if (typeof blob.stream === "function") {
    return blob;
  }
  if (typeof blob.arrayBuffer === "function") {
    return new Uint8Array(await blob.arrayBuffer());
  }
  throw new StorageArgumentError("upload: this platform's Blob can be neither streamed nor read; pass a Uint8Array, or a byte source whose slice returns bytes");
}

function byteLength(body: unknown): number {
  const b = body as { byteLength?: unknown; size?: unknown } | undefined;
  return typeof b?.byteLength === "number" ? b.byteLength : typeof b?.size === "number" ? b.size : 0;
}
