import {
  LIMITS,
  quoteOf,
  type ChatMessage,
  type FileInfo,
  type ErrorCode,
  type Member,
  type PresenceFrame,
  type ServerFrame,
  type UpdateFrame,
  type UserRef,
  type WelcomeFrame,
} from "../protocol";
import { ChatApi } from "./api";
import { Conversation, inSeqOrder } from "./conversation";
import { Emitter } from "./emitter";
import { Outbox, type KeyValueStore, type PendingMessage } from "./outbox";
import { Sender } from "./sender";
import { browserEnvironment, type PageEnvironment } from "./page-environment";
import { RoomConnection, type ConnectionStatus, type ConnectionTiming } from "./room-connection";
import { userFromToken } from "./token-claims";

export type { ConnectionStatus, Transport } from "./room-connection";

export interface ChatClientEvents extends Record<string, unknown> {
  status: ConnectionStatus;
  welcome: WelcomeFrame;
  /** Every message once, in order: history, catch-up and live, the user's own once acknowledged. */
  message: ChatMessage;
  /**
   * Messages that an edit, deletion or reaction changed (a deletion or edit also changes the
   * replies quoting it), as they read now; the user's own changes once acknowledged.
   */
  changed: ChatMessage[];
  /** A message of the user's waiting for its ack: when sent, and when restored after a reload. */
  pending: PendingMessage;
  /** A message of the user's that the server refused for good. */
  failed: { id: string; code: ErrorCode; message: string };
  presence: PresenceFrame;
  /** The user was muted here (until when; null: until unmuted), or unmuted. */
  muted: { muted: boolean; until?: number | null };
  typing: UserRef;
  members: Member[];
  /** Some of what came after `after` (the reader's last seq) is no longer kept: the history has a gap there. */
  gap: { after: number };
  /** The first history reaches the oldest message the room keeps: older ones were deleted. */
  pruned: { after: number };
  /** An error the server reported that concerns no particular message, or a change it refused. */
  error: { code: string; message: string };
}

/** The timing of reconnects, heartbeat and fallback is the connection's; see {@link ConnectionTiming}. */
export interface ChatClientOptions extends Partial<ConnectionTiming> {
  baseUrl: string;
  room: string;
  token: string;
  /** An invite link's token, presented until the room has let the user in once. */
  invite?: string;
  /** Called before every reconnection for the current session token, when the app renews its own. */
  getToken?: () => string | Promise<string>;
  /** Injected for tests and non-browser use; default to the globals. */
  WebSocket?: typeof WebSocket | undefined;
  fetch?: typeof fetch;
  storage?: KeyValueStore;
  environment?: PageEnvironment;
  random?: () => number;
}

/**
 * A room's message stream for one user: every message once and in order, the user's own
 * delivered once however often the connection drops. It keeps the outbox and re-sends what was
 * not acknowledged, drops what it has seen, and pages in a long absence before showing live
 * messages. Getting frames there and back is the {@link RoomConnection}'s job.
 */
export class ChatClient extends Emitter<ChatClientEvents> {
  readonly you: UserRef;
  private readonly room: string;
  private readonly api: ChatApi;
  private readonly outbox: Outbox;
  private readonly connectionToRoom: RoomConnection;
  private readonly sender: Sender;

  private seen = new Set<number>();
  /** The messages as this reader sees them, changes applied (conversation.ts). */
  private readonly conversation: Conversation;
  private lastSeq = 0;
  /** Live messages held back while a long absence is paged in over HTTP, so order is kept. */
  private heldBack: (ChatMessage | UpdateFrame)[] | undefined;
  private lastTypingSent = 0;
  private readUpTo = 0;

  constructor(options: ChatClientOptions) {
    super();
    this.room = options.room;
    this.you = userFromToken(options.token);
    this.conversation = new Conversation(this.you.id);
    const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.api = new ChatApi(options.baseUrl, options.token, fetchImpl);
    const storage = "storage" in options ? options.storage : globalThis.sessionStorage;
    this.outbox = new Outbox(storage, `edge-chat:outbox:${options.room}:${this.you.id}`);
    this.connectionToRoom = new RoomConnection({
      ...DEFAULT_TIMING,
      ...definedTiming(options),
      baseUrl: options.baseUrl,
      room: options.room,
      token: options.token,
      you: this.you,
      invite: options.invite,
      api: this.api,
      WebSocket: "WebSocket" in options ? options.WebSocket : globalThis.WebSocket,
      environment: "environment" in options ? options.environment : browserEnvironment(),
      random: options.random ?? Math.random,
      cursor: () => this.lastSeq,
      getToken: options.getToken,
    });
    this.sender = new Sender(
      options.room,
      this.api,
      this.connectionToRoom,
      this.outbox,
      {
        stored: (pending, seq, ts) => this.accept(this.ownMessage(pending, seq, ts)),
        changed: (update) => this.acceptUpdate(update),
        failed: (id, code, message) => this.emit("failed", { id, code, message }),
        refused: (code, message) => this.emit("error", { code, message }),
      },
      () => this.heldBack !== undefined,
    );
    this.connectionToRoom.on("status", (status) => this.onStatus(status));
    this.connectionToRoom.on("frame", (frame) => this.onFrame(frame));
    // Let the caller subscribe before anything is emitted.
    queueMicrotask(() => {
      for (const message of this.outbox.all()) this.emit("pending", message);
      this.connectionToRoom.connect();
    });
  }

