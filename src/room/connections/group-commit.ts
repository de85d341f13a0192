/**
 * Group commit for the room's writes. Every event that writes to SQLite ends in its own
 * transaction, and locally each commit is a disk sync; a busy room would spend most of its
 * time committing one message at a time. Here a message that arrives while the room is idle is
 * handled at once, so a lone message never waits; the ones that arrive in the moment after it
 * are queued and handled together in the next turn of the event loop, in arrival order, as one
 * transaction whose acks and deliveries then go out together once it is durable (held-frames.ts).
 *
 * The window stays open while each turn finds work, and closes on the first turn that finds
 * none: the timer is pending only while messages keep coming, never while the room is idle, so
 * it does not keep the room from hibernating.
 */
export class GroupCommit<T> {
  private queue: T[] | undefined;

  constructor(
    private readonly handle: (items: readonly T[]) => void,
    private readonly nextTurn: (run: () => void) => void = (run) => setTimeout(run, 0),
  ) {}

  add(item: T): void {
    if (this.queue) {
      this.queue.push(item);
      return;
    }
    this.queue = [];
    this.handle([item]);
    this.nextTurn(this.turn);
  }

  /** Handles what is queued now, for work that must come after it (an HTTP post, say). */
  flush(): void {
    if (!this.queue?.length) return;
    const items = this.queue;
    this.queue = [];
    this.handle(items);
  }

  private readonly turn = (): void => {
    if (!this.queue?.length) {
      this.queue = undefined;
      return;
    }
    this.flush();
    this.nextTurn(this.turn);
  };
}
