import { LIMITS, type InviteRequest, type InvitesPage, type RoomInfo, type UserRef, failure, type Failure, type Result } from "../../protocol";
import type { InviteList } from "./invite-list";
import type { MemberList } from "./member-list";
import type { Moderation } from "./moderation";
import type { RemovalList } from "./removal-list";
import type { RoomRecord } from "./room-record";
import { NOT_A_MEMBER, OWNER_ONLY, UNKNOWN_MEMBER } from "./refusals";

const MODERATORS_ONLY = failure(403, "forbidden", "only the room's owners and moderators may do that");

/** Told to a removed member on every path in, so they know a link will not help. */
export const REMOVED = failure(403, "forbidden", "you were removed from this room; only its owner can let you back in");

/**
 * Who may do what in a room: entering (public rooms, members, invites), reading, and the
 * owner's powers over invites and members. Every path in (socket, join, post, long-poll)
 * asks here, so a rule changes in one place.
 */
export class RoomAccess {
  constructor(
    private readonly room: RoomRecord,
    private readonly members: MemberList,
    private readonly invites: InviteList,
    private readonly removed: RemovalList,
    private readonly moderation: Moderation,
  ) {}

  /**
   * Lets a user into the room, making them a member: a public room admits every signed-in
   * user (and comes into being on its first join); a private one its members, and anyone with
   * a valid invite, which is used up once in doing so. Nobody the owner removed comes in,
   * in a room of either kind, unless the invite is the owner's own made for them.
   */
  admit(roomId: string, user: UserRef, now: number, inviteId?: string): Result<{ room: RoomInfo; joined: boolean }> {
    const room = this.room.ensure(roomId, now);
    const removed = this.removed.has(user.id);
    if (removed || (room.visibility === "private" && !this.members.has(user.id))) {
      if (inviteId === undefined) return removed ? REMOVED : NOT_A_MEMBER;
      const invite = this.invites.redeem(inviteId, user.id, now);
      if (!invite.ok) return invite;
      if (removed) {
        if (invite.forUser !== user.id || invite.createdBy !== room.owner) return REMOVED;
        this.removed.lift(user.id);
      }
    }
    return { ok: true, room, joined: this.members.touch(user, now).added };
  }

  /** Reading without joining: public rooms are open to every signed-in user but the removed, private ones to members. */
  refuseReader(viewer: UserRef): Failure | undefined {
    if (this.removed.has(viewer.id)) return REMOVED;
    return this.room.get()?.visibility === "private" && !this.members.has(viewer.id) ? NOT_A_MEMBER : undefined;
  }

  /** Owners: the room's creator, and the operators in ADMIN_USERS in every room. */
  refuseNonOwner(user: UserRef): Failure | undefined {
    return this.moderation.roleOf(user.id) === "owner" ? undefined : this.refuseStranger(user) ?? OWNER_ONLY;
  }

  refuseNonModerator(user: UserRef): Failure | undefined {
    return this.moderation.canModerate(user.id) ? undefined : this.refuseStranger(user) ?? MODERATORS_ONLY;
  }

  /** Owners and moderators act on members; nobody acts on an owner. */
  refuseOverOwner(memberId: string): Failure | undefined {
    return this.moderation.roleOf(memberId) === "owner" ? failure(403, "forbidden", "an owner of the room cannot be muted, banned or removed") : undefined;
  }

  /**
   * Bans someone: like removal, and in public rooms too, they cannot come back by link or by
   * name until the ban ends (`until`, ms) or, without one, until the owner readmits them.
   */
  ban(member: UserRef, now: number, until: number | null): void {
    this.members.remove(member.id);
    this.removed.add(member, now, until);
    this.invites.revokeCreatedBy(member.id, now);
  }

  private refuseStranger(user: UserRef): Failure | undefined {
    return this.room.get()?.visibility === "private" && !this.members.has(user.id) ? NOT_A_MEMBER : undefined;
  }

  /** Any member of a private room may invite. */
  createInvite(user: UserRef, now: number, request: InviteRequest): Result<{ id: string; expiresAt: number }> {
    const room = this.room.get();
    if (!room || room.visibility === "public") {
      return failure(400, "bad_message", "public rooms need no invite; share the room's address");
    }
    if (room.direct) return failure(400, "bad_message", "a direct conversation is for its two people only; start a room to invite others");
    if (!this.members.has(user.id)) return NOT_A_MEMBER;
    if (this.invites.liveCreatedBy(user.id, now) >= LIMITS.liveInvitesPerMember) {
      return failure(429, "rate_limited", `you have ${LIMITS.liveInvitesPerMember} invites that still work; revoke some or let them expire first`);
    }
    const { expiresIn, maxUses, for: forUser } = request;
    return { ok: true, ...this.invites.create(user.id, now, now + expiresIn * 1000, { maxUses, forUser }) };
  }

  listInvites(user: UserRef, limit: number, before?: number): Result<InvitesPage> {
    return this.refuseNonOwner(user) ?? { ok: true, ...this.invites.page(limit, before) };
  }

  revokeInvite(user: UserRef, inviteId: string, now: number): Result<{}> {
    const refused = this.refuseNonOwner(user);
    if (refused) return refused;
    if (!this.invites.revoke(inviteId, now)) return failure(404, "bad_message", "no such invite");
    return { ok: true };
  }

  /**
   * Takes a member out of the room for good: they are remembered as removed, and the invites
   * they made stop working, so neither an old link nor one of their own brings them back. The
   * caller closes their connections and ends their long-polls.
   */
  removeMember(user: UserRef, memberId: string, now: number): Result<{}> {
    const refused = this.refuseNonOwner(user);
    if (refused) return refused;
    if (memberId === user.id) return failure(400, "bad_message", "the owner cannot remove themselves");
    const overOwner = this.refuseOverOwner(memberId);
    if (overOwner) return overOwner;
    const member = this.members.remove(memberId);
    if (!member) return { ...UNKNOWN_MEMBER, status: 404 };
    this.removed.add(member, now);
    this.invites.revokeCreatedBy(memberId, now);
    return { ok: true };
  }

  /** `POST .../members/:id/readmit`: the owner lets a removed member back in; they are a member again at once. */
  readmit(user: UserRef, memberId: string, now: number): Result<{}> {
    const refused = this.refuseNonOwner(user);
    if (refused) return refused;
    const member = this.removed.lift(memberId);
    if (!member) return failure(404, "unknown_user", "nobody with that id was removed from this room");
    this.members.touch(member, now);
    return { ok: true };
  }

  /**
   * `DELETE /api/rooms/:room/members/me`: a member leaves. A private room's owner cannot, or
   * nobody could invite or remove anyone; a public room takes anyone back who comes again.
   */
  leave(user: UserRef): Result<{}> {
    const room = this.room.get();
    if (room?.owner === user.id) return failure(400, "bad_message", "the owner cannot leave their own room");
    if (room?.direct) return failure(400, "bad_message", "a direct conversation cannot be left");
    if (!this.members.remove(user.id)) return NOT_A_MEMBER;
    return { ok: true };
  }
}
