import {
  BEARER_PROTOCOL_PREFIX,
  CloseCode,
  isTerminalCloseCode,
  LIMITS,
  parseServerFrame,
  PING,
  PROTOCOL,
  type ChatMessage,
  type ClientFrame,
  type ErrorCode,
  type ErrorFrame,
  type Member,
  type PresenceFrame,
  type ServerFrame,
  type UserRef,
  type WelcomeFrame,
} from "../protocol";
import { ApiError, ChatApi } from "./api";
import { Backoff } from "./backoff";
import { Emitter } from "./emitter";
import { Heartbeat } from "./heartbeat";
import { Outbox, type KeyValueStore, type PendingMessage } from "./outbox";
import { browserEnvironment, type PageEnvironment } from "./page-environment";

export type Transport = "websocket" | "http";

export type ConnectionStatus =
  | { state: "connecting" }
  | { state: "online"; transport: Transport }
  | { state: "reconnecting"; retryAt: number }
  | { state: "offline" }
  | { state: "signed-out"; message: string }
  | { state: "forbidden"; message: string }
  | { state: "closed" };

export interface ChatClientEvents extends Record<string, unknown> {
  status: ConnectionStatus;
  welcome: WelcomeFrame;
  /** Every message once, in order: history, catch-up and live, the user's own once acknowledged. */
  message: ChatMessage;
  /** A message of the user's waiting for its ack: when sent, and when restored after a reload. */
  pending: PendingMessage;
  /** A message of the user's that the server refused for good. */
  failed: { id: string; code: ErrorCode; message: string };
  presence: PresenceFrame;
  typing: UserRef;
  members: Member[];
  /** An error the server reported that concerns no particular message. */
  error: { code: string; message: string };
}

export interface ChatClientOptions {
  baseUrl: string;
  room: string;
  token: string;
  /** An invite link's token, presented until the room has let the user in once. */
  invite?: string;
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A connection that stays up this long resets the backoff. */
  stableAfterMs?: number;
  /** Consecutive WebSocket connections that fail to open before HTTP is tried instead. */
  webSocketFailuresBeforeFallback?: number;
  /** How long to wait before reconnecting after the room closed the connection for abuse (4008), on top of the backoff. */
  abusePauseMs?: number;
  /** While on HTTP, how often to try WebSocket again. */
  webSocketRetryMs?: number;
  longPollSeconds?: number;
  /** Injected for tests and non-browser use; default to the globals. */
  WebSocket?: typeof WebSocket | undefined;
  fetch?: typeof fetch;
  storage?: KeyValueStore;
  environment?: PageEnvironment;
  random?: () => number;
}


/**
 * A chat room connection that looks after itself: it reconnects with backoff and jitter,
 * notices a dead connection with its own heartbeat, resumes from the last message it saw,
 * re-sends what was not acknowledged, and falls back to HTTP long-polling where WebSocket is
 * missing or blocked, moving back when WebSocket works again.
 */
export class ChatClient extends Emitter<ChatClientEvents> {
  readonly you: UserRef;
  private readonly options: Required<Omit<ChatClientOptions, "WebSocket" | "storage" | "environment" | "invite">>;
  private invite: string | undefined;
  private readonly WebSocketImpl: typeof WebSocket | undefined;
  private readonly api: ChatApi;
  private readonly outbox: Outbox;
  private readonly backoff: Backoff;
  private readonly heartbeat: Heartbeat;
  private readonly environment: PageEnvironment | undefined;
  private readonly unsubscribe: () => void;

  private status: ConnectionStatus = { state: "connecting" };
  private transport: Transport = "websocket";
  private socket: WebSocket | undefined;
  /** Whether the current socket has delivered its welcome, i.e. the room accepted us. */
  private socketReady = false;
  private socketFailures = 0;
  private connectedAt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimers = new Set<ReturnType<typeof setTimeout>>();
  private poll: AbortController | undefined;
  private seen = new Set<number>();
  private lastSeq = 0;
  /** Live messages held back while a long absence is paged in over HTTP, so order is kept. */
  private heldBack: ChatMessage[] | undefined;
  private lastTypingSent = 0;
  private stopped = false;