  get connection(): ConnectionStatus {
    return this.connectionToRoom.status;
  }

  /**
   * Sends a message (to one member with `to`, naming members with `mentions`); returns its id.
   * It is delivered once, even across reconnects.
   */
  send(text: string, options: { to?: string; mentions?: string[]; replyTo?: number; files?: FileInfo[] } = {}): string {
    const message: PendingMessage = { id: newMessageId(), text, createdAt: Date.now() };
    if (options.to !== undefined) message.to = options.to;
    if (options.mentions?.length) message.mentions = options.mentions;
    if (options.replyTo !== undefined) message.replyTo = options.replyTo;
    if (options.files?.length) message.attachments = options.files;
    this.emit("pending", message);
    this.sender.message(message);
    // The message ends the others' "is typing"; the next keystroke should start it again.
    this.lastTypingSent = 0;
    return message.id;
  }

  /** Replaces the text of one of the user's messages; returns the change's id. */
  edit(target: number, text: string): string {
    return this.sender.change({ type: "edit", id: newMessageId(), target, text });
  }

  /** Deletes a message, the user's own or, for owners and moderators, anyone's: its text is gone for everyone. */
  deleteMessage(target: number): string {
    return this.sender.change({ type: "delete", id: newMessageId(), target });
  }

  /** Adds (`on`) or takes back a reaction. */
  react(target: number, emoji: string, on: boolean): string {
    return this.sender.change({ type: "react", id: newMessageId(), target, emoji, on });
  }

  /** A message as this reader sees it now. */
  messageAt(seq: number): ChatMessage | undefined {
    return this.conversation.get(seq);
  }

  typing(): void {
    const now = Date.now();
    if (now - this.lastTypingSent < LIMITS.typingEveryMs || !this.connectionToRoom.canSendFrames) return;
    this.lastTypingSent = now;
    this.connectionToRoom.sendFrame({ type: "typing" });
  }

  who(): void {
    if (this.connectionToRoom.canSendFrames) this.connectionToRoom.sendFrame({ type: "who" });
    else void this.connectionToRoom.refreshMembers();
  }

  /** A renewed session token: sent in-band to the open connection, and used from now on. */
  useToken(token: string): void {
    this.connectionToRoom.useToken(token);
  }

  /** The user has seen everything up to `seq`: their read position (and home's unread count) follows. */
  markRead(seq: number): void {
    if (seq <= this.readUpTo) return;
    this.readUpTo = seq;
    if (this.connectionToRoom.canSendFrames) return this.connectionToRoom.sendFrame({ type: "read", seq });
    // Lost if the network is down too; the next message seen marks it again.
    this.api.markRead(this.room, seq).catch(() => (this.readUpTo = Math.min(this.readUpTo, seq - 1)));
  }

  /** Older messages than the oldest seen, for scrolling back; newest last. */
  async loadOlder(before: number, limit = 50): Promise<{ messages: ChatMessage[]; more: boolean; pruned?: true }> {
    const page = await this.api.messages(this.room, { before, limit });
    // Known from now on, so later changes to them reach the page too.
    for (const message of page.messages) if (!this.conversation.get(message.seq)) this.conversation.message(message);
    return { messages: page.messages, more: page.more, ...(page.pruned ? { pruned: page.pruned } : {}) };
  }

  close(): void {
    this.sender.clear();
    this.connectionToRoom.close();
  }

  // ---- Frames ----------------------------------------------------------------------------

