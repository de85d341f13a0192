/** The rooms one user is in, as their hub remembers them: which, and since when. */
export class RoomIndex {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS rooms (id TEXT PRIMARY KEY, joined_at INTEGER NOT NULL)");
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

  all(): { id: string; joinedAt: number }[] {
    return this.sql
      .exec<{ id: string; joined_at: number }>("SELECT id, joined_at FROM rooms")
      .toArray()
      .map((row) => ({ id: row.id, joinedAt: row.joined_at }));
  }
}
