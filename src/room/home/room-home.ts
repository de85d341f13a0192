import type { Env } from "../../env";
import { logError } from "../../log-lines";
import { LIMITS, plainText, type HomeRoom, type Result, type UserRef } from "../../protocol";
import { HomeWatchers } from "./home-watchers";
import type { MemberList } from "../membership/member-list";
import type { MessageLog } from "../history/message-log";
import type { RoomRecord } from "../membership/room-record";
import type { RoomAccess } from "../membership/room-access";
import type { RoomBlocks } from "../membership/room-blocks";
import type { RoomHooks } from "../lifecycle/room-hooks";
import { NOT_A_MEMBER } from "../membership/refusals";

/** What a member's hub answered when the room was put on their list. */
export interface HomePlace {
  watching: boolean;
  blocked: string[];
}

/**
 * The room's side of its members' homes (docs/home.md): the entry each member's home shows for
 * this room, made here because only the room knows its messages and read positions, and the
 * hubs it tells when someone joins, leaves, or has news while their home page is open.
 */
export class RoomHome {
  readonly watchers: HomeWatchers;

  constructor(
    sql: SqlStorage,
    private readonly env: Env,
    newsPerSecond: number,
    private readonly room: RoomRecord,
    private readonly members: MemberList,
    private readonly log: MessageLog,
    private readonly access: RoomAccess,
    private readonly blocks: RoomBlocks,
    hooks: RoomHooks,
  ) {
    this.watchers = new HomeWatchers(sql, newsPerSecond, (ids) => this.sendNews(ids));
    // News leaves the room only once what it tells of is on disk. An edit or a deletion is news
    // too: a hub's copy shows the last line and counts the unread. A reaction changes neither.
    hooks.durable.on((entries) => {
      for (const entry of entries) if (entry.type === "message" || entry.kind !== "react") this.watchers.stored(entry);
    });
    hooks.gone.on((gone) => {
      if ("prunedThrough" in gone) this.watchers.allChanged();
    });
  }

  /**
   * A hub asking for the user's entry for its copy (undefined: not a member, drop the room).
   * The room sends that hub the next change (home-watchers.ts). The hub brings the user's
   * blocks along, which heals a copy here that missed a change.
   */
  homeEntry(userId: string, blocked: readonly string[]): HomeRoom | undefined {
    const entry = this.entry(userId);
    if (!entry) return undefined;
    this.watchers.watch(userId);
    this.blocks.replace(userId, blocked);
    return entry;
  }

  /** The read position moves forward only, and never past the newest message. */
  async markRead(user: UserRef, seq: number): Promise<Result<{}>> {
    const refused = this.access.refuseReader(user);
    if (refused) return refused;
    if (this.members.readPosition(user.id) === undefined) return NOT_A_MEMBER;
    if (this.members.markRead(user.id, Math.min(seq, this.log.latestSeq()))) await this.watchers.changedNow(user.id);
    return { ok: true };
  }

  /** The user's home entry for this room, or undefined for someone who is not a member. */
  entry(userId: string): HomeRoom | undefined {
    const lastReadSeq = this.members.readPosition(userId);
    const room = this.room.get();
    if (lastReadSeq === undefined || !room) return undefined;
    const seq = this.log.latestSeq();
    // A room reset below a read position must not count backwards.
    const { unread, mentions } = this.log.unreadCounts(userId, Math.min(lastReadSeq, seq));
    const entry: HomeRoom = {
      id: room.id,
      visibility: room.visibility,
      role: room.owner === userId ? "owner" : "member",
      seq,
      lastReadSeq,
      unread,
      mentions,
    };
    if (room.direct) {
      entry.direct = true;
      const other = this.members.other(userId);
      if (other) {
        entry.title = other.name;
        entry.other = { id: other.id, name: other.name };
      }
    } else if (room.title !== undefined) entry.title = room.title;
    const last = this.log.newestVisibleTo(userId);
    if (last) entry.last = { from: last.from, text: preview(last.text), ts: last.ts };
    return entry;
  }

  /**
   * Before someone becomes a member: their hub puts the room on their list, or refuses past
   * their ROOMS_PER_USER (never for a room given back, `restored`). A hub that cannot be
   * reached refuses nothing (`place` unknown): the person comes in, and the room's first news
   * puts it on their list (see `entered`).
   */
  async reserve(userId: string, roomId: string, restored: boolean): Promise<Result<{ place?: HomePlace }>> {
    try {
      const place = await this.hub(userId).enter(roomId, restored);
      return place.ok ? { ok: true, place: { watching: place.watching, blocked: place.blocked } } : place;
    } catch (error) {
      logError("room.home_join_failed", error, { room: roomId, user: userId });
      return { ok: true };
    }
  }

  /**
   * Someone became a member on the hub's word: the room now knows whom they block, and an open
   * home page (or a hub that could not be told) gets the room's entry with the next news.
   */
  entered(userId: string, place: HomePlace | undefined): void {
    if (place) this.blocks.replace(userId, place.blocked);
    if (place && !place.watching) return;
    this.watchers.watch(userId);
    this.watchers.changedFor(userId);
  }

  /** Takes the room off the home of someone who left or was removed. */
  async left(userId: string, roomId: string): Promise<void> {
    this.blocks.replace(userId, []);
    this.watchers.unwatch(userId);
    try {
      await this.hub(userId).left(roomId);
    } catch (error) {
      logError("room.home_leave_failed", error, { room: roomId, user: userId });
    }
  }

  private async sendNews(userIds: string[]): Promise<void> {
    await Promise.all(
      userIds.map(async (userId) => {
        const entry = this.entry(userId);
        if (!entry) return this.watchers.unwatch(userId);
        try {
          if (!(await this.hub(userId).news(entry))) this.watchers.unwatch(userId);
        } catch (error) {
          // Kept as a watcher: the next news tries again, and an opening home page reads afresh.
          logError("room.home_news_failed", error, { room: entry.id, user: userId });
        }
      }),
    );
  }

  private hub(userId: string) {
    return this.env.HUBS.get(this.env.HUBS.idFromName(userId));
  }
}

/** The newest message as one plain line: formatting taken out, cut to LIMITS.homePreviewChars. */
function preview(text: string): string {
  const plain = plainText(text);
  const chars = Array.from(plain);
  return chars.length <= LIMITS.homePreviewChars ? plain : `${chars.slice(0, LIMITS.homePreviewChars - 1).join("")}…`;
}
