import type { AlarmPart, AlarmSchedule } from "../../shared/alarm-schedule";
import type { MemberEntry } from "./member-entry";
import type { RoomAccess } from "./room-access";
import type { RoomRecord } from "./room-record";

/**
 * The end of timed bans. A ban keeps someone out for its time, and no longer: when it ends they
 * are a member again if they were one, the room is back on their home, and the invites they
 * made work again (room-access.ts). Done on the alarm rather than on their return, or a
 * private room's former member, no longer listed anywhere, could never find the way back.
 */
export class BanEnds implements AlarmPart {
  constructor(
    private readonly access: RoomAccess,
    private readonly room: RoomRecord,
    private readonly entry: MemberEntry,
    private readonly alarms: Pick<AlarmSchedule, "dueBy">,
  ) {}

  /** A ban until `until` (ms) was made: the alarm must come by then. */
  banned(until: number): Promise<void> {
    return this.alarms.dueBy(until);
  }

  async run(now: number): Promise<number | undefined> {
    const room = this.room.get();
    for (const member of this.access.endBans(now)) if (room) await this.entry.restored(member, room.id);
    return this.access.nextBanEnd();
  }
}
