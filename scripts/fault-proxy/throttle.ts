import { Transform, type TransformCallback } from "node:stream";

/** Pieces per second: small enough to look like a steady trickle, large enough to keep timers few. */
const TICKS_PER_SECOND = 20;

/**
 * Passes bytes on at no more than `bytesPerSecond`. It holds one chunk at a time, so backpressure
 * slows the writer too, as a slow link would.
 */
export class Throttle extends Transform {
  private timer: NodeJS.Timeout | undefined;
  private readonly piece: number;

  constructor(private readonly bytesPerSecond: number) {
    if (!(bytesPerSecond > 0)) {
      throw new Error(`[bytesPerSecond] must be a positive number, got ${bytesPerSecond}`);
    }
    const piece = Math.max(1, Math.ceil(bytesPerSecond / TICKS_PER_SECOND));
    super({ highWaterMark: piece });
    this.piece = piece;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pace(chunk, done);
  }

  private pace(chunk: Buffer, done: TransformCallback): void {
    const piece = chunk.subarray(0, this.piece);
    this.push(piece);
    const rest = chunk.subarray(piece.length);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (rest.length > 0) {
          this.pace(rest, done);
        } else {
          done();
        }
      },
      (piece.length / this.bytesPerSecond) * 1000,
    );
  }

  // A pending timer would keep a closed proxy's process alive and push into a dead stream.
  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    done(error);
  }
}
