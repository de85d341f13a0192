import { LIMITS, type InviteRequest, type InvitesPage, type Role, type RoomInfo, type UserRef, failure, type Failure, type Result } from "../../protocol";
import type { InviteList } from "./invite-list";
import type { MemberList } from "./member-list";
import type { Moderation } from "./moderation";
import type { RemovalList } from "./removal-list";
import type { RoomRecord } from "./room-record";
import { NOT_A_MEMBER, OWNER_ONLY, UNKNOWN_MEMBER } from "./refusals";

const MODERATORS_ONLY = failure(403, "forbidden", "only the room's owners and moderators may do that");

/** Told to a removed member on every path in, so they know a link will not help. */
export const REMOVED = failure(403, "forbidden", "you were removed from this room; only its owner can let you back in");

/** A timed ban holds its invites back rather than revoking them: they work again when it ends. */
const MAKER_KEPT_OUT = failure(403, "invalid_invite", "whoever made this invite is banned from the room for now; ask for another");

const NO_REMOVAL_IN_DIRECT = failure(400, "bad_message", "nobody is removed or banned from a direct conversation");

/** What letting someone in takes besides making them a member. */
export interface EntryTerms {
  usesInvite?: string;
  liftsRemoval: boolean;
}

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
   * a valid invite, which is used up once in doing so. Nobody removed comes in, in a room of
   * either kind, unless the invite is an owner's made for them; nobody comes in on the invite
   * of someone banned for now.
   */
  admit(roomId: string, user: UserRef, now: number, inviteId?: string): Result<{ room: RoomInfo; joined: boolean }> {
    const room = this.room.ensure(roomId, now);
    const terms = this.entryTerms(room, user, now, inviteId);
    if (!terms.ok) return terms;
    if (terms.liftsRemoval) this.removed.lift(user.id);
    // Counted with the entry it grants, in the same turn without a wait between: the
    // object's writes then commit together, so a use is never counted for a refusal.
    if (terms.usesInvite) this.invites.countUse(terms.usesInvite);
    const joined = this.members.touch(user, now).added;
    // A role ends with membership; one an older version left behind does not come back with a new one.
    if (joined && this.moderation.roleOf(user.id) === "moderator") this.moderation.setRole(user.id, "member");
    return { ok: true, room, joined };
  }

  /**
   * What `admit` would answer now, writing nothing: a refusal, or what coming in would take (an
   * invite's use, a removal lifted). Asked before a newcomer's hub is (membership/member-entry.ts).
   */
  termsOfEntry(user: UserRef, now: number, inviteId?: string): Result<EntryTerms> {
    return this.entryTerms(this.room.get(), user, now, inviteId);
  }

  /** Whether the user may come in, and what coming in takes: an invite's use, a removal lifted. Reads only. */
  private entryTerms(room: RoomInfo | undefined, user: UserRef, now: number, inviteId?: string): Result<EntryTerms> {
    const removed = this.removed.has(user.id, now);
    // A room not made yet is a public one to be.
    if (!removed && (room?.visibility !== "private" || this.members.has(user.id))) return { ok: true, liftsRemoval: false };
    if (inviteId === undefined) return removed ? REMOVED : NOT_A_MEMBER;
    const invite = this.invites.usable(inviteId, user.id, now);
    if (!invite.ok) return invite;
    if (this.removed.has(invite.createdBy, now)) return MAKER_KEPT_OUT;
    if (removed && (invite.forUser !== user.id || this.roleOf(invite.createdBy) !== "owner")) return REMOVED;
    return { ok: true, usesInvite: inviteId, liftsRemoval: removed };
  }

  /** Reading without joining: public rooms are open to every signed-in user but the removed, private ones to members. */
  refuseReader(viewer: UserRef): Failure | undefined {
    if (this.removed.has(viewer.id)) return REMOVED;
    return this.room.get()?.visibility === "private" && !this.members.has(viewer.id) ? NOT_A_MEMBER : undefined;
  }

  /**
   * The role someone holds now, which every privileged path asks. Owners are the room's
   * creator and the operators in ADMIN_USERS. A moderator's role lasts only while they are a
   * member and not removed or banned: it is dropped when membership ends, and a row an older
   * version left behind grants nothing.
   */
  roleOf(userId: string): Role {
    const role = this.moderation.roleOf(userId);
    if (role !== "moderator") return role;
    return this.members.has(userId) && !this.removed.has(userId) ? role : "member";
  }

  refuseNonOwner(user: UserRef): Failure | undefined {
    return this.roleOf(user.id) === "owner" ? undefined : this.refuseStranger(user) ?? OWNER_ONLY;
  }

  /** Owners and moderators delete others' messages, mute and ban. */
  mayModerate(userId: string): boolean {
    return this.roleOf(userId) !== "member";
  }

  refuseNonModerator(user: UserRef): Failure | undefined {
    return this.mayModerate(user.id) ? undefined : this.refuseStranger(user) ?? MODERATORS_ONLY;
  }

  /**
   * One acts only on someone of lower rank: owners on moderators and members, moderators on
   * members, nobody on an owner or on themselves (so nobody lifts their own mute).
   */
  refuseOutranked(actor: UserRef, memberId: string): Failure | undefined {
    if (memberId === actor.id) return failure(403, "forbidden", "you cannot do that to yourself");
    const target = this.roleOf(memberId);
    if (target === "owner") return failure(403, "forbidden", "an owner of the room cannot be muted, banned or removed");
    if (target === "moderator" && this.roleOf(actor.id) !== "owner") return failure(403, "forbidden", "only an owner may act on a moderator");
    return undefined;
  }

  /**
   * Bans someone: like removal, and in public rooms too, they cannot come back by link or by
   * name until the ban ends (`until`, ms) or, without one, until the owner readmits them. A
   * ban without an end revokes their invites as removal does; a timed one only holds them
   * back, and its end gives back what it took (`endBans`).
   */
  ban(user: UserRef, memberId: string, now: number, until: number | null): Result<{}> {
    const refused = this.refuseNonModerator(user) ?? this.refuseOutranked(user, memberId) ?? this.refuseInDirect();
    if (refused) return refused;
    const member = this.members.remove(memberId);
    this.removed.add(member ?? { id: memberId, name: memberId }, now, until, member !== undefined);
    this.moderation.setRole(memberId, "member");
    if (until === null) this.invites.revokeCreatedBy(memberId, now);
    return { ok: true };
  }

  /** Bans that have run out: their members are members again; says who, for their homes. */
  endBans(now: number): UserRef[] {
    const members = this.removed.takeEnded(now).filter((ban) => ban.wasMember);
    for (const member of members) this.members.touch({ id: member.id, name: member.name }, now);
    return members.map(({ id, name }) => ({ id, name }));
  }

  /** When the next ban runs out (ms), or undefined. */
  nextBanEnd(): number | undefined {
    return this.removed.nextEnd();
  }

  private refuseInDirect(): Failure | undefined {
    return this.room.get()?.direct ? NO_REMOVAL_IN_DIRECT : undefined;
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
    const outranked = this.refuseOutranked(user, memberId) ?? this.refuseInDirect();
    if (outranked) return outranked;
    const member = this.members.remove(memberId);
    if (!member) return { ...UNKNOWN_MEMBER, status: 404 };
    this.removed.add(member, now, null, true);
    this.moderation.setRole(memberId, "member");
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
    this.moderation.setRole(user.id, "member");
    return { ok: true };
  }
}
