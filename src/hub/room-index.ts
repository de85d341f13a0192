/**
 * The rooms one user is in, as their hub remembers them: which, since when, and, for direct
 * conversations they left, since when they are hidden from their home.
 */
export class RoomIndex {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS rooms (id TEXT PRIMARY KEY, joined_at INTEGER NOT NULL, hidden_at INTEGER)");
    // Hubs made before conversations could be hidden.
    if (!sql.exec<{ name: string }>("PRAGMA table_info(rooms)").toArray().some((column) => column.name === "hidden_at")) {
      sql.exec("ALTER TABLE rooms ADD COLUMN hidden_at INTEGER");
    }
  }

  add(roomId: string, now: number): void {
    this.sql.exec("INSERT OR IGNORE INTO rooms (id, joined_at) VALUES (?, ?)", roomId, now);
  }

  /** Says whether the room was on the list. */
  remove(roomId: string): boolean {
    return this.sql.exec("DELETE FROM rooms WHERE id = ?", roomId).rowsWritten > 0;
  }

  has(roomId: string): boolean {
    return this.sql.exec("SELECT 1 FROM rooms WHERE id = ?", roomId).toArray().length > 0;
  }

  /** Takes a room off the home until it is shown again; says whether it was listed. */
  hide(roomId: string, now: number): boolean {
    return this.sql.exec("UPDATE rooms SET hidden_at = ? WHERE id = ?", now, roomId).rowsWritten > 0;
  }

  show(roomId: string): void {
    this.sql.exec("UPDATE rooms SET hidden_at = NULL WHERE id = ?", roomId);
  }

  /** When the room was hidden, or undefined while it is shown (or not listed). */
  hiddenAt(roomId: string): number | undefined {
    return this.sql.exec<{ hidden_at: number | null }>("SELECT hidden_at FROM rooms WHERE id = ?", roomId).toArray()[0]?.hidden_at ?? undefined;
  }

  all(): { id: string; joinedAt: number; hiddenAt?: number }[] {
    return this.sql
      .exec<{ id: string; joined_at: number; hidden_at: number | null }>("SELECT id, joined_at, hidden_at FROM rooms")
      .toArray()
      .map((row) => (row.hidden_at === null ? { id: row.id, joinedAt: row.joined_at } : { id: row.id, joinedAt: row.joined_at, hiddenAt: row.hidden_at }));
  }
}
