const DAY_MS = 24 * 3600_000;

/**
 * When one person started their direct conversations over the last day, so they start at most
 * NEW_CONVERSATIONS_PER_USER_DAY: opening one costs its other person a place on their home.
 * Reopening a conversation they already have is not counted. At most that many rows are kept.
 */
export class ConversationStarts {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS conversation_starts (started_at INTEGER NOT NULL)");
  }

  /** 0 when one more may start now (and it is counted), else how long until one may. */
  take(perDay: number, now: number): number {
    this.sql.exec("DELETE FROM conversation_starts WHERE started_at <= ?", now - DAY_MS);
    const starts = this.sql.exec<{ started_at: number }>("SELECT started_at FROM conversation_starts ORDER BY started_at").toArray();
    if (starts.length >= perDay) return starts[starts.length - perDay]!.started_at + DAY_MS - now;
    this.sql.exec("INSERT INTO conversation_starts (started_at) VALUES (?)", now);
    return 0;
  }

  /** A start counted at `at` that did not happen after all (the conversation was refused). */
  giveBack(at: number): void {
    this.sql.exec("DELETE FROM conversation_starts WHERE rowid = (SELECT rowid FROM conversation_starts WHERE started_at = ? LIMIT 1)", at);
  }
}
