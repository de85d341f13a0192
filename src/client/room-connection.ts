import {
  BATCH_QUERY,
  BEARER_PROTOCOL_PREFIX,
  CloseCode,
  isTerminalCloseCode,
  parseServerFrames,
  PING,
  PROTOCOL,
  type ClientFrame,
  type ServerFrame,
  type UserRef,
} from "../protocol";
import { ApiError, type ChatApi } from "./api";
import { Backoff } from "./backoff";
import { Emitter } from "./emitter";
import { Heartbeat } from "./heartbeat";
import { LongPollLoop } from "./long-poll-loop";
import type { PageEnvironment } from "./page-environment";

export type Transport = "websocket" | "http";

export type ConnectionStatus =
  | { state: "connecting" }
  | { state: "online"; transport: Transport }
  | { state: "reconnecting"; retryAt: number }
  | { state: "offline" }
  | { state: "signed-out"; message: string }
  | { state: "forbidden"; message: string }
  | { state: "closed" };

export interface RoomConnectionEvents extends Record<string, unknown> {
  status: ConnectionStatus;
  /** A frame from the room: over WebSocket as sent, over HTTP as the API's answers amount to (long-poll-loop.ts). */
  frame: ServerFrame;
}

export interface ConnectionTiming {
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A connection that stays up this long resets the backoff. */
  stableAfterMs: number;
  /** Consecutive WebSocket connections that fail to open before HTTP is tried instead. */
  webSocketFailuresBeforeFallback: number;
  /** How long to wait before reconnecting after the room closed the connection for abuse (4008), on top of the backoff. */
  abusePauseMs: number;
  /** While on HTTP, how often to try WebSocket again. */
  webSocketRetryMs: number;
  longPollSeconds: number;
}

export interface RoomConnectionOptions extends ConnectionTiming {
  baseUrl: string;
  room: string;
  token: string;
  you: UserRef;
  invite: string | undefined;
  api: ChatApi;
  WebSocket: typeof WebSocket | undefined;
  environment: PageEnvironment | undefined;
  random: () => number;
  /** The last seq the reader has, where a new connection resumes. */
  cursor: () => number;
  /** Asked for the current token before every (re)connection, when the app holds its own. */
  getToken: (() => string | Promise<string>) | undefined;
}

/**
 * The reconnecting transport, apart from what the frames mean (after partysocket's split of
 * the socket from the room protocol): it reconnects with backoff and jitter, notices a dead
 * connection with its own heartbeat, and falls back to HTTP long-polling where WebSocket is
 * missing or blocked, moving back when WebSocket works again. Either way it hands up frames,
 * so the reader above never knows which carried them.
 */
export class RoomConnection extends Emitter<RoomConnectionEvents> {
  private readonly backoff: Backoff;
  private readonly heartbeat: Heartbeat;
  private readonly longPoll: LongPollLoop;
  private readonly unsubscribe: () => void;
  private invite: string | undefined;
  private token: string;

  private current: ConnectionStatus = { state: "connecting" };
  private mode: Transport = "websocket";
  private socket: WebSocket | undefined;
  /** Whether the current socket has delivered its welcome, i.e. the room accepted us. */
  private socketReady = false;
  private socketFailures = 0;
  private connectedAt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private webSocketRetryTimer: ReturnType<typeof setTimeout> | undefined;
  private poll: AbortController | undefined;
  private stopped = false;

