import type { HomeRoom } from "../protocol";

/**
 * The rooms one user is in, as their hub remembers them: which, since when, for direct
 * conversations they left since when they are hidden, and a copy of each room's home entry.
 *
 * The copy is what keeps a home's load from asking every room (docs/home.md). A room that
 * gave its entry keeps this hub on its list of watchers and sends the next change; a hub with
 * no home page open takes that one and says "stop", so the copy is then marked `stale`: right
 * as of that news, but nobody tells it of the next. A load asks again only rooms whose copy is
 * missing, stale or old, newest first, and lists the rest from the copies.
 */
export class RoomIndex {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS rooms (id TEXT PRIMARY KEY, joined_at INTEGER NOT NULL, hidden_at INTEGER)");
    // Hubs made before conversations could be hidden, and before they kept copies.
    const columns = sql.exec<{ name: string }>("PRAGMA table_info(rooms)").toArray().map((column) => column.name);
    if (!columns.includes("hidden_at")) sql.exec("ALTER TABLE rooms ADD COLUMN hidden_at INTEGER");
    if (!columns.includes("entry")) {
      // `active_at` orders the home (the newest message, or the joining); `copied_at` says when the entry was last written.
      sql.exec("ALTER TABLE rooms ADD COLUMN entry TEXT");
      sql.exec("ALTER TABLE rooms ADD COLUMN active_at INTEGER NOT NULL DEFAULT 0");
      sql.exec("ALTER TABLE rooms ADD COLUMN copied_at INTEGER");
      sql.exec("ALTER TABLE rooms ADD COLUMN stale INTEGER NOT NULL DEFAULT 0");
      sql.exec("CREATE INDEX IF NOT EXISTS rooms_by_activity ON rooms (active_at)");
    }
  }

  /** Says whether the room is new to the list. */
  add(roomId: string, now: number): boolean {
    return this.sql.exec("INSERT OR IGNORE INTO rooms (id, joined_at, active_at) VALUES (?, ?, ?)", roomId, now, now).rowsWritten > 0;
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM rooms").one().n;
  }

  /** Says whether the room was on the list. */
  remove(roomId: string): boolean {
    return this.sql.exec("DELETE FROM rooms WHERE id = ?", roomId).rowsWritten > 0;
  }

  has(roomId: string): boolean {
    return this.sql.exec("SELECT 1 FROM rooms WHERE id = ?", roomId).toArray().length > 0;
  }

  /**
   * News from a room: its entry as of now. `followed` says whether the room goes on telling of
   * changes; if not, the copy is stale. A room missing from the list is put back (a notice of
   * joining that never arrived heals here), stale, so the next load asks whether it is still the user's.
   */
  told(entry: HomeRoom, followed: boolean, now: number): void {
    const missing = this.add(entry.id, now);
    this.write(entry, now, !followed || missing);
  }

  /**
   * An entry the hub asked for at `askedAt`. Kept unless news came while the question was out:
   * the news is newer, and a room that said "stop" meanwhile no longer follows. Says whether it was kept.
   */
  answered(entry: HomeRoom, askedAt: number): boolean {
    const copiedAt = this.sql.exec<{ copied_at: number | null }>("SELECT copied_at FROM rooms WHERE id = ?", entry.id).toArray()[0]?.copied_at;
    if (copiedAt === undefined || (copiedAt !== null && copiedAt >= askedAt)) return false;
    this.write(entry, askedAt, false);
    return true;
  }

  /** The copy cannot be trusted (a room that missed the user's blocks): the next load asks again. */
  markStale(roomId: string): void {
    this.sql.exec("UPDATE rooms SET stale = 1 WHERE id = ?", roomId);
  }

  /** The rooms a load should ask: no copy yet, then stale or older than `recheckBefore`, newest first; at most `limit`. */
  due(limit: number, recheckBefore: number): string[] {
    return this.sql
      .exec<{ id: string }>(
        `SELECT id FROM rooms WHERE entry IS NULL OR stale = 1 OR copied_at < ?
         ORDER BY entry IS NULL DESC, active_at DESC LIMIT ?`,
        recheckBefore,
        limit,
      )
      .toArray()
      .map((row) => row.id);
  }

  /**
   * Every room with a copy, most recent activity first: each entry as the JSON it is kept in,
   * so a list of hundreds is sent without being parsed and written again, and when it was
   * hidden if it was.
   */
  entries(): { json: string; hiddenAt?: number }[] {
    return this.sql
      .exec<{ entry: string; hidden_at: number | null }>("SELECT entry, hidden_at FROM rooms WHERE entry IS NOT NULL ORDER BY active_at DESC")
      .toArray()
      .map((row) => (row.hidden_at === null ? { json: row.entry } : { json: row.entry, hiddenAt: row.hidden_at }));
  }

  /** Every room, most recently active first, with its title as the copy knows it. */
  byActivity(): { id: string; title?: string }[] {
    return this.sql
      .exec<{ id: string; title: string | null }>("SELECT id, json_extract(entry, '$.title') AS title FROM rooms ORDER BY active_at DESC")
      .toArray()
      .map((row) => (row.title === null ? { id: row.id } : { id: row.id, title: row.title }));
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

  ids(): string[] {
    return this.sql.exec<{ id: string }>("SELECT id FROM rooms").toArray().map((row) => row.id);
  }

  private write(entry: HomeRoom, now: number, stale: boolean): void {
    this.sql.exec(
      "UPDATE rooms SET entry = ?, active_at = COALESCE(?, joined_at), copied_at = ?, stale = ? WHERE id = ?",
      JSON.stringify(entry),
      entry.last?.ts ?? null,
      now,
      stale ? 1 : 0,
      entry.id,
    );
  }
}
