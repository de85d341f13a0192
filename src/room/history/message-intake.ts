import type { RoomConfig } from "../../config";
import { quoteOf, type ChangeFrame, type ChatMessage, type OutgoingMessage, type UpdateFrame, type UserRef, failure, type Failure, type Result } from "../../protocol";
import type { FileList } from "../files/file-list";
import { visibleTo, type LogEntry } from "./log-entries";
import type { MemberList } from "../membership/member-list";
import type { MessageLog } from "./message-log";
import type { Moderation } from "../membership/moderation";
import type { RoomAccess } from "../membership/room-access";
import { UNKNOWN_MEMBER } from "../membership/refusals";
import type { SendRate } from "./send-rate";
import type { RoomBlocks } from "../membership/room-blocks";
import { storedChange } from "./stored-changes";
import type { FrameSink } from "../../shared/held-frames";
import type { RoomHooks } from "../lifecycle/room-hooks";

export type Stored = Result<{ message: ChatMessage; created: boolean }>;

/**
 * A change, answered: the event that was stored (undefined when it changed nothing: a reaction
 * added twice), and the seq and time its ack carries.
 */
export type Changed = Result<{ update: UpdateFrame | undefined; seq: number; ts: number; created: boolean }>;

const NOT_FOUND = failure(404, "not_found", "no such message, or not one you can see");
const SAME_ID = failure(400, "bad_message", "that id was used for something else; use a new id");

/**
 * The one way anything gets into the log, from a socket or over HTTP alike: messages, and
 * changes to them (each kind in stored-changes.ts). Stored before anyone hears of it: the
 * runtime's output gate holds every frame sent after a write until the write is durable.
 */
export class MessageIntake {
  constructor(
    private readonly config: RoomConfig,
    private readonly log: MessageLog,
    private readonly members: MemberList,
    private readonly sendRate: SendRate,
    private readonly moderation: Moderation,
    private readonly access: Pick<RoomAccess, "mayModerate">,
    private readonly files: FileList,
    private readonly blocks: RoomBlocks,
    private readonly hooks: RoomHooks,
  ) {}

  /**
   * Stores a message unless it is a retransmit (then the stored original stands), the recipient
   * or someone mentioned is unknown, what it answers is not the sender's to see, or the sender
   * is over the rate limit. A new message is announced to the `stored` listeners, with the
   * connection it came from (`origin`), if any.
   */
  store(from: UserRef, message: OutgoingMessage, now: number, origin?: FrameSink): Stored {
    const claimed = message.files ? this.files.claimable(from.id, message.files) : { ok: true as const, files: [] };
    const answered = message.replyTo === undefined ? undefined : this.log.message(message.replyTo);
    const refused =
      this.refuseMuted(from, now) ??
      this.refuseAddressees(from, message) ??
      this.overLimit(from, now) ??
      (message.replyTo === undefined ? undefined : this.refuseReply(from, message, answered)) ??
      (claimed.ok ? undefined : claimed);
    // Dedupe before any refusal, but only a refused message costs the look for an original: a
    // retransmit of one stored before its recipient left, the sender was muted, the limit was
    // reached or the message it answers was deleted is still acknowledged, never stored twice.
    if (refused) return this.storedBefore(from, message.id) ?? refused;
    const files = claimed.ok ? claimed.files : [];
    const stored = this.log.append(from, message, now, files, answered && quoteOf(answered));
    if (!stored) return this.storedBefore(from, message.id) ?? SAME_ID;
    this.sendRate.record(from.id, now);
    this.hooks.stored.emit({ entry: stored, origin });
    return { ok: true, message: stored, created: true };
  }

