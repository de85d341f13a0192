import type { ModerationEvent, ModerationPage, Role, UserRef } from "../../protocol";
import type { RoomRecord } from "./room-record";

type LogRow = { id: number; ts: number; by_id: string; by_name: string; action: ModerationEvent["action"]; member: string | null; role: string | null; until: number | null; target: number | null };

/**
 * Roles and mutes, and the record of every moderation action. The owner of a created room,
 * and the operators in ADMIN_USERS in every room (they run `lobby` and the rooms nobody
 * created), are owners; owners appoint moderators; both may delete any message, mute and ban.
 */
export class Moderation {
  /** Read once per wake-up: every connection asks for roles and mutes, and both change rarely. */
  private moderatorIds: Set<string> | undefined;
  private muteUntil: Map<string, number | null> | undefined;

  constructor(
    private readonly sql: SqlStorage,
    private readonly room: RoomRecord,
    private readonly admins: string[],
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS moderators (user_id TEXT PRIMARY KEY)");
    // until NULL: muted until a moderator unmutes.
    sql.exec("CREATE TABLE IF NOT EXISTS mutes (user_id TEXT PRIMARY KEY, until INTEGER)");
    sql.exec(`CREATE TABLE IF NOT EXISTS moderation_log (
      id INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      by_id TEXT NOT NULL,
      by_name TEXT NOT NULL,
      action TEXT NOT NULL,
      member TEXT,
      role TEXT,
      until INTEGER,
      target INTEGER
    )`);
  }

  /** The role on record; whether it still holds is room-access.ts's to say (membership, bans). */
  roleOf(userId: string): Role {
    if (this.admins.includes(userId) || this.room.get()?.owner === userId) return "owner";
    return this.moderators().has(userId) ? "moderator" : "member";
  }

  /** The roles of these members that are not plain members. */
  rolesOf(userIds: string[]): Map<string, "owner" | "moderator"> {
    const roles = new Map<string, "owner" | "moderator">();
    if (userIds.length === 0) return roles;
    const owner = this.room.get()?.owner;
    for (const id of userIds) if (id === owner || this.admins.includes(id)) roles.set(id, "owner");
    for (const id of this.moderators()) if (!roles.has(id)) roles.set(id, "moderator");
    return roles;
  }

  /** Says whether the role changed. */
  setRole(userId: string, role: "moderator" | "member"): boolean {
    if (role === "moderator") {
      this.moderators().add(userId);
      return this.sql.exec("INSERT OR IGNORE INTO moderators (user_id) VALUES (?)", userId).rowsWritten > 0;
    }
    this.moderators().delete(userId);
    return this.sql.exec("DELETE FROM moderators WHERE user_id = ?", userId).rowsWritten > 0;
  }

  /** Until when the user is muted: a time (ms), null for until unmuted, undefined when not muted. */
  mutedUntil(userId: string, now: number): number | null | undefined {
    const mutes = this.mutes();
    if (!mutes.has(userId)) return undefined;
    const until = mutes.get(userId)!;
    return until !== null && until <= now ? undefined : until;
  }

  mute(userId: string, until: number | null): void {
    this.sql.exec("INSERT INTO mutes (user_id, until) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET until = excluded.until", userId, until);
    this.mutes().set(userId, until);
  }

  /** Says whether the user was muted. */
  unmute(userId: string): boolean {
    this.mutes().delete(userId);
    return this.sql.exec("DELETE FROM mutes WHERE user_id = ?", userId).rowsWritten > 0;
  }

  private moderators(): Set<string> {
    this.moderatorIds ??= new Set(this.sql.exec<{ user_id: string }>("SELECT user_id FROM moderators").toArray().map((row) => row.user_id));
    return this.moderatorIds;
  }

  private mutes(): Map<string, number | null> {
    this.muteUntil ??= new Map(this.sql.exec<{ user_id: string; until: number | null }>("SELECT user_id, until FROM mutes").toArray().map((row) => [row.user_id, row.until]));
    return this.muteUntil;
  }

  record(by: UserRef, event: Omit<ModerationEvent, "id" | "by">): void {
    this.sql.exec(
      "INSERT INTO moderation_log (ts, by_id, by_name, action, member, role, until, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      event.ts,
      by.id,
      by.name,
      event.action,
      event.member ?? null,
      event.role ?? null,
      event.until ?? null,
      event.target ?? null,
    );
  }

  /** A page of actions, newest first; `before` is the `next` of the previous page. */
  events(limit: number, before?: number): ModerationPage {
    const rows = this.sql
      .exec<LogRow>(
        "SELECT id, ts, by_id, by_name, action, member, role, until, target FROM moderation_log WHERE id < ? ORDER BY id DESC LIMIT ?",
        before ?? Number.MAX_SAFE_INTEGER,
        limit + 1,
      )
      .toArray();
    const more = rows.length > limit;
    if (more) rows.pop();
    const events = rows.map((row) => {
      const event: ModerationEvent = { id: row.id, ts: row.ts, by: { id: row.by_id, name: row.by_name }, action: row.action };
      if (row.member !== null) event.member = row.member;
      if (row.role !== null) event.role = row.role as Role;
      if (row.until !== null) event.until = row.until;
      if (row.target !== null) event.target = row.target;
      return event;
    });
    return more ? { events, more, next: events.at(-1)!.id } : { events, more };
  }
}
