import { type InviteRequest, type ModerationPage, type UserRef, failure, type Result } from "../../protocol";
import type { BanEnds } from "./ban-ends";
import type { MemberEntry } from "./member-entry";
import type { MemberExit } from "./member-exit";
import type { MemberList } from "./member-list";
import type { Moderation } from "./moderation";
import { send } from "../connections/outgoing-frames";
import type { RoomAccess } from "./room-access";
import { UNKNOWN_MEMBER } from "./refusals";
import type { RoomRecord } from "./room-record";
import type { RoomSockets } from "../connections/room-sockets";
import type { RoomNotes } from "../lifecycle/room-notes";

/**
 * What owners, moderators and members do to membership: remove and readmit, roles, mute and
 * unmute, ban, and leaving. Each checks who may (room-access.ts), records the moderation
 * action with who did it, tells the person's open sockets, and keeps their home in step.
 */
export class MemberActions {
  constructor(
    private readonly sockets: Pick<RoomSockets, "of" | "disconnect">,
    private readonly notes: RoomNotes,
    private readonly room: RoomRecord,
    private readonly members: MemberList,
    private readonly access: RoomAccess,
    private readonly moderation: Moderation,
    private readonly exit: MemberExit,
    private readonly entry: MemberEntry,
    private readonly banEnds: Pick<BanEnds, "banned">,
  ) {}

  /** Removal: the member's connections close with 4003, their long-polls end refused, and only the owner lets them back. */
  async remove(user: UserRef, memberId: string): Promise<Result<{}>> {
    const removed = this.access.removeMember(user, memberId, Date.now());
    if (!removed.ok) return removed;
    this.notes.note("room.member_removed", { user: user.id, member: memberId });
    this.moderation.record(user, { ts: Date.now(), action: "remove", member: memberId });
    await this.exit.shut(memberId, "removed from this room", "you were removed from this room");
    return { ok: true };
  }

  async readmit(user: UserRef, memberId: string): Promise<Result<{}>> {
    const readmitted = this.access.readmit(user, memberId, Date.now());
    if (!readmitted.ok) return readmitted;
    this.notes.note("room.member_readmitted", { user: user.id, member: memberId });
    this.moderation.record(user, { ts: Date.now(), action: "readmit", member: memberId });
    await this.entry.restored({ id: memberId, name: "" }, this.room.get()!.id);
    return readmitted;
  }

  /**
   * Owners appoint members as moderators, and dismiss anyone, whatever became of their
   * membership: an owner can always take a role away. Only a change is recorded.
   */
  setRole(user: UserRef, memberId: string, role: "moderator" | "member"): Result<{}> {
    const refused = this.access.refuseNonOwner(user) ?? this.access.refuseOutranked(user, memberId);
    if (refused) return refused;
    if (role === "moderator" && !this.members.has(memberId)) return { ...UNKNOWN_MEMBER, status: 404 };
    if (this.moderation.setRole(memberId, role)) this.moderation.record(user, { ts: Date.now(), action: "role", member: memberId, role });
    return { ok: true };
  }

  /**
   * The member still reads; their sends, edits and reactions are refused until the time is up,
   * or until unmuted. Only an owner mutes or unmutes a moderator, and nobody unmutes themselves.
   */
  mute(user: UserRef, memberId: string, seconds?: number): Result<{ until: number | null }> {
    const refused = this.access.refuseNonModerator(user) ?? this.access.refuseOutranked(user, memberId);
    if (refused) return refused;
    if (!this.members.has(memberId)) return { ...UNKNOWN_MEMBER, status: 404 };
    const now = Date.now();
    const until = seconds === undefined ? null : now + seconds * 1000;
    this.moderation.mute(memberId, until);
    this.moderation.record(user, { ts: now, action: "mute", member: memberId, ...(until === null ? {} : { until }) });
    for (const ws of this.sockets.of(memberId)) send(ws, { type: "muted", muted: true, until });
    return { ok: true, until };
  }

  unmute(user: UserRef, memberId: string): Result<{}> {
    const refused = this.access.refuseNonModerator(user) ?? this.access.refuseOutranked(user, memberId);
    if (refused) return refused;
    if (!this.moderation.unmute(memberId)) return failure(404, "unknown_user", "that member is not muted");
    this.moderation.record(user, { ts: Date.now(), action: "unmute", member: memberId });
    for (const ws of this.sockets.of(memberId)) send(ws, { type: "muted", muted: false });
    return { ok: true };
  }

  /**
   * Like removal, in public rooms too, and by owners and moderators: the person cannot come
   * back, by link or by the room's name, until the ban ends (or the owner readmits them).
   */
  async ban(user: UserRef, memberId: string, seconds?: number): Promise<Result<{ until: number | null }>> {
    const now = Date.now();
    const until = seconds === undefined ? null : now + seconds * 1000;
    const banned = this.access.ban(user, memberId, now, until);
    if (!banned.ok) return banned;
    this.moderation.record(user, { ts: now, action: "ban", member: memberId, ...(until === null ? {} : { until }) });
    this.notes.note("room.member_banned", { user: user.id, member: memberId });
    // Shut out first: if scheduling the ban's end fails, the person is still out.
    await this.exit.shut(memberId, "banned from this room", "you were banned from this room");
    if (until !== null) await this.banEnds.banned(until);
    return { ok: true, until };
  }

  /** Any member of a private room may invite; the owner sees and revokes every invite (room-access.ts). */
  createInvite(user: UserRef, request: InviteRequest): Result<{ id: string; expiresAt: number }> {
    const invite = this.access.createInvite(user, Date.now(), request);
    if (invite.ok) this.notes.note("room.invite_created", { user: user.id, invite: invite.id });
    return invite;
  }

  /** Links already shared stop working. */
  revokeInvite(user: UserRef, inviteId: string): Result<{}> {
    const revoked = this.access.revokeInvite(user, inviteId, Date.now());
    if (revoked.ok) this.notes.note("room.invite_revoked", { user: user.id, invite: inviteId });
    return revoked;
  }

  events(user: UserRef, limit: number, before?: number): Result<ModerationPage> {
    return this.access.refuseNonModerator(user) ?? { ok: true, ...this.moderation.events(limit, before) };
  }

  /** The member leaves: the room leaves their home, and their sockets here close. */
  async leave(user: UserRef): Promise<Result<{}>> {
    const left = this.access.leave(user);
    if (!left.ok) return left;
    await this.exit.shut(user.id, "you left this room");
    return { ok: true };
  }
}
