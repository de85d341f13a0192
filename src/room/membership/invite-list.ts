import { failure, type InviteSummary, type Result } from "../../protocol";

type Row = {
  id: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  max_uses: number | null;
  uses: number;
  revoked_at: number | null;
  for_user: string | null;
};

/** Why an invite was refused, in words the person holding the link can act on. */
const REFUSED = {
  unknown: failure(403, "invalid_invite", "this invite link is not valid"),
  expired: failure(403, "invalid_invite", "this invite has expired; ask for a new one"),
  revoked: failure(403, "invalid_invite", "this invite was revoked; ask for a new one"),
  usedUp: failure(403, "invalid_invite", "this invite has been used as often as it allows; ask for a new one"),
  forSomeoneElse: failure(403, "invalid_invite", "this invite was made for someone else; ask for one of your own"),
};

/** A usable invite: who made it, and whom it is for when it names one person. */
export interface RedeemedInvite {
  createdBy: string;
  forUser: string | null;
}

/** Expired invites stay listed this long for the owner to see, then they are deleted. */
const KEEP_EXPIRED_MS = 30 * 24 * 3600 * 1000;

/**
 * The room's invites. The link carries a signed token naming an invite here; this record is
 * what makes it revocable and countable, which a token alone cannot be.
 */
export class InviteList {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS invites (
      id TEXT PRIMARY KEY,
      created_by TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      max_uses INTEGER,
      uses INTEGER NOT NULL DEFAULT 0,
      revoked_at INTEGER,
      for_user TEXT
    )`);
    // Rooms made before invites could name a person have the table without the column.
    const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('invites')").toArray();
    if (!columns.some((column) => column.name === "for_user")) sql.exec("ALTER TABLE invites ADD COLUMN for_user TEXT");
  }

  /** Invites this member made that still work: not revoked, not expired (used up ones count; they are rare). */
  liveCreatedBy(userId: string, now: number): number {
    return this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM invites WHERE created_by = ? AND revoked_at IS NULL AND expires_at > ?", userId, now)
      .one().n;
  }

  create(createdBy: string, now: number, expiresAt: number, options: { maxUses?: number; forUser?: string } = {}): { id: string; expiresAt: number } {
    // Making one is when old ones are swept, so the table never holds more than a month of dead invites.
    this.sql.exec("DELETE FROM invites WHERE expires_at < ?", now - KEEP_EXPIRED_MS);
    const id = crypto.randomUUID();
    this.sql.exec(
      "INSERT INTO invites (id, created_by, created_at, expires_at, max_uses, for_user) VALUES (?, ?, ?, ?, ?, ?)",
      id,
      createdBy,
      now,
      expiresAt,
      options.maxUses ?? null,
      options.forUser ?? null,
    );
    return { id, expiresAt };
  }

  /** Whether `userId` may use the invite now, or why not; counts nothing (see `countUse`). */
  usable(id: string, userId: string, now: number): Result<RedeemedInvite> {
    const row = this.row(id);
    if (!row) return REFUSED.unknown;
    if (row.revoked_at !== null) return REFUSED.revoked;
    if (row.expires_at <= now) return REFUSED.expired;
    if (row.for_user !== null && row.for_user !== userId) return REFUSED.forSomeoneElse;
    if (row.max_uses !== null && row.uses >= row.max_uses) return REFUSED.usedUp;
    return { ok: true, createdBy: row.created_by, forUser: row.for_user };
  }

  /** Counts one use, for an entry that succeeded: a refused attempt must not use up someone else's link. */
  countUse(id: string): void {
    this.sql.exec("UPDATE invites SET uses = uses + 1 WHERE id = ?", id);
  }

  /** Revokes every invite a member made: links a removed member shared must not bring anyone in. */
  revokeCreatedBy(userId: string, now: number): void {
    this.sql.exec("UPDATE invites SET revoked_at = ? WHERE created_by = ? AND revoked_at IS NULL", now, userId);
  }

  /** Revokes an invite (again, harmlessly); false if there is no such invite. */
  revoke(id: string, now: number): boolean {
    if (!this.row(id)) return false;
    this.sql.exec("UPDATE invites SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", now, id);
    return true;
  }

  /** A page of invites, newest first; `before` is the `next` of the previous page. */
  page(limit: number, before?: number): { invites: InviteSummary[]; more: boolean; next?: number } {
    const rows = this.sql
      .exec<Row & { cursor: number }>(
        "SELECT rowid AS cursor, * FROM invites WHERE rowid < ? ORDER BY rowid DESC LIMIT ?",
        before ?? Number.MAX_SAFE_INTEGER,
        limit + 1,
      )
      .toArray();
    const more = rows.length > limit;
    if (more) rows.pop();
    const invites = rows.map((row) => ({
        id: row.id,
        createdBy: row.created_by,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        maxUses: row.max_uses,
        uses: row.uses,
        revoked: row.revoked_at !== null,
        ...(row.for_user === null ? {} : { forUser: row.for_user }),
      }));
    return more ? { invites, more, next: rows.at(-1)!.cursor } : { invites, more };
  }

  private row(id: string): Row | undefined {
    return this.sql.exec<Row>("SELECT * FROM invites WHERE id = ?", id).toArray()[0];
  }
}
