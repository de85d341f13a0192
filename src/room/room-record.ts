import type { RoomInfo } from "../protocol";

/** The room's own settings: one row, written when the first member joins. */
export class RoomRecord {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS room (
      id TEXT PRIMARY KEY,
      visibility TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);
  }

  get(): RoomInfo | undefined {
    const row = this.sql.exec<{ id: string; visibility: string }>("SELECT id, visibility FROM room").toArray()[0];
    return row && { id: row.id, visibility: row.visibility === "private" ? "private" : "public" };
  }

  /** A public room comes into being when someone first joins it, so `lobby` just works. */
  ensure(id: string, now: number): RoomInfo {
    const existing = this.get();
    if (existing) return existing;
    this.sql.exec("INSERT INTO room (id, visibility, created_at) VALUES (?, 'public', ?)", id, now);
    return { id, visibility: "public" };
  }
}
