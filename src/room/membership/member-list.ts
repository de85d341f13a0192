import type { UserRef } from "../../protocol";

export interface StoredMember extends UserRef {
  lastSeen: number;
}

/** Everyone who has ever joined the room, with the name they last used and when they were last here. */
export class MemberList {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS members (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      joined_at INTEGER NOT NULL,
      last_seen INTEGER NOT NULL
    )`);
    // Lists read the most recently seen members; without it each list would sort the whole room.
    sql.exec("CREATE INDEX IF NOT EXISTS members_by_last_seen ON members (last_seen)");
    // Rooms made before homes kept no read positions.
    const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('members')").toArray();
    if (!columns.some((column) => column.name === "last_read_seq")) {
      sql.exec("ALTER TABLE members ADD COLUMN last_read_seq INTEGER NOT NULL DEFAULT 0");
    }
  }

  /** The member's read position, or undefined for someone who is not a member. */
  readPosition(id: string): number | undefined {
    return this.sql.exec<{ seq: number }>("SELECT last_read_seq AS seq FROM members WHERE id = ?", id).toArray()[0]?.seq;
  }

  /** Moves a member's read position forward to `seq`; says whether it moved (a lower seq is ignored). */
  markRead(id: string, seq: number): boolean {
    return this.sql.exec("UPDATE members SET last_read_seq = ? WHERE id = ? AND last_read_seq < ?", seq, id, seq).rowsWritten > 0;
  }

  /**
   * Records that the user is here now, adding them on their first visit and keeping their
   * latest name. Writes only when that changes something (a new member, a new name, or a last
   * visit more than a minute old), so a bot posting over HTTP costs no second write per message.
   */
  touch(user: UserRef, now: number): { added: boolean } {
    const row = this.sql
      .exec<{ joined_at: number }>(
        `INSERT INTO members (id, name, joined_at, last_seen) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen
         WHERE name != excluded.name OR last_seen < excluded.last_seen - 60000
         RETURNING joined_at`,
        user.id,
        user.name,
        now,
        now,
      )
      .toArray()[0];
    // An update keeps the old joined_at, so only a row inserted now has joined_at = now (a
    // rename in the very millisecond of joining would say "added" twice, and that is harmless).
    return { added: row?.joined_at === now };
  }

  /** Records when a member left; never adds anyone (a removed member's last socket closes after removal). */
  markSeen(id: string, now: number): void {
    this.sql.exec("UPDATE members SET last_seen = ? WHERE id = ?", now, id);
  }

  /** Removes a member; returns who it was, or undefined if there was none by that id. */
  remove(id: string): UserRef | undefined {
    return this.sql.exec<{ id: string; name: string }>("DELETE FROM members WHERE id = ? RETURNING id, name", id).toArray()[0];
  }

  /** When this member first joined (ms), or undefined for a non-member. */
  joinedAt(id: string): number | undefined {
    return this.sql.exec<{ joined_at: number }>("SELECT joined_at FROM members WHERE id = ?", id).toArray()[0]?.joined_at;
  }

  /** A member by id, with the name they last used. */
  get(id: string): UserRef | undefined {
    return this.sql.exec<{ id: string; name: string }>("SELECT id, name FROM members WHERE id = ?", id).toArray()[0];
  }

  /** The first member who is not this one: the other person of a one-to-one conversation. */
  other(id: string): UserRef | undefined {
    return this.sql.exec<{ id: string; name: string }>("SELECT id, name FROM members WHERE id != ? LIMIT 1", id).toArray()[0];
  }

  has(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM members WHERE id = ?", id).toArray().length > 0;
  }

  /** The `limit` members seen most recently, most recent first. */
  recentlySeen(limit: number): StoredMember[] {
    return this.sql
      .exec<{ id: string; name: string; last_seen: number }>(
        "SELECT id, name, last_seen FROM members ORDER BY last_seen DESC LIMIT ?",
        limit,
      )
      .toArray()
      .map((row) => ({ id: row.id, name: row.name, lastSeen: row.last_seen }));
  }
}
