import type { RoomInfo, Visibility } from "../protocol";

type Row = { id: string; visibility: string; title: string | null; owner: string | null };

/** The room's own settings: one row, written when it is created or first joined. */
export class RoomRecord {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS room (
      id TEXT PRIMARY KEY,
      visibility TEXT NOT NULL,
      title TEXT,
      owner TEXT,
      created_at INTEGER NOT NULL
    )`);
  }

  get(): RoomInfo | undefined {
    const row = this.sql.exec<Row>("SELECT id, visibility, title, owner FROM room").toArray()[0];
    if (!row) return undefined;
    const room: RoomInfo = { id: row.id, visibility: row.visibility === "private" ? "private" : "public" };
    if (row.title !== null) room.title = row.title;
    if (row.owner !== null) room.owner = row.owner;
    return room;
  }

  /** A public room comes into being when someone first joins it, so `lobby` just works. */
  ensure(id: string, now: number): RoomInfo {
    return this.get() ?? this.create({ id, visibility: "public" }, now);
  }

  create(room: { id: string; visibility: Visibility; title?: string; owner?: string }, now: number): RoomInfo {
    this.sql.exec(
      "INSERT INTO room (id, visibility, title, owner, created_at) VALUES (?, ?, ?, ?, ?)",
      room.id,
      room.visibility,
      room.title ?? null,
      room.owner ?? null,
      now,
    );
    return this.get()!;
  }
}
