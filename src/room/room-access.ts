import type { InviteSummary, RoomInfo, UserRef } from "../protocol";
import type { InviteList, InviteRefusal } from "./invite-list";
import type { MemberList } from "./member-list";
import type { RoomRecord } from "./room-record";
import { failure, NOT_A_MEMBER, OWNER_ONLY, UNKNOWN_MEMBER, type RoomFailure, type RoomResult } from "./room-failure";

const INVITE_REFUSED: Record<InviteRefusal, string> = {
  unknown: "this invite link is not valid",
  expired: "this invite has expired; ask for a new one",
  revoked: "this invite was revoked; ask for a new one",
  "used up": "this invite has been used as often as it allows; ask for a new one",
};

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
  ) {}

  /**
   * Lets a user into the room, making them a member: a public room admits every signed-in
   * user (and comes into being on its first join); a private one its members, and anyone with
   * a valid invite, which is used up once in doing so.
   */
  admit(roomId: string, user: UserRef, now: number, inviteId?: string): RoomResult<{ room: RoomInfo }> {
    const room = this.room.ensure(roomId, now);
    if (room.visibility === "private" && !this.members.has(user.id)) {
      if (inviteId === undefined) return NOT_A_MEMBER;
      const refusal = this.invites.redeem(inviteId, now);
      if (refusal) return failure(403, "invalid_invite", INVITE_REFUSED[refusal]);
    }
    this.members.touch(user, now);
    return { ok: true, room };
  }

  /** Reading without joining: public rooms are open to every signed-in user, private ones to members. */
  refuseReader(viewer: UserRef): RoomFailure | undefined {
    return this.room.get()?.visibility === "private" && !this.members.has(viewer.id) ? NOT_A_MEMBER : undefined;
  }

  refuseNonOwner(user: UserRef): RoomFailure | undefined {
    const room = this.room.get();
    if (room?.visibility === "private" && !this.members.has(user.id)) return NOT_A_MEMBER;
    return room?.owner === user.id ? undefined : OWNER_ONLY;
  }

  /** Any member of a private room may invite. */
  createInvite(user: UserRef, now: number, expiresInMs: number, maxUses?: number): RoomResult<{ id: string; expiresAt: number }> {
    const room = this.room.get();
    if (!room || room.visibility === "public") {
      return failure(400, "bad_message", "public rooms need no invite; share the room's address");
    }
    if (!this.members.has(user.id)) return NOT_A_MEMBER;
    return { ok: true, ...this.invites.create(user.id, now, now + expiresInMs, maxUses) };
  }

  listInvites(user: UserRef): RoomResult<{ invites: InviteSummary[] }> {
    return this.refuseNonOwner(user) ?? { ok: true, invites: this.invites.all() };
  }

  revokeInvite(user: UserRef, inviteId: string, now: number): RoomResult<{}> {
    const refused = this.refuseNonOwner(user);
    if (refused) return refused;
    if (!this.invites.revoke(inviteId, now)) return failure(404, "bad_message", "no such invite");
    return { ok: true };
  }

  /** Takes a member out of the room; the caller closes their connections. */
  removeMember(user: UserRef, memberId: string): RoomResult<{}> {
    const refused = this.refuseNonOwner(user);
    if (refused) return refused;
    if (memberId === user.id) return failure(400, "bad_message", "the owner cannot remove themselves");
    if (!this.members.remove(memberId)) return { ...UNKNOWN_MEMBER, status: 404 };
    return { ok: true };
  }
}
