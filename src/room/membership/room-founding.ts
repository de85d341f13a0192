import { failure, type Result, type RoomInfo, type UserRef, type Visibility } from "../../protocol";
import type { RoomHome } from "../home/room-home";
import type { MemberList } from "./member-list";
import { NOT_A_MEMBER } from "./refusals";
import type { RoomRecord } from "./room-record";

/**
 * How a room comes to be with its first members: created by its owner, or, for a direct
 * conversation, opened by one of its two people. (A public room nobody created comes into
 * being on its first join: room-access.ts.)
 */
export class RoomFounding {
  constructor(
    private readonly room: RoomRecord,
    private readonly members: MemberList,
    private readonly home: RoomHome,
  ) {}

  /** A new room, its creator the owner and first member. */
  async create(roomId: string, owner: UserRef, settings: { visibility: Visibility; title?: string }): Promise<Result<{ room: RoomInfo }>> {
    if (this.room.get()) return failure(400, "bad_message", "a room with that id exists");
    const now = Date.now();
    const room = this.room.create({ id: roomId, owner: owner.id, ...settings }, now);
    this.members.touch(owner, now);
    await this.home.joined(owner);
    return { ok: true, room };
  }

  /**
   * The one-to-one conversation of two people, made on first use with both as members. The
   * Worker derived this room's id from both ids; only these two may open it.
   */
  async openDirect(roomId: string, from: UserRef, to: UserRef): Promise<Result<{ room: RoomInfo }>> {
    const existing = this.room.get();
    if (existing && !existing.direct) return failure(400, "bad_message", "a room with that id exists");
    const now = Date.now();
    const room = existing ?? this.room.create({ id: roomId, visibility: "private", direct: true }, now);
    if (existing && !this.members.has(from.id)) return NOT_A_MEMBER;
    for (const user of existing ? [from] : [from, to]) if (this.members.touch(user, now).added) await this.home.joined(user);
    return { ok: true, room };
  }
}
