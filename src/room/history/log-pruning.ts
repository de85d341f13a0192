import type { RoomHooks } from "../lifecycle/room-hooks";

/** How often (in seqs of pruned messages) a full room tells side tables what it pruned. */
const PRUNE_EXTRAS_EVERY = 64;

/**
 * Keeps the room's log to its newest `keep` messages, and at most as many changes, so a room
 * where people only react or edit never loses its messages to their changes; without `keep`
 * (HISTORY_LIMIT unset) it keeps everything, and only retention by age prunes (log-retention.ts). A pruned message
 * takes every row before it; a change beyond the cap goes alone, oldest first. Each delete
 * finds its row from where the last one left off, so a full room pays one short statement per
 * entry, and remembers the newest seq it removed, so a resume from before it is told (`pruned`).
 */
export class LogPruning {
  /** How many messages and changes the log holds; counted once per wake-up, when first needed. */
  private counts: { messages: number; changes: number } | undefined;
  /** Where the oldest message and the oldest change are at least: each search starts here. */
  private readonly oldest = { message: 0, change: 0 };
  /** The newest seq pruning removed before this wake-up (0: none); found when first asked. */
  private beforeWake: number | undefined;
  /** The newest seq pruning removed since the room woke. */
  private sinceWake = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly keep: number | undefined,
    private readonly hooks: RoomHooks,
  ) {}

  /**
   * Removes every entry through `seq`, a message (retention by age, log-retention.ts), and tells
   * the side tables at once. The caller drops what it holds in memory of them.
   */
  pruneThrough(seq: number): void {
    const newest = this.sql.exec<{ seq: number }>("SELECT MAX(seq) AS seq FROM messages").one().seq;
    if (seq >= newest) {
      // The newest row keeps its seq taken (seq is the rowid: with no row left, SQLite would
      // give 1 again), emptied as a deletion empties it.
      this.sql.exec("UPDATE messages SET text = '', deleted = 1, mentions = NULL, edited_at = NULL, reply_to = NULL, files = NULL WHERE seq = ?", newest);
      this.hooks.gone.emit({ deleted: newest });
      seq = newest - 1;
      if (seq < 1) return;
    }
    this.sql.exec("DELETE FROM messages WHERE seq <= ?", seq);
    // Counted again when next needed.
    this.counts = undefined;
    this.removed(seq);
    this.oldest.message = Math.max(this.oldest.message, seq);
    this.oldest.change = Math.max(this.oldest.change, seq);
    this.hooks.gone.emit({ prunedThrough: seq });
  }

  /** A row was just written; prunes what is now beyond the limits. */
  grew(kind: "messages" | "changes"): void {
    if (this.keep === undefined) return;
    // Counted after the new row was written: a first count already includes it.
    if (this.counts) this.counts[kind]++;
    else this.counts = this.count();
    const counts = this.counts;
    const keep = this.keep;
    while (counts.messages > keep) {
      const oldest = this.next("message");
      if (oldest === undefined) break;
      const removed = this.sql.exec("DELETE FROM messages WHERE seq <= ?", oldest).rowsWritten;
      counts.messages--;
      counts.changes -= removed - 1;
      this.removed(oldest);
      // What side tables keep of pruned messages (reactions, files) is swept when the pruned
      // range passes a multiple of PRUNE_EXTRAS_EVERY: statements fewer per message, and a
      // cadence that survives hibernation.
      if (Math.floor(oldest / PRUNE_EXTRAS_EVERY) > Math.floor(this.oldest.message / PRUNE_EXTRAS_EVERY)) this.hooks.gone.emit({ prunedThrough: oldest });
      this.oldest.message = oldest;
    }
    while (counts.changes > keep) {
      const oldest = this.next("change");
      if (oldest === undefined) break;
      this.sql.exec("DELETE FROM messages WHERE seq = ?", oldest);
      counts.changes--;
      this.removed(oldest);
    }
  }

  /**
   * The newest seq that pruning removed, 0 if none: everything after it is still here. Before
   * this wake-up, it is the seq just before the newest gap in the log (seqs are rowids, never
   * reused, and only pruning removes rows); found once per wake-up, by the first resume.
   */
  through(): number {
    this.beforeWake ??= this.gap();
    return Math.max(this.beforeWake, this.sinceWake);
  }

  private removed(seq: number): void {
    this.sinceWake = Math.max(this.sinceWake, seq);
  }

  private next(kind: "message" | "change"): number | undefined {
    const where = kind === "message" ? "kind = 'message'" : "kind != 'message'";
    const from = kind === "message" ? this.oldest.message : this.oldest.change;
    const seq = this.sql.exec<{ seq: number }>(`SELECT seq FROM messages WHERE seq > ? AND ${where} ORDER BY seq LIMIT 1`, from).toArray()[0]?.seq;
    if (kind === "change") this.oldest.change = seq ?? from;
    return seq;
  }

  private count(): { messages: number; changes: number } {
    const row = this.sql.exec<{ messages: number; total: number }>("SELECT COUNT(CASE WHEN kind = 'message' THEN 1 END) AS messages, COUNT(*) AS total FROM messages").one();
    return { messages: row.messages, changes: row.total - row.messages };
  }

  private gap(): number {
    // A log with as many rows as its newest seq has none missing: the common case, answered without the scan.
    const { rows, newest } = this.sql.exec<{ rows: number; newest: number | null }>("SELECT COUNT(*) AS rows, MAX(seq) AS newest FROM messages").one();
    if (newest === null || rows === newest) return 0;
    return (
      this.sql
        .exec<{ seq: number | null }>("SELECT MAX(seq) - 1 AS seq FROM messages m WHERE seq > 1 AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.seq = m.seq - 1)")
        .one().seq ?? 0
    );
  }
}