  /**
   * Applies a change by `by`, under its kind's rules (stored-changes.ts): who besides the author
   * may make it, whether a muted member may. A change that changes nothing (a reaction added
   * twice, or taken back when never given) stores nothing.
   */
  change(by: UserRef, change: ChangeFrame, now: number, origin?: FrameSink): Changed {
    const original = this.log.find(by.id, change.id);
    if (original) return original.type === "update" ? { ok: true, update: original, seq: original.seq, ts: original.ts, created: false } : SAME_ID;
    const target = this.log.message(change.target);
    if (!target || !visibleTo(target, by.id)) return NOT_FOUND;
    if (target.deleted) return failure(404, "not_found", "that message was deleted");
    const kind = storedChange(change.type);
    const byOther = target.from.id !== by.id;
    if (byOther) {
      const refused = kind.refuseOthers(this.access.mayModerate(by.id));
      if (refused) return refused;
    }
    const muted = kind.whileMuted ? undefined : this.refuseMuted(by, now);
    if (muted) return muted;
    const limited = this.overLimit(by, now);
    if (limited) return limited;
    const columns = kind.prepare(change, target, by.id, this.log.tables);
    if (columns === "unchanged") return { ok: true, update: undefined, seq: target.seq, ts: now, created: false };
    if ("ok" in columns) return columns;
    const update = this.log.appendChange(by, change, target, now, columns);
    if (!update) return NOT_FOUND;
    if (byOther && kind.moderationAction) this.moderation.record(by, { ts: now, action: kind.moderationAction, member: target.from.id, target: target.seq });
    this.sendRate.record(by.id, now);
    this.hooks.stored.emit({ entry: update, origin });
    return { ok: true, update, seq: update.seq, ts: update.ts, created: true };
  }

  /** The message this sender stored under this id before, as the answer to its retransmit; a change's id is refused. */
  private storedBefore(from: UserRef, id: string): Stored | undefined {
    const original: LogEntry | undefined = this.log.find(from.id, id);
    if (!original) return undefined;
    return original.type === "message" ? { ok: true, message: original, created: false } : SAME_ID;
  }

  /** The recipient and everyone mentioned must be members, and none of them may have blocked the sender. */
  private refuseAddressees(from: UserRef, message: OutgoingMessage): Failure | undefined {
    if (message.to !== undefined && !this.members.has(message.to)) return UNKNOWN_MEMBER;
    if (message.mentions?.some((id) => !this.members.has(id))) return failure(400, "unknown_user", "only members of this room can be mentioned");
    return this.blocks.refuse(from.id, message);
  }

  /**
   * A reply must answer a message its sender sees; one to a direct message stays between its
   * two people, or it would show the quote to the room.
   */
  private refuseReply(from: UserRef, message: OutgoingMessage, original: ChatMessage | undefined): Failure | undefined {
    if (!original || !visibleTo(original, from.id)) return NOT_FOUND;
    if (original.to === undefined) return undefined;
    const other = original.from.id === from.id ? original.to : original.from.id;
    return message.to === other ? undefined : failure(400, "bad_message", "a reply to a direct message must go to the same person only (to)");
  }

  private refuseMuted(user: UserRef, now: number): Failure | undefined {
    const until = this.moderation.mutedUntil(user.id, now);
    if (until === undefined) return undefined;
    if (until === null) return failure(403, "forbidden", "you are muted here until a moderator unmutes you");
    const left = until - now;
    return failure(403, "forbidden", `you are muted here for another ${left < 60_000 ? `${Math.ceil(left / 1000)} s` : `${Math.ceil(left / 60_000)} min`}`);
  }

  private overLimit(from: UserRef, now: number): Failure | undefined {
    const { waitMs, newcomer } = this.sendRate.retryAfter(from.id, now);
    if (waitMs <= 0) return undefined;
    const { messages, windowMs } = this.config.rateLimit;
    const why = newcomer
      ? `new members share ${this.config.newcomers.messages} messages per ${windowMs / 1000} s (at most ${this.config.newcomers.each} each) for their first ${this.config.newcomers.ageMs / 1000} s here`
      : `at most ${messages} messages (edits and reactions included) per ${windowMs / 1000} s`;
    return { ...failure(429, "rate_limited", why), retryAfterMs: waitMs };
  }
}

