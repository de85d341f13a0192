/**
 * What a room sends a fan-out shard (src/shard/fanout-shard.ts) in one call: everything its
 * connections are to receive since the last call, in the order the room sent it.
 *
 * `after` and `through` chain the calls: a batch covers the room's seqs after `after` up to
 * `through`, and the next one starts where this one ended. A shard that sees a batch start past
 * where the last one ended has missed one, and closes its connections so their clients resume
 * from the seq they last saw (docs/sharding.md, "Faults").
 */
export interface ShardBatch {
  after: number;
  through: number;
  /** The room gave up sending an earlier batch: every connection open before this one must resume. */
  catchUp?: boolean;
  ops: ShardOp[];
}

export type ShardOp =
  /** A stored entry (message or update): for everyone, or only for the users in `to`; never for the connection `except` (it was acked). */
  | { kind: "entry"; seq: number; frame: string; to?: string[]; except?: string }
  /** A frame about now (presence, typing) for every connection but `except`. */
  | { kind: "live"; frame: string; except?: string }
  /** A frame for one connection: an ack, an error, a notice. */
  | { kind: "direct"; conn: string; frame: string }
  /** The room closes one connection (removal, ban, abuse, a refused token). */
  | { kind: "close"; conn: string; code: number; reason: string }
  /** A connection's session was renewed in-band: the shard's sweep must not close it at the old expiry. */
  | { kind: "renewed"; conn: string; expiresAt: number };

/** What a shard answers a batch with: how many connections it holds or is welcoming, so the room notices ones it was never told closed. */
export interface ShardReceipt {
  open: number;
}

/** A shard's name: `<room>/shard-<k>`, k from 1 (the room object itself holds the first SHARD_CAPACITY connections). */
export function shardName(roomId: string, shard: number): string {
  return `${roomId}/shard-${shard}`;
}
