/** The sandbox began to stop while this step was starting something; what it started is undone. */
export class StoppingError extends Error {
  constructor() {
    super("the sandbox is stopping");
    this.name = "StoppingError";
  }
}

/**
 * Undoes what the sandbox started, last first, exactly once. Each thing is tracked right after it
 * exists (or right before, when a failed start can leave parts of it behind); something that comes
 * into existence after the stop began is undone at once, so a signal in the middle of the start
 * never leaves a process or a directory behind.
 */
export class Shutdown {
  private readonly steps: { label: string; undo: () => Promise<void> }[] = [];
  private stopped?: Promise<void>;

  constructor(private readonly onFailure: (label: string, err: unknown) => void) {}

  get stopping(): boolean {
    return this.stopped !== undefined;
  }

  async track(label: string, undo: () => Promise<void>): Promise<void> {
    if (this.stopped !== undefined) {
      await this.attempt(label, undo);
      throw new StoppingError();
    }
    this.steps.push({ label, undo });
  }

  /** Throws once the sandbox is stopping: a start step calls this before going on. */
  checkpoint(): void {
    if (this.stopped !== undefined) {
      throw new StoppingError();
    }
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      for (const { label, undo } of this.steps.reverse()) {
        await this.attempt(label, undo);
      }
    })();
    return this.stopped;
  }

  private async attempt(label: string, undo: () => Promise<void>): Promise<void> {
    try {
      await undo();
    } catch (err) {
      this.onFailure(label, err);
    }
  }
}
