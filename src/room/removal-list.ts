import type { UserRef } from "../protocol";

/**
 * The people the owner removed from the room. Removal must stick: without this record a
 * removed member walked back in with the room's old invite link, or one they had minted
 * themselves while a member. Only the owner lifts it (readmit, or an invite made for them).
 */
export class RemovalList {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS removed (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      removed_at INTEGER NOT NULL
    )`);
  }

  add(member: UserRef, now: number): void {
    this.sql.exec(
      "INSERT INTO removed (id, name, removed_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET removed_at = excluded.removed_at",
      member.id,
      member.name,
      now,
    );
  }

  has(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM removed WHERE id = ?", id).toArray().length > 0;
  }

  /** Lifts a removal; returns who was removed (with the name they had), or undefined if they were not. */
  lift(id: string): UserRef | undefined {
    return this.sql.exec<{ id: string; name: string }>("DELETE FROM removed WHERE id = ? RETURNING id, name", id).toArray()[0];
  }
}