  constructor(options: ChatClientOptions) {
    super();
    this.options = {
      heartbeatIntervalMs: 25_000,
      heartbeatTimeoutMs: 10_000,
      initialBackoffMs: 500,
      maxBackoffMs: 30_000,
      stableAfterMs: 10_000,
      webSocketFailuresBeforeFallback: 3,
      webSocketRetryMs: 30_000,
      abusePauseMs: 30_000,
      longPollSeconds: 25,
      fetch: (input, init) => fetch(input, init),
      random: Math.random,
      ...options,
    };
    this.WebSocketImpl = "WebSocket" in options ? options.WebSocket : globalThis.WebSocket;
    this.environment = "environment" in options ? options.environment : browserEnvironment();
    this.you = userFromToken(options.token);
    this.invite = options.invite;
    this.api = new ChatApi(options.baseUrl, options.token, this.options.fetch);
    const storage = "storage" in options ? options.storage : globalThis.sessionStorage;
    this.outbox = new Outbox(storage, `edge-chat:outbox:${options.room}:${this.you.id}`);
    this.backoff = new Backoff(this.options.initialBackoffMs, this.options.maxBackoffMs, this.options.random);
    this.heartbeat = new Heartbeat(this.options.heartbeatIntervalMs, this.options.heartbeatTimeoutMs, () =>
      Boolean(this.environment?.isHidden()),
    );
    this.unsubscribe = this.environment?.subscribe((change) => this.onEnvironment(change)) ?? (() => {});
    // Let the caller subscribe before anything is emitted.
    queueMicrotask(() => {
      for (const message of this.outbox.all()) this.emit("pending", message);
      this.connect();
    });
  }

  get connection(): ConnectionStatus {
    return this.status;
  }

  /** Sends a message (to one member with `to`); returns its id. It is delivered once, even across reconnects. */
  send(text: string, options: { to?: string } = {}): string {
    const message: PendingMessage = { id: newMessageId(), text, createdAt: Date.now() };
    if (options.to !== undefined) message.to = options.to;
    this.outbox.add(message);
    this.emit("pending", message);
    this.transmit(message);
    // The message ends the others' "is typing"; the next keystroke should start it again.
    this.lastTypingSent = 0;
    return message.id;
  }

  typing(): void {
    const now = Date.now();
    if (now - this.lastTypingSent < LIMITS.typingEveryMs || !this.socketReady) return;
    this.lastTypingSent = now;
    this.sendFrame({ type: "typing" });
  }

  who(): void {
    if (this.socketReady) this.sendFrame({ type: "who" });
    else void this.refreshMembers();
  }

  /** Older messages than the oldest seen, for scrolling back; newest last. */
  async loadOlder(before: number, limit = 50): Promise<{ messages: ChatMessage[]; more: boolean }> {
    const page = await this.api.messages(this.options.room, { before, limit });
    return { messages: page.messages, more: page.more };
  }

  close(): void {
    this.stopped = true;
    this.unsubscribe();
    this.clearTimers();
    this.dropSocket(1000, "client closed");
    this.setStatus({ state: "closed" });
  }

  // ---- Connecting ------------------------------------------------------------------------

  private connect(): void {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (this.status.state !== "online") this.setStatus({ state: "connecting" });
    if (this.invite !== undefined) return void this.redeemInvite();
    if (this.transport === "http" || !this.WebSocketImpl) {
      this.transport = "http";
      void this.runHttp();
    } else {
      this.openSocket();
    }
  }

