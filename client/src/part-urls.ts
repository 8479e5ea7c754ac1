import { type ControlPlane } from "./api";
import { type SignedPart, type SignedParts, uploadRoute } from "./wire";

/** A URL this close to its expiry is fetched again rather than risk a 403 halfway through a part. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Presigned part URLs, fetched in batches (POST /v1/uploads/{id}/parts) just ahead of the parts
 * that need them: a paused upload does not hold thousands of URLs that expire in 15 minutes, and
 * workers asking at once share one request.
 */
export class PartUrls {
  private readonly cache = new Map<number, { url: string; expiresAt: number }>();
  private readonly fetching = new Map<number, Promise<void>>();

  constructor(
    private readonly api: ControlPlane,
    private readonly upload: { uploadId: string; path: string },
    private readonly batchSize: number,
    /** Part numbers not yet confirmed (those being sent first, then the queue), in the order they go. */
    private readonly upcoming: () => readonly number[],
    private readonly now: () => number = Date.now,
  ) {}

  async get(partNumber: number, signal: AbortSignal): Promise<string> {
    for (;;) {
      const hit = this.cache.get(partNumber);
      if (hit !== undefined && hit.expiresAt - this.now() > EXPIRY_MARGIN_MS) {
        return hit.url;
      }
      await (this.fetching.get(partNumber) ?? this.fetchBatch(partNumber, signal));
      if (!this.cache.has(partNumber)) {
        // The batch that was to carry this part failed for another worker (paused): ask again.
        continue;
      }
      const fresh = this.cache.get(partNumber)!;
      if (fresh.expiresAt - this.now() <= EXPIRY_MARGIN_MS) {
        // Lifetimes shorter than the margin (a test stack's): use the URL rather than loop.
        return fresh.url;
      }
    }
  }

  /** URLs the server already sent (with the multipart plan). */
  add(parts: readonly SignedPart[] | undefined): void {
    for (const part of parts ?? []) {
      this.cache.set(part.partNumber, { url: part.url, expiresAt: Date.parse(part.expiresAt) });
    }
  }

  /** Forgets a URL S3 refused (expired, or the clock was off) so the next `get` signs it again. */
  invalidate(partNumber: number): void {
    this.cache.delete(partNumber);
  }

  private fetchBatch(partNumber: number, signal: AbortSignal): Promise<void> {
    const stale = (n: number) => !this.fetching.has(n) && !(this.cache.has(n) && this.cache.get(n)!.expiresAt - this.now() > EXPIRY_MARGIN_MS);
    const batch = [partNumber, ...this.upcoming().filter((n) => n !== partNumber && stale(n))].slice(0, this.batchSize);
    const request = (async () => {
      const { body } = await this.api.call<SignedParts>({
        operation: `sign parts ${batch[0]}…${batch[batch.length - 1]} of ${this.upload.path}`,
        method: "POST",
        route: uploadRoute(this.upload.uploadId, "/parts"),
        body: { path: this.upload.path, partNumbers: batch },
        signal,
      });
      this.add(body.parts);
    })();
    const settled = request.finally(() => batch.forEach((n) => this.fetching.delete(n)));
    batch.forEach((n) => this.fetching.set(n, settled));
    return settled;
  }
}
