import type { RoomInfo, Visibility } from "../../protocol";

type Row = { id: string; visibility: string; title: string | null; owner: string | null; direct: number };

/** The room's own settings: one row, written when it is created or first joined. */
export class RoomRecord {
  /** The row never changes once written; read once per wake-up (every connect and role check asks). */
  private cached: RoomInfo | undefined;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS room (
      id TEXT PRIMARY KEY,
      visibility TEXT NOT NULL,
      title TEXT,
      owner TEXT,
      created_at INTEGER NOT NULL
    )`);
    // Rooms made before direct conversations have the table without the column.
    const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('room')").toArray();
    if (!columns.some((column) => column.name === "direct")) sql.exec("ALTER TABLE room ADD COLUMN direct INTEGER NOT NULL DEFAULT 0");
  }

  get(): RoomInfo | undefined {
    if (this.cached) return this.cached;
    const row = this.sql.exec<Row>("SELECT id, visibility, title, owner, direct FROM room").toArray()[0];
    if (!row) return undefined;
    const room: RoomInfo = { id: row.id, visibility: row.visibility === "private" ? "private" : "public" };
    if (row.title !== null) room.title = row.title;
    if (row.owner !== null) room.owner = row.owner;
    if (row.direct) room.direct = true;
    this.cached = room;
    return room;
  }

  /** A public room comes into being when someone first joins it, so `lobby` just works. */
  ensure(id: string, now: number): RoomInfo {
    return this.get() ?? this.create({ id, visibility: "public" }, now);
  }

  create(room: { id: string; visibility: Visibility; title?: string; owner?: string; direct?: true }, now: number): RoomInfo {
    this.sql.exec(
      "INSERT INTO room (id, visibility, title, owner, created_at, direct) VALUES (?, ?, ?, ?, ?, ?)",
      room.id,
      room.visibility,
      room.title ?? null,
      room.owner ?? null,
      now,
      room.direct ? 1 : 0,
    );
    return this.get()!;
  }
}
