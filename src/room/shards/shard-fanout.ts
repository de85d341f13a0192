import type { ShardBatch, ShardOp, ShardReceipt } from "../../shard/shard-batch";

/** What the fan-out needs of a shard: its stub's `deliver` (src/shard/fanout-shard.ts). */
export interface ShardEndpoint {
  deliver(batch: ShardBatch): Promise<ShardReceipt>;
}

/** Waits between attempts to hand a shard its batch; after the last, the shard's clients are told to catch up instead. */
const RETRY_DELAYS_MS = [50, 250, 1000];

/** One shard's way from the room: what waits to go, where the last batch ended, and whether a call is under way. */
interface ShardLane {
  ops: ShardOp[];
  after: number;
  through: number;
  catchUp: boolean;
  sending: boolean;
}

/**
 * Sends each shard what its connections are to receive, in one call per turn rather than one
 * per frame: a stored message costs the room one call per shard, whatever the shard holds.
 *
 * One call per shard is under way at a time, and whatever queued meanwhile goes in the next
 * call: under load the calls grow instead of multiplying, and a shard always gets batches in
 * the order they were made. A call that fails is tried again (RETRY_DELAYS_MS) before the ones
 * after it; when every attempt fails, the shard is told with the next batch that its
 * connections must resume from their last seq, so nothing is lost for them, and other shards
 * never wait on it: each lane is on its own.
 */
export class ShardFanout {
  private readonly lanes = new Map<number, ShardLane>();

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
      const lane = this.lane(shard);
      lane.ops.push(op);
      lane.through = Math.max(lane.through, op.seq);
      this.kick(shard, lane);
    }
  }

  /** Anything else (live frames, a frame or close for one connection). */
  push(shards: readonly number[], op: ShardOp): void {
    for (const shard of shards) {
      const lane = this.lane(shard);
      lane.ops.push(op);
      this.kick(shard, lane);
    }
  }

  private lane(shard: number): ShardLane {
    let lane = this.lanes.get(shard);
    if (!lane) {
      lane = { ops: [], after: this.startSeq, through: this.startSeq, catchUp: false, sending: false };
      this.lanes.set(shard, lane);
    }
    return lane;
  }

  /** Starts a call after this turn, so that everything the turn queued goes in it. */
  private kick(shard: number, lane: ShardLane): void {
    if (lane.sending) return;
    lane.sending = true;
    queueMicrotask(() => void this.drain(shard, lane));
  }

  /**
   * Sends until nothing waits. After a batch is given up, a batch of nothing but the catch-up
   * follows at once, so that the clients of a quiet room do not wait for the next message to
   * learn what they missed; if that fails too, the next message carries it.
   */
  private async drain(shard: number, lane: ShardLane): Promise<void> {
    while (lane.ops.length > 0 || lane.catchUp) {
      const batch: ShardBatch = { after: lane.after, through: lane.through, ops: lane.ops };
      if (lane.catchUp) batch.catchUp = true;
      lane.ops = [];
      lane.after = lane.through;
      lane.catchUp = false;
      if (await this.deliver(shard, batch)) continue;
      lane.catchUp = true;
      if (batch.ops.length === 0) break;
    }
    lane.sending = false;
  }

  private async deliver(shard: number, batch: ShardBatch): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.receipt(shard, await this.stub(shard).deliver(batch));
        return true;
      } catch (error) {
        const final = attempt === RETRY_DELAYS_MS.length;
        this.failed(shard, error, final);
        if (final) return false;
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
      }
    }
  }
}
