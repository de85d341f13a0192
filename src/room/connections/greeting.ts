import { LIMITS, type HistoryFrame, type RoomInfo, type UserRef, type WelcomeFrame } from "../../protocol";
import type { MessageLog } from "../history/message-log";
import type { MemberRoster } from "../membership/member-roster";
import type { Moderation } from "../membership/moderation";
import type { OnlineIndex } from "./presence";

/**
 * The welcome and history that open every connection, on the room's own sockets and on its
 * shards alike: the room, who is here, your role, and what the client has not seen (the recent
 * page, or everything after `after` when it resumes).
 */
export class Greeting {
  constructor(
    private readonly log: MessageLog,
    private readonly roster: MemberRoster,
    private readonly moderation: Moderation,
    private readonly online: OnlineIndex,
  ) {}

  frames(room: RoomInfo, you: UserRef, after: number | undefined, now: number): { frames: [string, string]; seq: number } {
    const seq = this.log.latestSeq();
    const welcome: WelcomeFrame = { type: "welcome", room, you, seq, members: this.roster.list(), online: this.online.size };
    const role = this.moderation.roleOf(you.id);
    if (role !== "member") welcome.role = role;
    const mutedUntil = this.moderation.mutedUntil(you.id, now);
    if (mutedUntil !== undefined) welcome.mutedUntil = mutedUntil;
    const page =
      after === undefined ? this.log.page(you.id, { limit: LIMITS.recentHistory }) : this.log.page(you.id, { after, limit: LIMITS.resumeHistory });
    const history: HistoryFrame = { type: "history", messages: page.messages, more: page.more };
    if (page.updates.length > 0) history.updates = page.updates;
    return { frames: [JSON.stringify(welcome), JSON.stringify(history)], seq };
  }
}
