import { type Log } from "./log";

export interface UploadProgress {
  /** Bytes S3 has confirmed (whole parts; a single PUT counts when it is answered). */
  loaded: number;
  total: number;
  /** loaded ÷ total, from 0 to 1. */
  fraction: number;
  partsDone: number;
  partCount: number;
}

/**
 * Progress an app can draw a bar from: it counts only bytes S3 confirmed, so it never goes back
 * when a part is retried or a paused part is dropped, and it ends with exactly one event at 100%.
 */
export class ProgressMeter {
  private loaded = 0;
  private partsDone = 0;
  private lastReported = -1;

  constructor(
    private readonly total: number,
    private readonly partCount: number,
    private readonly listener: ((progress: UploadProgress) => void) | undefined,
    private readonly log: Log,
  ) {}

  /** Parts already on the server when an upload resumes. */
  restore(bytes: number, parts: number): void {
    this.loaded += bytes;
    this.partsDone += parts;
    this.report();
  }

  confirm(bytes: number): void {
    this.loaded = Math.min(this.total, this.loaded + bytes);
    this.partsDone = Math.min(this.partCount, this.partsDone + 1);
    this.report();
  }

  finish(): void {
    this.loaded = this.total;
    this.partsDone = this.partCount;
    this.report();
  }

  report(): void {
    if (this.listener === undefined || this.loaded <= this.lastReported) {
      return;
    }
    this.lastReported = this.loaded;
    const progress = { loaded: this.loaded, total: this.total, fraction: this.total === 0 ? 1 : this.loaded / this.total, partsDone: this.partsDone, partCount: this.partCount };
    try {
      this.listener(progress);
    } catch (err) {
      this.log.warn("onProgress threw; the upload goes on", { error: err });
    }
  }
}
