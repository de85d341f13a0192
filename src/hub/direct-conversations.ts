import type { HubConfig } from "../config";
import type { Env } from "../env";
import { failure, type ConversationSettings, type HomeRoom, type Result, type RoomInfo, type UserRef } from "../protocol";
import { BlockList } from "./block-list";
import { ConversationStarts } from "./conversation-starts";
import type { RoomIndex } from "./room-index";

/** `forbidden` with words of its own: a client tells it from "no shared room" by its message, as the protocol's table of codes stays as it is. */
export const BLOCKED = failure(403, "forbidden", "this person has blocked you: you cannot start a conversation with them");

/**
 * One person's side of their one-to-one conversations: opening them (with someone who shares a
 * room with them and has not blocked them, a few new ones a day), leaving (hiding) them, the
 * people they blocked, and whether a conversation they left comes back with a new message.
 */
export class DirectConversations {
  readonly blocks: BlockList;
  private readonly starts: ConversationStarts;

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
    private readonly config: HubConfig,
    private readonly index: RoomIndex,
  ) {
    this.blocks = new BlockList(sql);
    this.starts = new ConversationStarts(sql);
    sql.exec("CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  /**
   * `POST /api/dm`: only someone who shares a room with the user, and has not blocked them, can
   * be reached; a conversation the user already has stays reachable whatever rooms either
   * leaves, and opening it again brings it back to their home if they had left it.
   */
  async open(user: UserRef, otherId: string, roomId: string): Promise<Result<{ room: RoomInfo }>> {
    if (await this.hub(otherId).isBlocking(user.id)) return BLOCKED;
    const room = this.env.ROOMS.get(this.env.ROOMS.idFromName(roomId));
    if (this.index.has(roomId)) {
      this.index.show(roomId);
      return room.openDirect(roomId, user, { id: otherId, name: otherId });
    }
    const other = await this.sharedMember(otherId);
    if (!other) return failure(403, "forbidden", "you can only start a conversation with someone who shares a room with you");
    const now = Date.now();
    const wait = this.starts.take(this.config.newConversationsPerDay, now);
    if (wait > 0) {
      return { ...failure(429, "rate_limited", `you can start ${this.config.newConversationsPerDay} conversations a day; try again later`), retryAfterMs: wait };
    }
    // Counted before the room is asked, so two at once cannot both pass; given back if refused.
    const opened = await room.openDirect(roomId, user, other);
    if (!opened.ok) this.starts.giveBack(now);
    return opened;
  }

  /** `DELETE /api/me/rooms/:room`: a direct conversation leaves the home until reopened (or, by choice, written in). */
  hide(roomId: string, now: number): Result<{}> {
    if (!roomId.startsWith("dm-")) return failure(400, "bad_message", "only a direct conversation is hidden; leave a room with DELETE /api/rooms/<room>/members/me");
    if (!this.index.hide(roomId, now)) return failure(404, "not_found", "no such conversation on your home");
    return { ok: true };
  }

  /**
   * Whether a room's entry is shown on the home. A hidden conversation comes back (and stays)
   * once it has a message newer than its hiding from someone not blocked, if the person chose so.
   */
  shown(entry: HomeRoom, hiddenAt = this.index.hiddenAt(entry.id)): boolean {
    if (hiddenAt === undefined) return true;
    const last = entry.last;
    if (!this.settings().reopenOnMessage || !last || last.ts <= hiddenAt || this.blocks.has(last.from.id)) return false;
    this.index.show(entry.id);
    return true;
  }

  settings(): ConversationSettings {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM settings WHERE name = 'reopenOnMessage'").toArray()[0];
    return { reopenOnMessage: row ? row.value === "true" : true };
  }

  saveSettings(settings: ConversationSettings): void {
    this.sql.exec("INSERT OR REPLACE INTO settings (name, value) VALUES ('reopenOnMessage', ?)", String(settings.reopenOnMessage));
  }

  /**
   * The other person as a room of both knows them, or undefined if no room has both. Only the
   * rooms both hubs list are asked, not every room of this user's; each still says whether the
   * other is a member now (their hub's list may lag a removal).
   */
  private async sharedMember(otherId: string): Promise<UserRef | undefined> {
    const theirs = new Set(await this.hub(otherId).roomIds());
    const shared = this.index.ids().filter((id) => theirs.has(id));
    const found = await Promise.all(
      shared.map((id) =>
        this.env.ROOMS.get(this.env.ROOMS.idFromName(id))
          .member(otherId)
          .catch(() => undefined),
      ),
    );
    return found.find((member) => member !== undefined);
  }

  private hub(userId: string) {
    return this.env.HUBS.get(this.env.HUBS.idFromName(userId));
  }
}
