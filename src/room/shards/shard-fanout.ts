import { RetryLane } from "../../shared/retry-lane";
import type { ShardBatch, ShardOp, ShardReceipt } from "../../shard/shard-batch";

/** What the fan-out needs of a shard: its stub's `deliver` (src/shard/fanout-shard.ts). */
export interface ShardEndpoint {
  deliver(batch: ShardBatch): Promise<ShardReceipt>;
}

/** Waits between attempts to hand a shard its batch; after the last, the shard's clients are told to catch up instead. */
const RETRY_DELAYS_MS = [50, 250, 1000];

/** What waits to go to one shard, and where the last batch ended. */
interface ShardQueue {
  ops: ShardOp[];
  after: number;
  through: number;
  /** The last batch was given up: the next one tells the shard its connections must catch up. */
  catchUp: boolean;
  lane: RetryLane<ShardBatch>;
}

/**
 * Sends each shard what its connections are to receive, in one call per turn rather than one
 * per frame: a stored message costs the room one call per shard, whatever the shard holds.
 * Each shard has a lane of its own (shared/retry-lane.ts): one call under way, what queues
 * meanwhile in the next, retries before the batches after it. When every attempt fails, the
 * shard is told with the next batch that its connections must resume from their last seq, so
 * nothing is lost for them, and other shards never wait on it.
 */
export class ShardFanout {
  private readonly queues = new Map<number, ShardQueue>();

  constructor(
    private readonly stub: (shard: number) => ShardEndpoint,
    /** The room's newest seq when it woke: no batch this wake-up sends starts before it. */
    private readonly startSeq: number,
    private readonly receipt: (shard: number, receipt: ShardReceipt) => void,
    private readonly failed: (shard: number, error: unknown, final: boolean) => void,
  ) {}

  /** A stored entry for every shard that holds connections. */
  entry(shards: readonly number[], op: Extract<ShardOp, { kind: "entry" }>): void {
    for (const shard of shards) {
      const queue = this.queue(shard);
      queue.ops.push(op);
      queue.through = Math.max(queue.through, op.seq);
      queue.lane.kick();
    }
  }

  /** Anything else (live frames, a frame or close for one connection). */
  push(shards: readonly number[], op: ShardOp): void {
    for (const shard of shards) {
      const queue = this.queue(shard);
      queue.ops.push(op);
      queue.lane.kick();
    }
  }

  private queue(shard: number): ShardQueue {
    const known = this.queues.get(shard);
    if (known) return known;
    const queue: ShardQueue = {
      ops: [],
      after: this.startSeq,
      through: this.startSeq,
      catchUp: false,
      lane: new RetryLane<ShardBatch>({
        take: () => this.take(queue),
        send: async (batch) => this.receipt(shard, await this.stub(shard).deliver(batch)),
        retryDelaysMs: RETRY_DELAYS_MS,
        failed: (error, final) => this.failed(shard, error, final),
        // After a batch is given up, a batch of nothing but the catch-up follows at once, so
        // that the clients of a quiet room do not wait for the next message to learn what they
        // missed; if that fails too, the next message carries it.
        gaveUp: (batch) => {
          queue.catchUp = true;
          return batch.ops.length > 0;
        },
      }),
    };
    this.queues.set(shard, queue);
    return queue;
  }

  private take(queue: ShardQueue): ShardBatch | undefined {
    if (queue.ops.length === 0 && !queue.catchUp) return undefined;
    const batch: ShardBatch = { after: queue.after, through: queue.through, ops: queue.ops };
    if (queue.catchUp) batch.catchUp = true;
    queue.ops = [];
    queue.after = queue.through;
    queue.catchUp = false;
    return batch;
  }
}
