import { failure, type Result, type RoomInfo, type UserRef, type Visibility } from "../../protocol";
import type { MemberEntry } from "./member-entry";
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
    private readonly entry: MemberEntry,
  ) {}

  /** A new room, its creator the owner and first member. */
  async create(roomId: string, owner: UserRef, settings: { visibility: Visibility; title?: string }): Promise<Result<{ room: RoomInfo }>> {
    const taken = failure(400, "bad_message", "a room with that id exists");
    if (this.room.get()) return taken;
    let room: RoomInfo | undefined;
    const refused = await this.entry.found([owner], roomId, () => {
      // Made only if nobody made it while the owner's hub was asked.
      if (this.room.get()) return;
      room = this.room.create({ id: roomId, owner: owner.id, ...settings }, Date.now());
      this.members.touch(owner, Date.now());
    });
    if (refused) return refused;
    return room ? { ok: true, room } : taken;
  }

  /**
   * The one-to-one conversation of two people, made on first use with both as members. The
   * Worker derived this room's id from both ids; only these two may open it.
   */
  async openDirect(roomId: string, from: UserRef, to: UserRef): Promise<Result<{ room: RoomInfo }>> {
    const existing = this.room.get();
    if (existing && !existing.direct) return failure(400, "bad_message", "a room with that id exists");
    if (existing) {
      if (!this.members.has(from.id)) return NOT_A_MEMBER;
      this.members.touch(from, Date.now());
      return { ok: true, room: existing };
    }
    // Both hubs make room for it first: the other person may be in as many rooms as they may be.
    const refused = await this.entry.found([from, to], roomId, () => {
      const now = Date.now();
      if (!this.room.get()) this.room.create({ id: roomId, visibility: "private", direct: true }, now);
      for (const user of [from, to]) this.members.touch(user, now);
    });
    if (refused?.user === to) return failure(403, "forbidden", "that person is in as many rooms as they may be, and cannot take a new conversation");
    return refused ?? { ok: true, room: this.room.get()! };
  }
}
