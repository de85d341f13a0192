import type { ReactionCount } from "../../protocol";
import type { Gone } from "../lifecycle/room-hooks";

/** Who reacted to which message with which emoji: one row each, so adding twice changes nothing. */
export class ReactionList {
  /** Whether any reaction may exist; false spares every page a read in rooms nobody reacts in. */
  private mayHaveAny: boolean | undefined;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS reactions (
      target INTEGER NOT NULL,
      emoji TEXT NOT NULL,
      user_id TEXT NOT NULL,
      PRIMARY KEY (target, emoji, user_id)
    )`);
  }

  /** Adds or takes back a reaction; answers whether that changed anything. */
  set(target: number, emoji: string, userId: string, on: boolean): boolean {
    if (on) this.mayHaveAny = true;
    const statement = on
      ? "INSERT OR IGNORE INTO reactions (target, emoji, user_id) VALUES (?, ?, ?)"
      : "DELETE FROM reactions WHERE target = ? AND emoji = ? AND user_id = ?";
    return this.sql.exec(statement, target, emoji, userId).rowsWritten > 0;
  }

  count(target: number, emoji: string): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM reactions WHERE target = ? AND emoji = ?", target, emoji).one().n;
  }

  /** Whether the message has this emoji already, or room for another. */
  accepts(target: number, emoji: string, max: number): boolean {
    const emojis = this.sql.exec<{ emoji: string }>("SELECT DISTINCT emoji FROM reactions WHERE target = ?", target).toArray();
    return emojis.length < max || emojis.some((row) => row.emoji === emoji);
  }

  /** Each message's reactions as `viewer` sees them, for the messages between `from` and `to` (seqs). */
  between(from: number, to: number, viewer: string): Map<number, Record<string, ReactionCount>> {
    const byMessage = new Map<number, Record<string, ReactionCount>>();
    this.mayHaveAny ??= this.sql.exec("SELECT 1 FROM reactions LIMIT 1").toArray().length > 0;
    if (!this.mayHaveAny) return byMessage;
    const rows = this.sql.exec<{ target: number; emoji: string; n: number; mine: number }>(
      `SELECT target, emoji, COUNT(*) AS n, MAX(user_id = ?) AS mine FROM reactions
       WHERE target BETWEEN ? AND ? GROUP BY target, emoji ORDER BY target, MIN(rowid)`,
      viewer,
      from,
      to,
    );
    for (const row of rows) {
      const reactions = byMessage.get(row.target) ?? {};
      reactions[row.emoji] = { count: row.n, mine: row.mine === 1 };
      byMessage.set(row.target, reactions);
    }
    return byMessage;
  }

  /** The reactions to a deleted message, or to messages pruned from the log, go with them. */
  forget(gone: Gone): void {
    if ("deleted" in gone) this.sql.exec("DELETE FROM reactions WHERE target = ?", gone.deleted);
    else this.sql.exec("DELETE FROM reactions WHERE target <= ?", gone.prunedThrough);
  }
}
