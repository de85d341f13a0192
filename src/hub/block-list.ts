/**
 * The people one person has blocked. A blocked person cannot open a conversation with them, and
 * a hidden conversation does not come back for a message of theirs. Kept in the blocker's hub,
 * whom the other's hub asks when a conversation is opened.
 */
export class BlockList {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS blocked (user_id TEXT PRIMARY KEY, blocked_at INTEGER NOT NULL)");
    // Lists made before a blocked person was listed by name.
    if (!sql.exec<{ name: string }>("PRAGMA table_info(blocked)").toArray().some((column) => column.name === "name")) {
      sql.exec("ALTER TABLE blocked ADD COLUMN name TEXT");
    }
  }

  /** Blocking again keeps the first time, and takes a name given now. */
  block(userId: string, now: number, name?: string): void {
    this.sql.exec(
      "INSERT INTO blocked (user_id, blocked_at, name) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET name = COALESCE(excluded.name, name)",
      userId,
      now,
      name ?? null,
    );
  }

  /** Says whether they were blocked. */
  unblock(userId: string): boolean {
    return this.sql.exec("DELETE FROM blocked WHERE user_id = ?", userId).rowsWritten > 0;
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM blocked").one().n;
  }

  has(userId: string): boolean {
    return this.sql.exec("SELECT 1 FROM blocked WHERE user_id = ?", userId).toArray().length > 0;
  }

  /** Most recently blocked first. */
  all(): { id: string; name?: string; blockedAt: number }[] {
    return this.sql
      .exec<{ user_id: string; name: string | null; blocked_at: number }>("SELECT user_id, name, blocked_at FROM blocked ORDER BY blocked_at DESC, user_id")
      .toArray()
      .map((row) => (row.name === null ? { id: row.user_id, blockedAt: row.blocked_at } : { id: row.user_id, name: row.name, blockedAt: row.blocked_at }));
  }
}
