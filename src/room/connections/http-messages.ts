import type { RoomConfig } from "../../config";
import { type ChangeFrame, type ChatMessage, type MessagesPage, type OutgoingMessage, type PageQuery, type UserRef, failure, type Result } from "../../protocol";
import type { MessageIntake, Changed } from "../history/message-intake";
import type { MessageLog } from "../history/message-log";
import type { RoomAccess } from "../membership/room-access";
import type { Delivery } from "./delivery";
import type { FrameAnswers } from "./frame-answers";
import type { LongPolls } from "./long-polls";

/**
 * Messages over HTTP, for clients that cannot hold a WebSocket: pages and long-polls, posts
 * and changes, under the same rules as the socket's frames and in the same order as them.
 */
export class HttpMessages {
  constructor(
    private readonly config: RoomConfig,
    private readonly access: RoomAccess,
    private readonly log: MessageLog,
    private readonly intake: MessageIntake,
    private readonly polls: LongPolls,
    private readonly answers: FrameAnswers,
    private readonly delivery: Delivery,
  ) {}

  /**
   * A page of what the viewer may see. With `after` and a wait, an empty answer is held until
   * a message arrives or the wait is over (long-polling).
   */
  async read(viewer: UserRef, query: PageQuery, waitMs: number): Promise<Result<MessagesPage>> {
    const refused = this.access.refuseReader(viewer);
    if (refused) return refused;
    const deadline = Date.now() + waitMs;
    let page = this.log.page(viewer.id, query);
    while (page.messages.length + page.updates.length === 0 && query.after !== undefined && Date.now() < deadline) {
      const woken = this.polls.wait(viewer.id, deadline - Date.now());
      if (!woken) {
        const { perUser, perRoom } = this.config.longPolls;
        return failure(429, "too_many_connections", `at most ${perUser} waiting reads per person and ${perRoom} per room; try again shortly`);
      }
      await woken;
      // The viewer may have been removed while waiting: what came since is not theirs to read.
      const refusedNow = this.access.refuseReader(viewer);
      if (refusedNow) return refusedNow;
      page = this.log.page(viewer.id, query);
    }
    const { messages, updates, more, next, pruned, oldestSeq } = page;
    return { ok: true, messages, ...(updates.length > 0 ? { updates } : {}), more, ...(next === undefined ? {} : { next }), ...(pruned ? { pruned, oldestSeq } : {}), seq: this.log.latestSeq() };
  }

  /** A post by a member the caller admitted; messages that reached the room before it are stored before it. */
  post(user: UserRef, message: OutgoingMessage): Result<{ message: ChatMessage; created: boolean }> {
    this.answers.flush();
    const result = this.intake.store(user, message, Date.now());
    this.delivery.release();
    return result;
  }

  change(user: UserRef, change: ChangeFrame): Changed {
    const refused = this.access.refuseReader(user);
    if (refused) return refused;
    this.answers.flush();
    const result = this.intake.change(user, change, Date.now());
    this.delivery.release();
    return result;
  }
}
