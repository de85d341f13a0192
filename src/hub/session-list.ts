import type { AlarmPart } from "../shared/alarm-schedule";

/**
 * One person's sessions, as their hub knows them: each signed-in device is one session id (the
 * tokens' `sid`), kept from its first renewal (or sign-out) until its newest token expires. A
 * session that was signed out stays listed, revoked, until then, so none of its tokens is
 * renewed, and is forgotten after: an expired token is refused everywhere anyway.
 *
 * Kept per session rather than per token so that "your sessions on every device" can list and
 * end them later without changing what a token carries.
 */
export class SessionList implements AlarmPart {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS sessions (
      id TEXT PRIMARY KEY,
      started_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      revoked_at INTEGER
    )`);
    sql.exec("CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at)");
  }

  /** A renewal: the session lasts until its newest token expires. False if it was signed out. */
  renewed(id: string, expiresAt: number, now: number): boolean {
    if (this.isRevoked(id)) return false;
    this.sql.exec(
      `INSERT INTO sessions (id, started_at, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)`,
      id,
      now,
      expiresAt,
    );
    return true;
  }

  /** Sign-out. A session the hub never heard of (its record failed) is remembered as revoked all the same. */
  revoke(id: string, expiresAt: number, now: number): void {
    this.sql.exec(
      `INSERT INTO sessions (id, started_at, expires_at, revoked_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET revoked_at = coalesce(revoked_at, excluded.revoked_at), expires_at = max(expires_at, excluded.expires_at)`,
      id,
      now,
      expiresAt,
      now,
    );
  }

  isRevoked(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM sessions WHERE id = ? AND revoked_at IS NOT NULL", id).toArray().length > 0;
  }

  /** Forgets sessions whose every token has expired; due again at the next expiry. */
  run(now: number): number | undefined {
    this.sql.exec("DELETE FROM sessions WHERE expires_at <= ?", now);
    return this.sql.exec<{ next: number | null }>("SELECT min(expires_at) AS next FROM sessions").one().next ?? undefined;
  }
}