  constructor(private readonly options: RoomConnectionOptions) {
    super();
    this.invite = options.invite;
    this.token = options.token;
    this.backoff = new Backoff(options.initialBackoffMs, options.maxBackoffMs, options.random);
    this.heartbeat = new Heartbeat(options.heartbeatIntervalMs, options.heartbeatTimeoutMs, () =>
      Boolean(options.environment?.isHidden()),
    );
    const { api, room, you, cursor, longPollSeconds } = options;
    this.longPoll = new LongPollLoop({ api, room, you, cursor, waitSeconds: longPollSeconds }, (frame) => this.emit("frame", frame));
    this.unsubscribe = options.environment?.subscribe((change) => this.onEnvironment(change)) ?? (() => {});
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  get transport(): Transport {
    return this.mode;
  }

  /** Whether frames can be sent now: a socket the room has welcomed. */
  get canSendFrames(): boolean {
    return this.socketReady;
  }

  /** Every frame the client sends is a protocol type, so a shape changes in protocol.ts or nowhere. */
  sendFrame(frame: ClientFrame): void {
    this.socket?.send(JSON.stringify(frame));
  }

  close(): void {
    this.unsubscribe();
    this.end({ state: "closed" });
  }

  /** Stops for good with a status the user must act on (sign in again, or leave). */
  end(status: ConnectionStatus): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.webSocketRetryTimer);
    this.reconnectTimer = this.webSocketRetryTimer = undefined;
    this.poll?.abort();
    this.poll = undefined;
    this.dropSocket(CloseCode.Normal, status.state === "closed" ? "client closed" : "stopped");
    this.setStatus(status);
  }

  /** Presents this token from now on: in-band on the open socket, and on every reconnection. */
  useToken(token: string): void {
    if (token === this.token) return;
    this.token = token;
    this.options.api.useToken(token);
    if (this.socketReady) this.sendFrame({ type: "auth", token });
  }

  connect(): void {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const { getToken } = this.options;
    if (getToken) {
      Promise.resolve()
        .then(getToken)
        .then((token) => this.useToken(token))
        // Without a new token the one we have is tried; a refusal says "sign in" as always.
        .catch(() => undefined)
        .then(() => this.connectNow());
      return;
    }
    this.connectNow();
  }

  private connectNow(): void {
    if (this.stopped) return;
    if (this.current.state !== "online") this.setStatus({ state: "connecting" });
    if (this.invite !== undefined) return void this.redeemInvite();
    if (this.mode === "http" || !this.options.WebSocket) {
      this.mode = "http";
      void this.runHttp();
    } else {
      this.openSocket();
    }
  }

  /** Reconnects after the backoff's next delay, or at least `pauseMs` plus that delay. */
  scheduleReconnect(pauseMs = 0): void {
    if (this.stopped) return;
    const delay = pauseMs + this.backoff.next();
    this.setStatus(
      this.options.environment?.isOnline() === false ? { state: "offline" } : { state: "reconnecting", retryAt: Date.now() + delay },
    );
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  // ---- WebSocket -------------------------------------------------------------------------

  private onFrame(frame: ServerFrame): void {
    if (frame.type !== "welcome") return this.emit("frame", frame);
    this.socketReady = true;
    this.socketFailures = 0;
    if (this.mode === "http") {
      this.mode = "websocket";
      this.poll?.abort();
      this.poll = undefined;
    }
    this.emit("frame", frame);
    this.setStatus({ state: "online", transport: "websocket" });
  }

  private openSocket(): void {
    const WebSocketImpl = this.options.WebSocket;
    if (!WebSocketImpl || this.socket) return;
    const url = new URL(`/api/rooms/${this.options.room}/ws`, this.options.baseUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const after = this.options.cursor();
    if (after > 0) url.searchParams.set("after", String(after));
    url.searchParams.set(BATCH_QUERY, "1");
    let ws: WebSocket;
    try {
      ws = new WebSocketImpl(url.toString(), [PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${this.token}`]);
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
      for (const frame of parseServerFrames(event.data)) {
        // A frame's handler may have closed or replaced this socket: the rest is not for us.
        if (this.socket !== ws) return;
        this.onFrame(frame);
      }
    };
    ws.onclose = (event) => {
      if (this.socket !== ws) return;
      this.detachSocket();
      if (isTerminalCloseCode(event.code)) {
        return this.end(
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
      await this.options.api.join(this.options.room, this.invite);
    } catch (error) {
      if (this.endOnRefusal(error)) return;
      return this.scheduleReconnect();
    }
    this.invite = undefined;
    this.connect();
  }

  /** The socket closed or failed to open; decide between retrying, falling back, or waiting. */
  private onSocketGone(opened: boolean): void {
    if (this.stopped) return;
    if (this.mode === "http") return; // a background WebSocket attempt failed; HTTP carries on
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

  private onEnvironment(change: "online" | "offline" | "visible"): void {
    if (this.stopped) return;
    if (change === "offline") {
      if (this.current.state === "reconnecting") this.setStatus({ state: "offline" });
      return;
    }
    if (this.socket) return this.heartbeat.probeNow();
    if (this.reconnectTimer !== undefined) {
      this.backoff.reset();
      this.connect();
    }
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

  // ---- HTTP fallback ---------------------------------------------------------------------

  /** WebSocket keeps failing to open. If HTTP works, a proxy is blocking upgrades: use HTTP. */
  private async tryHttpFallback(): Promise<void> {
    try {
      await this.options.api.room(this.options.room);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return this.end({ state: "signed-out", message: error.message });
      return this.scheduleReconnect(); // the network itself is down; keep trying WebSocket
    }
    this.mode = "http";
    this.backoff.reset();
    this.connect();
  }

  /** Carries the room over HTTP until WebSocket takes over or the connection stops. */
  private async runHttp(): Promise<void> {
    const poll = new AbortController();
    this.poll?.abort();
    this.poll = poll;
    try {
      await this.longPoll.run(poll.signal, () => {
        this.backoff.reset();
        this.setStatus({ state: "online", transport: "http" });
        this.scheduleWebSocketRetry();
      });
    } catch (error) {
      if (poll.signal.aborted || this.stopped) return;
      if (this.endOnRefusal(error)) return;
      this.poll = undefined;
      this.scheduleReconnect();
    }
  }

  private scheduleWebSocketRetry(): void {
    if (!this.options.WebSocket) return;
    this.webSocketRetryTimer = setTimeout(() => {
      this.webSocketRetryTimer = undefined;
      if (this.stopped || this.mode !== "http") return;
      this.openSocket();
      this.scheduleWebSocketRetry();
    }, this.options.webSocketRetryMs);
  }

  /** A `members` frame fetched over HTTP, for when no socket can ask with `who`. */
  refreshMembers(): Promise<void> {
    return this.longPoll.refreshMembers();
  }

  /** Ends the connection when the server refused the user (401) or the room (403); says whether it did. */
  private endOnRefusal(error: unknown): boolean {
    if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 403)) return false;
    this.end(error.status === 401 ? { state: "signed-out", message: error.message } : { state: "forbidden", message: error.message });
    return true;
  }

  private setStatus(status: ConnectionStatus): void {
    this.current = status;
    this.emit("status", status);
  }
}
