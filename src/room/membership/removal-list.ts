import type { UserRef } from "../../protocol";

/**
 * The people removed or banned from the room. Removal must stick: without this record a
 * removed member walked back in with the room's old invite link, or one they had minted
 * themselves while a member. Only the owner lifts a removal (readmit, or an invite made for
 * them); a ban with a duration ends by itself (`until`), in public rooms as in private ones.
 */
export class RemovalList {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS removed (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      removed_at INTEGER NOT NULL
    )`);
    // Rooms made before bans had removals only, for good.
    const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('removed')").toArray();
    if (!columns.some((column) => column.name === "until")) sql.exec("ALTER TABLE removed ADD COLUMN until INTEGER");
  }

  /** Removes (or bans) someone, for good or `until` a time (ms). */
  add(member: UserRef, now: number, until: number | null = null): void {
    this.sql.exec(
      "INSERT INTO removed (id, name, removed_at, until) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET removed_at = excluded.removed_at, until = excluded.until",
      member.id,
      member.name,
      now,
      until,
    );
  }

  /** Whether the person is kept out now: removed, or banned and the ban has not run out. */
  has(id: string, now = Date.now()): boolean {
    return this.sql.exec("SELECT 1 FROM removed WHERE id = ? AND (until IS NULL OR until > ?)", id, now).toArray().length > 0;
  }

  /** Lifts a removal; returns who was removed (with the name they had), or undefined if they were not. */
  lift(id: string): UserRef | undefined {
    return this.sql.exec<{ id: string; name: string }>("DELETE FROM removed WHERE id = ? RETURNING id, name", id).toArray()[0];
  }
}