  private openSocket(): void {
    if (!this.WebSocketImpl || this.socket) return;
    const url = new URL(`/api/rooms/${this.options.room}/ws`, this.options.baseUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    if (this.lastSeq > 0) url.searchParams.set("after", String(this.lastSeq));
    let ws: WebSocket;
    try {
      ws = new this.WebSocketImpl(url.toString(), [PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${this.options.token}`]);
    } catch {
      return this.onSocketGone(false);
    }
    this.socket = ws;
    this.socketReady = false;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.connectedAt = Date.now();
      this.heartbeat.start(
        () => ws.send(PING),
        () => this.onSocketDead(),
      );
    };
    ws.onmessage = (event) => {
      if (this.socket !== ws) return;
      this.heartbeat.alive();
      if (typeof event.data !== "string") return;
      const frame = parseServerFrame(event.data);
      if (frame) this.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.socket !== ws) return;
      this.detachSocket();
      if (isTerminalCloseCode(event.code)) {
        return this.stop(
          event.code === CloseCode.InvalidToken
            ? { state: "signed-out", message: event.reason || "please sign in again" }
            : { state: "forbidden", message: event.reason || "you may not enter this room" },
        );
      }
      // Closed for abuse or too many connections: coming straight back would be refused again.
      if (event.code === CloseCode.Abuse) return this.scheduleReconnect(this.options.abusePauseMs);
      this.onSocketGone(opened);
    };
  }

  /**
   * Uses the invite with `POST /join` before any socket opens: in a WebSocket URL it would land
   * in access logs, and the HTTP fallback's probe of the room answers only members.
   */
  private async redeemInvite(): Promise<void> {
    try {
      await this.api.join(this.options.room, this.invite);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return this.stop({ state: "signed-out", message: error.message });
      if (error instanceof ApiError && error.status === 403) return this.stop({ state: "forbidden", message: error.message });
      return this.scheduleReconnect();
    }
    this.invite = undefined;
    this.connect();
  }

  /** The socket closed or failed to open; decide between retrying, falling back, or waiting. */
  private onSocketGone(opened: boolean): void {
    if (this.stopped) return;
    if (this.transport === "http") return; // a background WebSocket attempt failed; HTTP carries on
    if (opened) {
      this.socketFailures = 0;
      if (Date.now() - this.connectedAt >= this.options.stableAfterMs) this.backoff.reset();
    } else if (++this.socketFailures >= this.options.webSocketFailuresBeforeFallback) {
      void this.tryHttpFallback();
      return;
    }
    this.scheduleReconnect();
  }

  /** A heartbeat went unanswered: the connection is dead even if the browser has not noticed. */
  private onSocketDead(): void {
    this.dropSocket(CloseCode.NoHeartbeat, "heartbeat timeout");
    this.scheduleReconnect();
  }

  /** Reconnects after the backoff's next delay, or at least `pauseMs` plus that delay. */
  private scheduleReconnect(pauseMs = 0): void {
    if (this.stopped) return;
    const delay = pauseMs + this.backoff.next();
    this.setStatus(this.environment?.isOnline() === false ? { state: "offline" } : { state: "reconnecting", retryAt: Date.now() + delay });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private onEnvironment(change: "online" | "offline" | "visible"): void {
    if (this.stopped) return;
    if (change === "offline") {
      if (this.status.state === "reconnecting") this.setStatus({ state: "offline" });
      return;
    }
    if (this.socket) return this.heartbeat.probeNow();
    if (this.reconnectTimer !== undefined) {
      this.backoff.reset();
      this.connect();
    }
  }

  // ---- Frames ----------------------------------------------------------------------------

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case "welcome":
        return this.onWelcome(frame);
      case "history":
        for (const message of frame.messages) this.accept(message);
        if (frame.more) return void this.catchUp();
        return this.flushOutbox();
      case "message":
        if (this.heldBack) this.heldBack.push(frame);
        else this.accept(frame);
        return;
      case "ack": {
        const pending = this.outbox.all().find((m) => m.id === frame.id);
        if (pending) this.accept(ownMessage(this.you, pending, frame.seq, frame.ts));
        return;
      }
      case "error":
        return this.onError(frame);
      case "presence":
        return this.emit("presence", frame);
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
    this.socketReady = true;
    this.socketFailures = 0;
    if (this.transport === "http") {
      this.transport = "websocket";
      this.poll?.abort();
      this.poll = undefined;
    }
    this.emit("welcome", welcome);
    this.setStatus({ state: "online", transport: "websocket" });
  }

  private onError(error: ErrorFrame): void {
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
    if (this.seen.has(message.seq)) return;
    this.seen.add(message.seq);
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    this.emit("message", message);
  }

  /**
   * After a long absence the socket's history is capped; page the rest in before showing live
   * messages, and send nothing meanwhile, so no ack can move the resume point past a gap.
   */
  private async catchUp(): Promise<void> {
    this.heldBack = [];
    try {
      for (let more = true, cursor = this.lastSeq; more; ) {
        const page = await this.api.messages(this.options.room, { after: cursor, limit: LIMITS.maxPage });
        for (const message of page.messages) this.accept(message);
        cursor = page.messages.at(-1)?.seq ?? cursor;
        more = page.more && page.messages.length > 0;
      }
    } catch {
      // The socket's own reconnect will resume from what we have.
    } finally {
      const held = this.heldBack ?? [];
      this.heldBack = undefined;
      for (const message of held) this.accept(message);
    }
    this.flushOutbox();
  }

  // ---- Sending ---------------------------------------------------------------------------

  private flushOutbox(): void {
    for (const message of this.outbox.all()) this.transmit(message);
  }

  private transmit(message: PendingMessage): void {
    if (this.transport === "websocket") {
      if (!this.socketReady || this.heldBack) return; // sent once (re)connected and caught up
      const { id, text, to } = message;
      this.sendFrame(to === undefined ? { type: "send", id, text } : { type: "send", id, text, to });
      return;
    }
    if (this.status.state === "online") void this.post(message);
  }

  private async post(message: PendingMessage): Promise<void> {
    const { id, text, to } = message;
    try {
      const posted = await this.api.post(this.options.room, to === undefined ? { id, text } : { id, text, to });
      if (this.outbox.has(id)) this.accept(ownMessage(this.you, message, posted.seq, posted.ts));
    } catch (error) {
      if (!(error instanceof ApiError) || !this.outbox.has(id)) return; // network: sent again when back online
      if (error.code === "rate_limited") return this.retryLater(id, error.retryAfterMs ?? 1000);
      if (error.status === 401) return this.stop({ state: "signed-out", message: error.message });
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
    }, delayMs);
    this.retryTimers.add(timer);
  }

  // ---- HTTP fallback ---------------------------------------------------------------------

  /** WebSocket keeps failing to open. If HTTP works, a proxy is blocking upgrades: use HTTP. */
  private async tryHttpFallback(): Promise<void> {
    try {
      await this.api.room(this.options.room);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return this.stop({ state: "signed-out", message: error.message });
      return this.scheduleReconnect(); // the network itself is down; keep trying WebSocket
    }
    this.transport = "http";
    this.backoff.reset();
    this.connect();
  }

  /** Long-polls for messages until WebSocket takes over or the client stops. */
  private async runHttp(): Promise<void> {
    const poll = new AbortController();
    this.poll?.abort();
    this.poll = poll;
    try {
      const snapshot = await this.api.join(this.options.room);
      if (poll.signal.aborted) return;
      this.emit("welcome", { type: "welcome", room: snapshot.room, you: this.you, seq: snapshot.seq, members: snapshot.members });
      if (this.lastSeq === 0) {
        const recent = await this.api.messages(this.options.room, { signal: poll.signal });
        for (const message of recent.messages) this.accept(message);
      }
      this.backoff.reset();
      this.setStatus({ state: "online", transport: "http" });
      this.flushOutbox();
      this.scheduleWebSocketRetry();
      while (!poll.signal.aborted) {
        const page = await this.api.messages(this.options.room, {
          after: this.lastSeq,
          limit: LIMITS.maxPage,
          wait: this.options.longPollSeconds,
          signal: poll.signal,
        });
        for (const message of page.messages) this.accept(message);
        if (!poll.signal.aborted) void this.refreshMembers();
      }
    } catch (error) {
      if (poll.signal.aborted || this.stopped) return;
      if (error instanceof ApiError && error.status === 401) return this.stop({ state: "signed-out", message: error.message });
      if (error instanceof ApiError && error.status === 403) return this.stop({ state: "forbidden", message: error.message });
      this.poll = undefined;
      this.scheduleReconnect();
    }
  }

  private scheduleWebSocketRetry(): void {
    if (!this.WebSocketImpl) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.stopped || this.transport !== "http") return;
      this.openSocket();
      this.scheduleWebSocketRetry();
    }, this.options.webSocketRetryMs);
    this.retryTimers.add(timer);
  }

  private async refreshMembers(): Promise<void> {
    try {
      this.emit("members", (await this.api.room(this.options.room)).members);
    } catch {
      // Shown again on the next successful poll.
    }
  }

  // ---- Housekeeping ----------------------------------------------------------------------

  private stop(status: ConnectionStatus): void {
    this.stopped = true;
    this.clearTimers();
    this.dropSocket(1000, "stopped");
    this.setStatus(status);
  }

  private clearTimers(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.poll?.abort();
    this.poll = undefined;
  }

  /** Every frame the client sends is a protocol type, so a shape changes in protocol.ts or nowhere. */
  private sendFrame(frame: ClientFrame): void {
    this.socket?.send(JSON.stringify(frame));
  }

  /** Forgets the socket at once, without waiting for a close handshake a dead peer will never answer. */
  private dropSocket(code: number, reason: string): void {
    const ws = this.socket;
    if (!ws) return;
    this.detachSocket();
    try {
      ws.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  private detachSocket(): void {
    if (!this.socket) return;
    this.socket.onopen = this.socket.onmessage = this.socket.onclose = null;
    this.socket = undefined;
    this.socketReady = false;
    this.heartbeat.stop();
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    this.emit("status", status);
  }
}

function ownMessage(you: UserRef, pending: PendingMessage, seq: number, ts: number): ChatMessage {
  const message: ChatMessage = { type: "message", seq, id: pending.id, from: you, text: pending.text, ts };
  if (pending.to !== undefined) message.to = pending.to;
  return message;
}

/** The user a token names; read without verifying it, which is the server's job. */
export function userFromToken(token: string): UserRef {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
    const id = typeof claims.sub === "string" ? claims.sub : "";
    const name = [claims.name, claims.preferred_username, claims.email].find((v) => typeof v === "string") as string | undefined;
    return { id, name: name ?? id };
  } catch {
    return { id: "", name: "" };
  }
}

function newMessageId(): string {
  return crypto.randomUUID();
}
