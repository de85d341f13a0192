import type { AckFrame, ChangeFrame, ErrorCode, ErrorFrame, OutgoingMessage, UpdateFrame } from "../protocol";
import { ApiError, type ChatApi } from "./api";
import type { Outbox, PendingMessage } from "./outbox";
import type { RoomConnection } from "./room-connection";

/** What the sender tells the message stream. */
export interface SenderEvents {
  /** A message of the user's is stored: at this seq and time. */
  stored(pending: PendingMessage, seq: number, ts: number): void;
  /** A change of the user's is stored: the event the others got. */
  changed(update: UpdateFrame): void;
  /** A message the server refused for good. */
  failed(id: string, code: ErrorCode, message: string): void;
  /** A change the server refused for good. */
  refused(code: string, message: string): void;
}

/**
 * The user's side of the stream: messages (kept in the outbox, which survives a reload) and
 * changes (edits, deletions, reactions, kept in memory) until the room acknowledges them, sent
 * over the socket or HTTP, again after every reconnect, and again after a rate limit's wait.
 * Every retransmit carries the same id, so the room applies each once.
 */
export class Sender {
  private readonly changes = new Map<string, ChangeFrame>();
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly room: string,
    private readonly api: ChatApi,
    private readonly connection: RoomConnection,
    private readonly outbox: Outbox,
    private readonly events: SenderEvents,
    /** While a long absence is paged in, nothing is sent: no ack may move the resume point past a gap. */
    private readonly catchingUp: () => boolean,
  ) {}

  message(message: PendingMessage): void {
    this.outbox.add(message);
    this.transmit(message);
  }

  change(change: ChangeFrame): string {
    this.changes.set(change.id, change);
    this.transmitChange(change);
    return change.id;
  }

  /** Sends everything not yet acknowledged: on (re)connecting, once caught up. */
  flush(): void {
    for (const message of this.outbox.all()) this.transmit(message);
    for (const change of this.changes.values()) this.transmitChange(change);
  }

  /** An ack: a message or change of the user's is stored. */
  acknowledged(ack: AckFrame): void {
    const pending = this.outbox.all().find((m) => m.id === ack.id);
    if (pending) this.events.stored(pending, ack.seq, ack.ts);
    if (this.changes.delete(ack.id) && ack.update) this.events.changed(ack.update);
  }

  /** Takes an error about one of the user's frames; false when it is about none of them. */
  refused(error: ErrorFrame): boolean {
    const { id } = error;
    if (id === undefined || (!this.changes.has(id) && !this.outbox.has(id))) return false;
    if (error.code === "rate_limited") this.retryLater(id, error.retryAfterMs ?? 1000);
    else this.giveUp(id, error.code, error.message);
    return true;
  }

  clear(): void {
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
  }

  private transmit(message: PendingMessage): void {
    if (this.connection.transport === "websocket") {
      if (this.connection.canSendFrames && !this.catchingUp()) this.connection.sendFrame({ type: "send", ...outgoing(message) });
      return;
    }
    if (this.connection.status.state === "online") void this.post(message.id, () => this.api.post(this.room, outgoing(message)));
  }

  private transmitChange(change: ChangeFrame): void {
    if (this.connection.transport === "websocket") {
      if (this.connection.canSendFrames && !this.catchingUp()) this.connection.sendFrame(change);
      return;
    }
    if (this.connection.status.state === "online") void this.post(change.id, () => this.api.change(this.room, change));
  }

  /** One message or change over HTTP, answered like its ack; a network failure leaves it for the next flush. */
  private async post(id: string, request: () => Promise<{ seq: number; ts: number; update?: UpdateFrame }>): Promise<void> {
    try {
      const answer = await request();
      this.acknowledged({ type: "ack", id, ...answer });
    } catch (error) {
      if (!(error instanceof ApiError) || !(this.outbox.has(id) || this.changes.has(id))) return;
      if (error.code === "rate_limited") return this.retryLater(id, error.retryAfterMs ?? 1000);
      if (error.status === 401) return this.connection.end({ state: "signed-out", message: error.message });
      if (error.status >= 500) return;
      this.giveUp(id, error.code as ErrorCode, error.message);
    }
  }

  private giveUp(id: string, code: ErrorCode, message: string): void {
    if (this.changes.delete(id)) return this.events.refused(code, message);
    this.outbox.take(id);
    this.events.failed(id, code, message);
  }

  private retryLater(id: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      const message = this.outbox.all().find((m) => m.id === id);
      if (message) this.transmit(message);
      const change = this.changes.get(id);
      if (change) this.transmitChange(change);
    }, delayMs);
    this.retryTimers.add(timer);
  }
}

/** What goes over the wire of a pending message: never its local bookkeeping. */
function outgoing({ id, text, to, mentions, replyTo, attachments }: PendingMessage): OutgoingMessage {
  const message: OutgoingMessage = { id, text };
  if (attachments?.length) message.files = attachments.map((file) => file.id);
  if (to !== undefined) message.to = to;
  if (mentions !== undefined) message.mentions = mentions;
  if (replyTo !== undefined) message.replyTo = replyTo;
  return message;
}
