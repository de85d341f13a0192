/**
 * Frames about stored messages (acks and deliveries), held until the writes before them are
 * durable and then sent in the order they were queued.
 *
 * The runtime's output gate would hold them too: a frame sent after a write leaves only once
 * the write is durable. But the gate holds and resumes each frame on its own, a hundred per
 * message in a room of 100, and that made enough garbage for the isolate's stop-the-world
 * collections to come more often than a plain relay's; those pauses set the slowest
 * deliveries (docs/performance.md). Waiting once per batch and then sending keeps the relay's
 * rhythm. The gate still stands behind this: nothing sent here can overtake a write.
 *
 * A client that reads `batch` frames gets everything one release has for it as one frame. In
 * a room where everyone talks a release carries many messages, and a send per message per
 * socket was most of what the room spent (docs/performance.md, "When everyone talks").
 */
export class HeldFrames {
  private frames: { to: Iterable<FrameSink>; frame: string; except?: FrameSink }[] = [];
  /** The previous release, so batches go out in the order they were written even if their confirmations do not. */
  private last: Promise<void> = Promise.resolve();

  constructor(
    /** Resolves once every write made so far is durable: the storage's `sync()`. */
    private readonly durable: () => Promise<void>,
    private readonly failed: (error: unknown) => void,
    /** Whether a socket reads `batch` frames: then what one release has for it goes as one frame. */
    private readonly readsBatches: (sink: FrameSink) => boolean = () => false,
  ) {}

  /** Queues a frame for `to`, except the socket `except`. */
  hold(to: FrameSink | Iterable<FrameSink>, frame: string, except?: FrameSink): void {
    this.frames.push({ to: "send" in to ? [to] : to, frame, except });
  }

  /**
   * Sends what is held once the writes made so far are durable. Call it after the writes the
   * held frames tell of; `then` runs after they are sent. If the writes fail, nothing is sent
   * and `then` never runs: the runtime restarts the room from what was stored, and clients
   * resend what was never acknowledged.
   */
  releaseWhenDurable(then?: () => void): void {
    if (this.frames.length === 0 && !then) return;
    const frames = this.frames;
    this.frames = [];
    const durable = this.durable();
    this.last = this.last.then(() => durable).then(
      () => {
        const grouped = new Map<FrameSink, string[]>();
        for (const { to, frame, except } of frames) {
          for (const ws of to) {
            if (ws === except) continue;
            const list = grouped.get(ws);
            if (list) list.push(frame);
            else if (this.readsBatches(ws)) grouped.set(ws, [frame]);
            else trySend(ws, frame);
          }
        }
        for (const [ws, list] of grouped) trySend(ws, batchOf(list));
        then?.();
      },
      (error: unknown) => this.failed(error),
    );
  }
}

/** Where a frame can go: a socket, a connection on a shard (remote-socket.ts), a shard's next batch. */
export interface FrameSink {
  send(frame: string): void;
}

/** A socket may close between the moment we list it and the moment we write to it; its close event cleans up. */
export function trySend(ws: FrameSink, frame: string): void {
  try {
    ws.send(frame);
  } catch {
    // Closed or closing.
  }
}

/**
 * One frame for a socket that reads batches, from frames already serialized: a `batch` frame
 * holding them in order, or the frame itself when there is one. Nothing is parsed or
 * serialized again.
 */
export function batchOf(frames: readonly string[]): string {
  return frames.length === 1 ? frames[0]! : `{"type":"batch","frames":[${frames.join(",")}]}`;
}
