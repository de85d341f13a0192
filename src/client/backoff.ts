/**
 * Exponential backoff with full jitter: the n-th retry waits a random time between 0 and
 * min(max, initial * 2^n). Spreading retries uniformly keeps a crowd of clients that lost the
 * server at the same moment from coming back at the same moment.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt++;
    return Math.round(this.random() * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }
}
