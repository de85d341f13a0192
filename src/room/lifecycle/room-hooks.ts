import type { FrameSink } from "../../shared/held-frames";
import type { LogEntry } from "../history/log-entries";

/** Listeners of one lifecycle event, called in the order they were added. */
export class Hook<T> {
  private readonly listeners: ((value: T) => void)[] = [];

  on(listener: (value: T) => void): void {
    this.listeners.push(listener);
  }

  emit(value: T): void {
    for (const listener of this.listeners) listener(value);
  }
}

/** A new entry, and the connection that sent it (acknowledged, not sent it), if it came by socket. */
export interface StoredEntry {
  entry: LogEntry;
  origin?: FrameSink;
}

/** Entries no longer in the log: one message deleted, or everything through a seq pruned. */
export type Gone = { deleted: number } | { prunedThrough: number };

/**
 * The moments of an entry's life that parts of the room act on, declared once so that a new
 * part (a search index, webhooks, push) listens instead of being called by hand from the log:
 *
 * - `stored`: an entry was written, in the same turn and transaction as its row. A listener may
 *   write its own rows (they commit with the entry) or hold frames for its delivery, but must
 *   send nothing itself: the write is not durable yet.
 * - `gone`: entries left the log (a deletion, or pruning past HISTORY_LIMIT); side tables keyed
 *   by seq (reactions, files) drop theirs, in the same transaction.
 * - `durable`: the entries are on disk. The one place to tell anything outside the room (hubs,
 *   later webhooks and push): what it says can no longer be lost in a restart.
 */
export class RoomHooks {
  readonly stored = new Hook<StoredEntry>();
  readonly gone = new Hook<Gone>();
  readonly durable = new Hook<readonly LogEntry[]>();
}
