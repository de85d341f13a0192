import type { Env } from "../../env";
import { logError } from "../../log-lines";
import { LIMITS, type HomeRoom, type UserRef, type Result } from "../../protocol";
import { HomeWatchers } from "./home-watchers";
import type { MemberList } from "../membership/member-list";
import type { MessageLog } from "../history/message-log";
import type { RoomRecord } from "../membership/room-record";
import type { RoomAccess } from "../membership/room-access";
import type { RoomBlocks } from "../membership/room-blocks";
import type { RoomHooks } from "../lifecycle/room-hooks";
import { NOT_A_MEMBER } from "../membership/refusals";

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
    private readonly room: RoomRecord,
    private readonly members: MemberList,
    private readonly log: MessageLog,
    private readonly access: RoomAccess,
    private readonly blocks: RoomBlocks,
    hooks: RoomHooks,
  ) {
    this.watchers = new HomeWatchers(sql, (ids) => this.sendNews(ids));
    // News leaves the room only once what it tells of is on disk.
    hooks.durable.on((entries) => {
      for (const entry of entries) if (entry.type === "message") this.watchers.stored(entry);
    });
  }

  /**
   * A hub reading the user's entry for its home (undefined: not a member, drop the room). With
   * `watch`, a home page is open: the room sends that hub news until it says nobody looks. The
   * hub brings the user's blocks along, which heals a copy that missed a change.
   */
  summary(userId: string, watch: boolean, blocked?: readonly string[]): HomeRoom | undefined {
    const entry = this.entry(userId);
    if (entry && watch) this.watchers.watch(userId);
    if (entry && blocked) this.blocks.replace(userId, blocked);
    return entry;
  }

  /** The read position moves forward only, and never past the newest message. */
  markRead(user: UserRef, seq: number): Result<{}> {
    const refused = this.access.refuseReader(user);
    if (refused) return refused;
    if (this.members.readPosition(user.id) === undefined) return NOT_A_MEMBER;
    if (this.members.markRead(user.id, Math.min(seq, this.log.latestSeq()))) this.watchers.changedFor(user.id);
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
      if (other) entry.title = other.name;
    } else if (room.title !== undefined) entry.title = room.title;
    const last = this.log.newestVisibleTo(userId);
    if (last) entry.last = { from: last.from, text: preview(last.text), ts: last.ts };
    return entry;
  }

  /**
   * Puts the room on a new member's home; their hub answers whether a home page is open to
   * watch it, and whom they have blocked, which the room must know from now on.
   */
  async joined(user: UserRef): Promise<void> {
    const entry = this.entry(user.id);
    if (!entry) return;
    try {
      const { watching, blocked } = await this.hub(user.id).joined(entry);
      if (watching) this.watchers.watch(user.id);
      this.blocks.replace(user.id, blocked);
    } catch (error) {
      logError("room.home_join_failed", error, { room: entry.id, user: user.id });
    }
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

function preview(text: string): string {
  const chars = Array.from(text);
  return chars.length <= LIMITS.homePreviewChars ? text : `${chars.slice(0, LIMITS.homePreviewChars - 1).join("")}…`;
}