  private onStatus(status: ConnectionStatus): void {
    if (status.state === "online" && status.transport === "http") this.sender.flush();
    if (status.state === "signed-out" || status.state === "forbidden" || status.state === "closed") this.sender.clear();
    this.emit("status", status);
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case "welcome":
        return this.onWelcome(frame);
      case "history":
        // A resume that lost a span, or a first history that begins where the room's memory does.
        if (frame.pruned) this.emit(this.lastSeq > 0 ? "gap" : "pruned", { after: this.lastSeq });
        this.acceptPage(frame.messages, frame.updates);
        if (frame.more) return void this.catchUp();
        return this.sender.flush();
      case "message":
      case "update":
        if (this.heldBack) this.heldBack.push(frame);
        else this.acceptEntry(frame);
        return;
      case "ack":
        return this.sender.acknowledged(frame);
      case "error":
        if (!this.sender.refused(frame)) this.emit("error", { code: frame.code, message: frame.message });
        return;
      case "presence":
        return this.emit("presence", frame);
      case "muted":
        return this.emit("muted", frame.muted ? { muted: true, until: frame.until ?? null } : { muted: false });
      case "typing":
        return this.emit("typing", frame.user);
      case "members":
        return this.emit("members", frame.members);
    }
  }

  private onWelcome(welcome: WelcomeFrame): void {
    // A room that has fewer messages than we saw was reset; start from its beginning.
    if (welcome.seq < this.lastSeq) {
      this.seen.clear();
      this.lastSeq = 0;
    }
    this.emit("welcome", welcome);
  }

  /** Emits a message unless it was seen already; an own message also leaves the outbox. */
  private accept(message: ChatMessage): void {
    if (message.from.id === this.you.id) this.outbox.take(message.id);
    if (!this.firstSight(message.seq)) return;
    this.conversation.message(message);
    this.emit("message", message);
  }

  /** Applies a change to the messages it touches, once. */
  private acceptUpdate(update: UpdateFrame): void {
    if (!this.firstSight(update.seq)) return;
    const changed = this.conversation.update(update);
    if (changed.length > 0) this.emit("changed", changed);
  }

  private acceptEntry(entry: ChatMessage | UpdateFrame): void {
    if (entry.type === "message") this.accept(entry);
    else this.acceptUpdate(entry);
  }

  /** A page's messages and changes, in the seq order they must be applied in. */
  private acceptPage(messages: ChatMessage[], updates?: UpdateFrame[]): void {
    for (const entry of inSeqOrder(messages, updates)) this.acceptEntry(entry);
  }

  private firstSight(seq: number): boolean {
    if (this.seen.has(seq)) return false;
    this.seen.add(seq);
    this.lastSeq = Math.max(this.lastSeq, seq);
    return true;
  }

  /**
   * After a long absence the socket's history is capped; page the rest in before showing live
   * messages, and send nothing meanwhile, so no ack can move the resume point past a gap.
   */
  private async catchUp(): Promise<void> {
    this.heldBack = [];
    try {
      for (let more = true, cursor = this.lastSeq; more; ) {
        const page = await this.api.messages(this.room, { after: cursor, limit: LIMITS.maxPage });
        if (page.pruned) this.emit("gap", { after: cursor });
        this.acceptPage(page.messages, page.updates);
        cursor = Math.max(cursor, page.messages.at(-1)?.seq ?? 0, page.updates?.at(-1)?.seq ?? 0);
        more = page.more && page.messages.length > 0;
      }
    } catch {
      // The socket's own reconnect will resume from what we have.
    } finally {
      const held = this.heldBack ?? [];
      this.heldBack = undefined;
      for (const entry of held) this.acceptEntry(entry);
    }
    this.sender.flush();
  }

  /** The user's own message, once acknowledged, as the others were sent it. */
  private ownMessage(pending: PendingMessage, seq: number, ts: number): ChatMessage {
    const message: ChatMessage = { type: "message", seq, id: pending.id, from: this.you, text: pending.text, ts };
    if (pending.to !== undefined) message.to = pending.to;
    if (pending.mentions !== undefined) message.mentions = pending.mentions;
    if (pending.attachments?.length) message.files = pending.attachments;
    const answered = pending.replyTo === undefined ? undefined : this.conversation.get(pending.replyTo);
    if (answered) message.replyTo = quoteOf(answered);
    return message;
  }

}

const DEFAULT_TIMING: ConnectionTiming = {
  heartbeatIntervalMs: 25_000,
  heartbeatTimeoutMs: 10_000,
  initialBackoffMs: 500,
  maxBackoffMs: 30_000,
  stableAfterMs: 10_000,
  webSocketFailuresBeforeFallback: 3,
  webSocketRetryMs: 30_000,
  abusePauseMs: 30_000,
  longPollSeconds: 25,
};

/** The timing options the caller set, so an explicit `undefined` does not erase a default. */
function definedTiming(options: ChatClientOptions): Partial<ConnectionTiming> {
  const timing: Partial<Record<keyof ConnectionTiming, number>> = {};
  for (const key of Object.keys(DEFAULT_TIMING) as (keyof ConnectionTiming)[]) {
    const value = options[key];
    if (value !== undefined) timing[key] = value;
  }
  return timing;
}



function newMessageId(): string {
  return crypto.randomUUID();
}
