import { BEARER_PROTOCOL_PREFIX, CloseCode, parseHomeFrame, PING, PROTOCOL, type HomeFrame, type HomeRoom } from "../protocol";
import { ApiError, ChatApi } from "./api";
import { Backoff } from "./backoff";
import { Emitter } from "./emitter";
import { Heartbeat } from "./heartbeat";

export interface HomeFeedEvents extends Record<string, unknown> {
  /** The user's rooms, most recent activity first, after every change. */
  rooms: HomeRoom[];
  /** One room changed while the page is open, with how it was before (undefined: newly joined). */
  changed: { room: HomeRoom; before: HomeRoom | undefined };
  /** The token was refused: the person must sign in again. */
  "signed-out": string;
}

export interface HomeFeedOptions {
  baseUrl: string;
  /** The current session token, asked before every (re)connection: a renewed session is used at once. */
  token: () => string;
  WebSocket?: typeof WebSocket | undefined;
  fetch?: typeof fetch;
  random?: () => number;
}

/**
 * The home page's live list of the user's rooms, over the hub socket (`GET /api/me/ws`). It
 * reconnects with backoff and its own heartbeat like a room connection; while the socket is
 * down it reads `GET /api/me/rooms` so the list is never older than the last attempt.
 */
export class HomeFeed extends Emitter<HomeFeedEvents> {
  private readonly rooms = new Map<string, { room: HomeRoom; at: number }>();
  private readonly api: ChatApi;
  private readonly backoff: Backoff;
  private readonly heartbeat = new Heartbeat(25_000, 10_000, () => document.visibilityState === "hidden");
  private readonly WebSocketImpl: typeof WebSocket | undefined;
  private socket: WebSocket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly options: HomeFeedOptions) {
    super();
    this.api = new ChatApi(options.baseUrl, options.token(), options.fetch);
    this.backoff = new Backoff(1000, 30_000, options.random);
    this.WebSocketImpl = "WebSocket" in options ? options.WebSocket : globalThis.WebSocket;
    queueMicrotask(() => this.connect());
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.heartbeat.stop();
    this.socket?.close(CloseCode.Normal, "page closed");
  }

  private connect(): void {
    if (this.stopped) return;
    if (!this.WebSocketImpl) return void this.poll();
    const url = new URL("/api/me/ws", this.options.baseUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const token = this.options.token();
    const ws = new this.WebSocketImpl(url.toString(), [PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${token}`]);
    this.socket = ws;
    ws.onopen = () => {
      this.backoff.reset();
      this.heartbeat.start(
        () => ws.send(PING),
        () => ws.close(CloseCode.NoHeartbeat, "heartbeat timeout"),
      );
    };
    ws.onmessage = (event) => {
      this.heartbeat.alive();
      const frame = typeof event.data === "string" ? parseHomeFrame(event.data) : null;
      if (frame) this.apply(frame);
    };
    ws.onclose = (event) => {
      this.heartbeat.stop();
      this.socket = undefined;
      // The hub closes a home socket when its token expires: a session renewed meanwhile goes on.
      if (event.code === CloseCode.InvalidToken && this.options.token() !== token) return this.connect();
      if (event.code === CloseCode.InvalidToken) return this.signOut(event.reason || "please sign in again");
      void this.poll();
    };
  }

  /** Reads the list over HTTP, then tries the socket again after the backoff. */
  private async poll(): Promise<void> {
    this.api.useToken(this.options.token());
    try {
      this.apply({ type: "rooms", rooms: (await this.api.myRooms()).rooms });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return this.signOut(error.message);
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => this.connect(), this.WebSocketImpl ? this.backoff.next() : 20_000);
  }

  private apply(frame: HomeFrame): void {
    const now = Date.now();
    if (frame.type === "rooms") {
      this.rooms.clear();
      // The server's order stands for rooms without messages (joined most recently first).
      frame.rooms.forEach((room, index) => this.rooms.set(room.id, { room, at: room.last?.ts ?? -index }));
    } else if (frame.type === "room") {
      const before = this.rooms.get(frame.room.id);
      this.rooms.set(frame.room.id, { room: frame.room, at: frame.room.last?.ts ?? before?.at ?? now });
      this.emit("changed", { room: frame.room, before: before?.room });
    } else {
      this.rooms.delete(frame.id);
    }
    this.emit("rooms", [...this.rooms.values()].sort((a, b) => b.at - a.at).map((entry) => entry.room));
  }

  private signOut(message: string): void {
    this.close();
    this.emit("signed-out", message);
  }
}
