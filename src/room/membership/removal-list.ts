import type { UserRef } from "../../protocol";

/** A ban whose time is up: who, and whether they were a member when banned. */
export interface EndedBan extends UserRef {
  wasMember: boolean;
}

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
    // Rooms made before bans had removals only, for good; before bans ended by themselves,
    // nobody had to know whether a banned person had been a member.
    const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('removed')").toArray();
    if (!columns.some((column) => column.name === "until")) sql.exec("ALTER TABLE removed ADD COLUMN until INTEGER");
    if (!columns.some((column) => column.name === "was_member")) sql.exec("ALTER TABLE removed ADD COLUMN was_member INTEGER NOT NULL DEFAULT 0");
  }

  /**
   * Removes (or bans) someone, for good or `until` a time (ms). A second ban never shortens the
   * first, or a moderator's short ban could end an owner's removal; nor does it forget that the
   * person was a member.
   */
  add(member: UserRef, now: number, until: number | null, wasMember: boolean): void {
    this.sql.exec(
      `INSERT INTO removed (id, name, removed_at, until, was_member) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         until = CASE WHEN removed.until IS NULL OR excluded.until IS NULL THEN NULL ELSE MAX(removed.until, excluded.until) END,
         was_member = MAX(removed.was_member, excluded.was_member)`,
      member.id,
      member.name,
      now,
      until,
      wasMember ? 1 : 0,
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

  /** Takes the bans that have run out by `now` off the list. */
  takeEnded(now: number): EndedBan[] {
    return this.sql
      .exec<{ id: string; name: string; was_member: number }>("DELETE FROM removed WHERE until <= ? RETURNING id, name, was_member", now)
      .toArray()
      .map((row) => ({ id: row.id, name: row.name, wasMember: row.was_member === 1 }));
  }

  /** When the next ban runs out (ms), or undefined while no ban has an end. */
  nextEnd(): number | undefined {
    return this.sql.exec<{ at: number | null }>("SELECT MIN(until) AS at FROM removed").one().at ?? undefined;
  }
}
