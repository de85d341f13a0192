import {
  LIMITS,
  quoteOf,
  type ChangeFrame,
  type ChatMessage,
  type ErrorCode,
  type ErrorFrame,
  type Member,
  type OutgoingMessage,
  type PresenceFrame,
  type ServerFrame,
  type UpdateFrame,
  type UserRef,
  type WelcomeFrame,
} from "../protocol";
import { ApiError, ChatApi } from "./api";
import { Conversation, inSeqOrder } from "./conversation";
import { Emitter } from "./emitter";
import { Outbox, type KeyValueStore, type PendingMessage } from "./outbox";
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
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();

  private seen = new Set<number>();
  /** The messages as this reader sees them, changes applied (conversation.ts). */
  private readonly conversation: Conversation;
  /** Edits, deletions and reactions waiting for their ack; sent again after a reconnect, like the outbox. */
  private readonly changes = new Map<string, ChangeFrame>();
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
    this.connectionToRoom.on("status", (status) => this.onStatus(status));
    this.connectionToRoom.on("frame", (frame) => this.onFrame(frame));
    this.connectionToRoom.on("messages", ({ messages, updates }) => this.acceptPage(messages, updates));
    this.connectionToRoom.on("members", (members) => this.emit("members", members));
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
  send(text: string, options: { to?: string; mentions?: string[]; replyTo?: number } = {}): string {
    const message: PendingMessage = { id: newMessageId(), text, createdAt: Date.now() };
    if (options.to !== undefined) message.to = options.to;
    if (options.mentions?.length) message.mentions = options.mentions;
    if (options.replyTo !== undefined) message.replyTo = options.replyTo;
    this.outbox.add(message);
    this.emit("pending", message);
    this.transmit(message);
    // The message ends the others' "is typing"; the next keystroke should start it again.
    this.lastTypingSent = 0;
    return message.id;
  }

  /** Replaces the text of one of the user's messages; returns the change's id. */
  edit(target: number, text: string): string {
    return this.change({ type: "edit", id: newMessageId(), target, text });
  }

  /** Deletes one of the user's messages: its text is gone for everyone. */
  deleteMessage(target: number): string {
    return this.change({ type: "delete", id: newMessageId(), target });
  }

  /** Adds (`on`) or takes back a reaction. */
  react(target: number, emoji: string, on: boolean): string {
    return this.change({ type: "react", id: newMessageId(), target, emoji, on });
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
  async loadOlder(before: number, limit = 50): Promise<{ messages: ChatMessage[]; more: boolean }> {
    const page = await this.api.messages(this.room, { before, limit });
    // Known from now on, so later changes to them reach the page too.
    for (const message of page.messages) if (!this.conversation.get(message.seq)) this.conversation.message(message);
    return { messages: page.messages, more: page.more };
  }

  close(): void {
    this.clearRetries();
    this.connectionToRoom.close();
  }

  // ---- Frames ----------------------------------------------------------------------------

  private onStatus(status: ConnectionStatus): void {
    if (status.state === "online" && status.transport === "http") this.flushOutbox();
    if (status.state === "signed-out" || status.state === "forbidden" || status.state === "closed") this.clearRetries();
    this.emit("status", status);
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case "welcome":
        return this.onWelcome(frame);
      case "history":
        this.acceptPage(frame.messages, frame.updates);
        if (frame.more) return void this.catchUp();
        return this.flushOutbox();
      case "message":
      case "update":
        if (this.heldBack) this.heldBack.push(frame);
        else this.acceptEntry(frame);
        return;
      case "ack": {
        const pending = this.outbox.all().find((m) => m.id === frame.id);
        if (pending) this.accept(this.ownMessage(pending, frame.seq, frame.ts));
        if (this.changes.delete(frame.id) && frame.update) this.acceptUpdate(frame.update);
        return;
      }
      case "error":
        return this.onError(frame);
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

  private onError(error: ErrorFrame): void {
    if (error.id !== undefined && this.changes.has(error.id)) {
      if (error.code === "rate_limited") return this.retryLater(error.id, error.retryAfterMs ?? 1000);
      this.changes.delete(error.id);
      return this.emit("error", { code: error.code, message: error.message });
    }
    if (error.id !== undefined && this.outbox.has(error.id)) {
      if (error.code === "rate_limited") return this.retryLater(error.id, error.retryAfterMs ?? 1000);
      this.outbox.take(error.id);
      return this.emit("failed", { id: error.id, code: error.code, message: error.message });
    }
    this.emit("error", { code: error.code, message: error.message });
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
    this.flushOutbox();
  }

  // ---- Sending ---------------------------------------------------------------------------

  private flushOutbox(): void {
    for (const message of this.outbox.all()) this.transmit(message);
    for (const change of this.changes.values()) this.transmitChange(change);
  }

  private change(change: ChangeFrame): string {
    this.changes.set(change.id, change);
    this.transmitChange(change);
    return change.id;
  }

  private transmitChange(change: ChangeFrame): void {
    const connection = this.connectionToRoom;
    if (connection.transport === "websocket") {
      if (connection.canSendFrames && !this.heldBack) connection.sendFrame(change);
      return;
    }
    if (connection.status.state === "online") void this.postChange(change);
  }

  private async postChange(change: ChangeFrame): Promise<void> {
    try {
      const answer = await this.api.change(this.room, change);
      if (this.changes.delete(change.id) && answer.update) this.acceptUpdate(answer.update);
    } catch (error) {
      if (!(error instanceof ApiError) || !this.changes.has(change.id)) return; // network: sent again when back online
      if (error.code === "rate_limited") return this.retryLater(change.id, error.retryAfterMs ?? 1000);
      if (error.status === 401) return this.connectionToRoom.end({ state: "signed-out", message: error.message });
      if (error.status >= 500) return;
      this.changes.delete(change.id);
      this.emit("error", { code: error.code, message: error.message });
    }
  }

  private transmit(message: PendingMessage): void {
    const connection = this.connectionToRoom;
    if (connection.transport === "websocket") {
      if (!connection.canSendFrames || this.heldBack) return; // sent once (re)connected and caught up
      connection.sendFrame({ type: "send", ...outgoing(message) });
      return;
    }
    if (connection.status.state === "online") void this.post(message);
  }

  private async post(message: PendingMessage): Promise<void> {
    const { id } = message;
    try {
      const posted = await this.api.post(this.room, outgoing(message));
      if (this.outbox.has(id)) this.accept(this.ownMessage(message, posted.seq, posted.ts));
    } catch (error) {
      if (!(error instanceof ApiError) || !this.outbox.has(id)) return; // network: sent again when back online
      if (error.code === "rate_limited") return this.retryLater(id, error.retryAfterMs ?? 1000);
      if (error.status === 401) return this.connectionToRoom.end({ state: "signed-out", message: error.message });
      if (error.status >= 500) return;
      this.outbox.take(id);
      this.emit("failed", { id, code: error.code as ErrorCode, message: error.message });
    }
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

  /** The user's own message, once acknowledged, as the others were sent it. */
  private ownMessage(pending: PendingMessage, seq: number, ts: number): ChatMessage {
    const message: ChatMessage = { type: "message", seq, id: pending.id, from: this.you, text: pending.text, ts };
    if (pending.to !== undefined) message.to = pending.to;
    if (pending.mentions !== undefined) message.mentions = pending.mentions;
    const answered = pending.replyTo === undefined ? undefined : this.conversation.get(pending.replyTo);
    if (answered) message.replyTo = quoteOf(answered);
    return message;
  }

  private clearRetries(): void {
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
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


/** What goes over the wire of a pending message: never its local bookkeeping. */
function outgoing({ id, text, to, mentions, replyTo }: PendingMessage): OutgoingMessage {
  const message: OutgoingMessage = { id, text };
  if (to !== undefined) message.to = to;
  if (mentions !== undefined) message.mentions = mentions;
  if (replyTo !== undefined) message.replyTo = replyTo;
  return message;
}

function newMessageId(): string {
  return crypto.randomUUID();
}
