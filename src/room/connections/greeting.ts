import { LIMITS, type HistoryFrame, type RoomInfo, type RoomSnapshot, type UserRef, type WelcomeFrame } from "../../protocol";
import type { MessageLog } from "../history/message-log";
import type { MemberRoster } from "../membership/member-roster";
import type { Moderation } from "../membership/moderation";
import type { RoomAccess } from "../membership/room-access";
import type { OnlineIndex } from "./presence";

/**
 * What a person is told on arriving, however they arrive: a socket's `welcome` and history (on
 * the room's own sockets and on its shards alike), and the answers of `POST /join` and
 * `GET /api/rooms/:room`. One shape for all of them, so a client over HTTP knows its role and
 * its mute as a socket's does.
 */
export class Greeting {
  constructor(
    private readonly log: MessageLog,
    private readonly roster: MemberRoster,
    private readonly moderation: Moderation,
    private readonly access: Pick<RoomAccess, "roleOf">,
    private readonly online: OnlineIndex,
  ) {}

  welcome(room: RoomInfo, you: UserRef, now: number): WelcomeFrame {
    const welcome: WelcomeFrame = { type: "welcome", room, you, seq: this.log.latestSeq(), members: this.roster.list(), online: this.online.size };
    const role = this.access.roleOf(you.id);
    if (role !== "member") welcome.role = role;
    const mutedUntil = this.moderation.mutedUntil(you.id, now);
    if (mutedUntil !== undefined) welcome.mutedUntil = mutedUntil;
    return welcome;
  }

  /** The welcome as an HTTP body: without its frame type. */
  snapshot(room: RoomInfo, you: UserRef, now: number): RoomSnapshot {
    const { type: _, ...snapshot } = this.welcome(room, you, now);
    return snapshot;
  }

  /** A socket's opening frames: the welcome, then what it has not seen (the recent page, or everything after `after`). */
  frames(room: RoomInfo, you: UserRef, after: number | undefined, now: number): { frames: [string, string]; seq: number } {
    const welcome = this.welcome(room, you, now);
    const page =
      after === undefined ? this.log.page(you.id, { limit: LIMITS.recentHistory }) : this.log.page(you.id, { after, limit: LIMITS.resumeHistory });
    const history: HistoryFrame = { type: "history", messages: page.messages, more: page.more };
    if (page.updates.length > 0) history.updates = page.updates;
    if (page.pruned) Object.assign(history, { pruned: true, oldestSeq: page.oldestSeq });
    return { frames: [JSON.stringify(welcome), JSON.stringify(history)], seq: welcome.seq };
  }
}
