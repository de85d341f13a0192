import type { RoomConfig } from "../config";
import type { ChatMessage, OutgoingMessage, UserRef } from "../protocol";
import type { MemberList } from "./member-list";
import type { MessageLog } from "./message-log";
import { failure, UNKNOWN_MEMBER, type RoomResult } from "./room-failure";
import type { SendRate } from "./send-rate";

export type Stored = RoomResult<{ message: ChatMessage; created: boolean }>;

/** The one way a message gets into the log, from a socket or over HTTP alike. */
export class MessageIntake {
  constructor(
    private readonly config: RoomConfig,
    private readonly log: MessageLog,
    private readonly members: MemberList,
    private readonly sendRate: SendRate,
  ) {}

  /**
   * Stores a message unless it is a retransmit (then the stored original stands), the recipient
   * is unknown, or the sender is over the rate limit. Stored before anyone hears of it: the
   * runtime's output gate holds every frame sent after this write until the write is durable.
   */
  store(from: UserRef, message: OutgoingMessage, now: number): Stored {
    if (message.to !== undefined && !this.members.has(message.to)) return UNKNOWN_MEMBER;
    if (message.mentions?.some((id) => !this.members.has(id))) {
      return failure(400, "unknown_user", "only members of this room can be mentioned");
    }
    const { waitMs, newcomer } = this.sendRate.retryAfter(from.id, now);
    if (waitMs > 0) {
      // A retransmit of a message stored before the limit was reached is still acknowledged.
      const original = this.log.find(from.id, message.id);
      if (original) return { ok: true, message: original, created: false };
      const { messages, windowMs } = this.config.rateLimit;
      const why = newcomer
        ? `new members share ${this.config.newcomers.messages} messages per ${windowMs / 1000} s for their first ${this.config.newcomers.ageMs / 1000} s here`
        : `at most ${messages} messages per ${windowMs / 1000} s`;
      return { ...failure(429, "rate_limited", why), retryAfterMs: waitMs };
    }
    const stored = this.log.append(from, message, now);
    if (!stored) return { ok: true, message: this.log.find(from.id, message.id)!, created: false };
    this.sendRate.record(from.id, now);
    return { ok: true, message: stored, created: true };
  }
}
