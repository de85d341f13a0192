/** How a lane takes what waits, sends it, and reacts when sending fails. */
export interface LaneOptions<Batch> {
  /** What waits, taken as one batch; undefined when nothing does. */
  take(): Batch | undefined;
  send(batch: Batch): Promise<void>;
  /** Waits between attempts at one batch; after the last, the batch is given up. */
  retryDelaysMs: readonly number[];
  /** An attempt failed; `final` after the last one. */
  failed(error: unknown, final: boolean): void;
  /** Every attempt failed: whether to go on at once with what waits (false: wait for the next kick). */
  gaveUp(batch: Batch): boolean;
}

/**
 * One way out of an object to one destination (a shard; later a webhook or a push service):
 * one call under way at a time, and whatever queues meanwhile goes in the next call, so under
 * load calls grow instead of multiplying and the destination gets batches in the order they
 * were made. A call that fails is tried again before the ones after it; when every attempt
 * fails, `gaveUp` decides what the destination is told instead. Each lane is on its own: a
 * destination that fails holds up nobody else.
 */
export class RetryLane<Batch> {
  private sending = false;

  constructor(private readonly options: LaneOptions<Batch>) {}

  /** Starts a call after this turn, so that everything the turn queued goes in it. */
  kick(): void {
    if (this.sending) return;
    this.sending = true;
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    for (let batch = this.options.take(); batch !== undefined; batch = this.options.take()) {
      if (!(await this.attempt(batch)) && !this.options.gaveUp(batch)) break;
    }
    this.sending = false;
  }

  private async attempt(batch: Batch): Promise<boolean> {
    const delays = this.options.retryDelaysMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.send(batch);
        return true;
      } catch (error) {
        const final = attempt === delays.length;
        this.options.failed(error, final);
        if (final) return false;
        await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
      }
    }
  }
}
