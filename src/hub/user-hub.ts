import { DurableObject } from "cloudflare:workers";
import { SIGNED_OUT } from "../auth";
import { readHubConfig, type HubConfig } from "../config";
import type { Env } from "../env";
import { logError } from "../log-lines";
import { failure, PING, PONG, PROTOCOL, type ConversationSettings, type HomeFrame, type HomeRoom, type MySearchPage, type Result, type RoomInfo, type UserRef } from "../protocol";
import { AlarmSchedule } from "../shared/alarm-schedule";
import { refuseEntry } from "../shared/refused-socket";
import { answerClose, isBenignTeardownError } from "../shared/socket-teardown";
import { DirectConversations } from "./direct-conversations";
import { HomeSockets } from "./home-sockets";
import { RoomIndex } from "./room-index";
import { SearchAcrossRooms } from "./search-across-rooms";
import { SessionList } from "./session-list";
import { UploadQuota, type PendingUpload, type UploadLimits } from "./upload-quota";

const USER_HEADER = "X-Edge-Chat-User";

/** Who opens a home socket, as the Worker verified: the person, and the session and expiry of their token. */
export interface HomeConnectRequest {
  user: UserRef;
  subprotocol: boolean;
  expiresAt: number;
  sessionId?: string;
}

/** The upgrade the Worker forwards to a hub once it has verified who is asking. */
export function toHubConnectRequest(connect: HomeConnectRequest): Request {
  return new Request("https://hub.internal/connect", {
    headers: { Upgrade: "websocket", [USER_HEADER]: encodeURIComponent(JSON.stringify(connect)) },
  });
}

/**
 * One user's hub: the index of the rooms they are in (at most ROOMS_PER_USER) with a copy of
 * each one's home entry, and the home sockets of their open home pages. It counts nothing
 * itself: each room makes its entry (a room knows its messages and every member's read
 * position). A room sends a hub its entry when it changes, once while nobody looks and every
 * time while a home page is open (room-index.ts, home-watchers.ts), so a message costs nothing
 * in the hubs of members who are not looking, and a load asks only rooms with news. See docs/home.md.
 */
export class UserHub extends DurableObject<Env> {
  private readonly config: HubConfig;
  private readonly alarms: AlarmSchedule;
  private readonly index: RoomIndex;
  private readonly sessions: SessionList;
  private readonly homeSockets: HomeSockets;
  private readonly uploads: UploadQuota;
  private readonly direct: DirectConversations;
  private readonly searching: SearchAcrossRooms;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = readHubConfig(env);
    this.alarms = new AlarmSchedule(ctx.storage);
    this.index = new RoomIndex(ctx.storage.sql);
    this.sessions = this.alarms.add(new SessionList(ctx.storage.sql));
    this.homeSockets = this.alarms.add(new HomeSockets(ctx, this.alarms));
    this.direct = new DirectConversations(ctx.storage.sql, env, this.config, this.index);
    this.searching = new SearchAcrossRooms(env, this.config.search, this.index);
    this.uploads = this.alarms.add(new UploadQuota(ctx.storage.sql, env.FILES, (upload) => this.recorded(upload)));
    // As in rooms: a home page's heartbeat never wakes its hub.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** A home page's socket (`GET /api/me/ws`): the list at once, then every change. */
  override async fetch(request: Request): Promise<Response> {
    const header = request.headers.get(USER_HEADER);
    if (!header || request.headers.get("Upgrade") !== "websocket") return new Response("expected a WebSocket upgrade", { status: 400 });
    const { user, subprotocol, expiresAt, sessionId } = JSON.parse(decodeURIComponent(header)) as HomeConnectRequest;
    if (sessionId !== undefined && this.sessions.isRevoked(sessionId)) {
      return refuseEntry(SIGNED_OUT, subprotocol);
    }
    if (this.homeSockets.open().length >= this.config.homeSockets) {
      const message = `you have ${this.config.homeSockets} home pages open; close one first`;
      return refuseEntry({ code: "too_many_connections", message }, subprotocol);
    }
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    await this.homeSockets.accept(server, sessionId === undefined ? { expiresAt } : { expiresAt, sessionId });
    // Read after accepting: news that arrives meanwhile then counts as followed, and reaches this socket.
    // As a HomeRoomsFrame, written around the copies' JSON (see rooms()).
    server.send(`{"type":"rooms","rooms":${await this.rooms(user.id)}}`);
    this.ctx.waitUntil(this.askTheRest(user.id));
    return new Response(null, { status: 101, webSocket: client, headers: subprotocol ? { "Sec-WebSocket-Protocol": PROTOCOL } : undefined });
  }

  /** What is due: sessions to forget, home sockets whose token expired, uploads never recorded (alarm-schedule.ts). */
  override async alarm(): Promise<void> {
    await this.alarms.run(Date.now());
  }

  /**
   * A sign-in or a renewal of one of the person's sessions. Refused once the session was signed
   * out: every token of it, however fresh, is then renewed no more.
   */
  async renewSession(sessionId: string, expiresAt: number): Promise<Result<{}>> {
    if (!this.sessions.renewed(sessionId, expiresAt, Date.now())) return SIGNED_OUT;
    await this.alarms.dueBy(expiresAt);
    return { ok: true };
  }

  /** Whether a session may still be renewed in-band (a room socket's `auth` frame). */
  async sessionRevoked(sessionId: string): Promise<boolean> {
    return this.sessions.isRevoked(sessionId);
  }

  /** `DELETE /api/session`: the session is signed out, and its open home pages close. */
  async endSession(sessionId: string, expiresAt: number): Promise<void> {
    this.sessions.revoke(sessionId, expiresAt, Date.now());
    this.homeSockets.endSession(sessionId);
    await this.alarms.dueBy(expiresAt);
  }

  /** `GET /api/me/rooms`: every room of the user's, most recent activity first, as the JSON of a HomeRoomsResponse. */
  async listRooms(userId: string): Promise<string> {
    return `{"rooms":${await this.rooms(userId)}}`;
  }

  /** `GET /api/me/search`: every room of the user's searched at once (search-across-rooms.ts). */
  async search(userId: string, typed: string, limit: number): Promise<Result<MySearchPage>> {
    return this.searching.search(userId, typed, limit);
  }

  /** `POST /api/dm`: the one-to-one conversation of this user with another, whose id the Worker derived from both. */
  async openDirect(user: UserRef, otherId: string, roomId: string): Promise<Result<{ room: RoomInfo }>> {
    return this.direct.open(user, otherId, roomId);
  }

  /** `DELETE /api/me/rooms/:room`: the user leaves a direct conversation; their home stops listing it. */
  async hideRoom(roomId: string): Promise<Result<{}>> {
    const hidden = this.direct.hide(roomId, Date.now());
    if (hidden.ok) this.broadcast({ type: "room_left", id: roomId });
    return hidden;
  }

  // Blocking (`/api/me/blocked`): kept here, asked by the hubs of people opening a conversation,
  // and copied to every room of the user's, which refuse the blocked person's messages to them.
  async block(me: string, userId: string, name?: string): Promise<Result<{}>> {
    const { blocksPerUser } = this.config;
    if (!this.direct.blocks.has(userId) && this.direct.blocks.count() >= blocksPerUser) {
      return failure(403, "forbidden", `you have blocked ${blocksPerUser} people, the most one may; unblock someone first`);
    }
    this.direct.blocks.block(userId, Date.now(), name);
    await this.tellRoomsBlocks(me);
    return { ok: true };
  }
  async unblock(me: string, userId: string): Promise<boolean> {
    if (!this.direct.blocks.unblock(userId)) return false;
    await this.tellRoomsBlocks(me);
    return true;
  }
  async blocked(): Promise<{ id: string; name?: string; blockedAt: number }[]> {
    return this.direct.blocks.all();
  }
  /** The rooms the user is in, asked by the hub of someone opening a conversation with them. */
  async roomIds(): Promise<string[]> {
    return this.index.ids();
  }
  async isBlocking(userId: string): Promise<boolean> {
    return this.direct.blocks.has(userId);
  }

  async settings(): Promise<ConversationSettings> {
    return this.direct.settings();
  }
  async saveSettings(settings: ConversationSettings): Promise<void> {
    this.direct.saveSettings(settings);
  }

  /**
   * Counts an upload against the user's daily quota of bytes and uploads, across all rooms, and
   * remembers it until the room has recorded it (`settleUpload`); refused with when it would fit.
   */
  async reserveUpload(upload: PendingUpload, limits: UploadLimits): Promise<Result<{}>> {
    const reserved = this.uploads.reserve(upload, limits, Date.now());
    if (!reserved.ok) return reserved;
    await this.alarms.dueBy(reserved.sweepAt);
    return { ok: true };
  }

  /** The room recorded the upload. */
  async settleUpload(roomId: string, fileId: string): Promise<void> {
    this.uploads.settle(roomId, fileId);
  }

  /** An upload whose bytes never arrived gives them back. */
  async releaseUpload(roomId: string, fileId: string): Promise<void> {
    this.uploads.release(roomId, fileId);
  }

  private blockedIds(): string[] {
    return this.direct.blocks.all().map((entry) => entry.id);
  }

  /** Every room the user is in gets the new list; a room that cannot be reached now gets it when the home next asks it (its copy is marked stale). */
  private async tellRoomsBlocks(me: string): Promise<void> {
    const blocked = this.blockedIds();
    const ids = this.index.ids();
    const told = await Promise.allSettled(ids.map((id) => this.room(id).blocksOf(me, blocked)));
    told.forEach((result, i) => {
      if (result.status === "fulfilled") return;
      logError("hub.blocks_not_told", result.reason, { user: me });
      this.index.markStale(ids[i]!);
    });
  }

  private async recorded({ roomId, fileId }: PendingUpload): Promise<boolean> {
    return this.room(roomId).holdsFile(fileId);
  }

  /**
   * A room is about to make the user a member: the room goes on their list, unless they are in
   * ROOMS_PER_USER rooms already. A room given back (`restored`: a ban's end, a readmission)
   * is not refused, as the person had it before. Answers whether a home page is open, so the
   * room sends its entry, and whom the user blocks, which the room must know from now on.
   */
  async enter(roomId: string, restored: boolean): Promise<Result<{ watching: boolean; blocked: string[] }>> {
    if (!restored && !this.index.has(roomId) && this.index.count() >= this.config.roomsPerUser) {
      return failure(403, "forbidden", `you are in ${this.config.roomsPerUser} rooms, the most one person may be in; leave one first`);
    }
    this.index.add(roomId, Date.now());
    return { ok: true, watching: this.looking(), blocked: this.blockedIds() };
  }

  /** The user left the room or was removed from it (or, after `enter`, was not let in after all). */
  async left(roomId: string): Promise<void> {
    if (this.index.remove(roomId)) this.broadcast({ type: "room_left", id: roomId });
  }

  /**
   * A room's entry, sent because it changed since the hub's copy. False when no home page is
   * open: the room stops sending, and the copy waits, stale, for the next load to ask again.
   */
  async news(room: HomeRoom): Promise<boolean> {
    const looking = this.looking();
    this.index.told(room, looking, Date.now());
    if (looking && this.direct.shown(room)) this.broadcast({ type: "room", room });
    return looking;
  }

  override async webSocketMessage(): Promise<void> {
    // A home socket carries only pings, answered by the runtime; anything else has no meaning here.
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    answerClose(ws, code, reason);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    if (!isBenignTeardownError(ws, error)) logError("hub.socket_error", error, {});
  }

  /**
   * The home: the rooms whose copy is missing, stale or old are asked again (HOME_READS_PER_LOAD
   * at most, in parallel), the rest come from the copies. Each room asked also gets the user's
   * blocks again, so a room that missed a change catches up; one that no longer counts the user
   * a member leaves the list. See docs/home.md. Answers the JSON array of HomeRoom, the copies
   * joined as they are kept: hundreds of entries are not parsed, cloned and written again.
   */
  private async rooms(userId: string): Promise<string> {
    await this.ask(this.index.due(this.config.home.readsPerLoad, Date.now() - this.config.home.recheckAfterMs), userId);
    const shown = this.index.entries().filter(({ json, hiddenAt }) => hiddenAt === undefined || this.direct.shown(JSON.parse(json) as HomeRoom, hiddenAt));
    return `[${shown.map(({ json }) => json).join(",")}]`;
  }

  /**
   * While a home page is open, the rooms its load left for later are asked too, a load's share
   * at a time, each change sent to the page as it comes: an open page is never loaded again,
   * and only rooms that gave their entry tell it of changes.
   */
  private async askTheRest(userId: string): Promise<void> {
    const asked = new Set<string>();
    const share = this.config.home.readsPerLoad;
    while (this.looking()) {
      const due = this.index.due(share + asked.size, Date.now() - this.config.home.recheckAfterMs).filter((id) => !asked.has(id)).slice(0, share);
      if (due.length === 0) return;
      for (const id of due) asked.add(id);
      for (const entry of await this.ask(due, userId)) {
        if (entry === undefined) continue;
        if (typeof entry === "string") this.broadcast({ type: "room_left", id: entry });
        else if (this.direct.shown(entry)) this.broadcast({ type: "room", room: entry });
      }
    }
  }

  /**
   * Asks these rooms for the user's entry, in parallel, each bringing the user's blocks: the
   * entry of each whose answer became the copy, and the id of each taken off the list as it no
   * longer counts the user a member. A room that fails keeps its copy, and is asked again next time.
   */
  private async ask(ids: string[], userId: string): Promise<(HomeRoom | string | undefined)[]> {
    const askedAt = Date.now();
    const blocked = this.blockedIds();
    return Promise.all(
      ids.map(async (id) => {
        try {
          const entry = await this.room(id).homeEntry(userId, blocked);
          if (!entry) return this.index.remove(id) ? id : undefined;
          // Older than news that came meanwhile: the news is what the page was sent.
          return this.index.answered(entry, askedAt) ? entry : undefined;
        } catch (error) {
          logError("hub.summary_failed", error, { room: id });
          return undefined;
        }
      }),
    );
  }

  private room(roomId: string) {
    return this.env.ROOMS.get(this.env.ROOMS.idFromName(roomId));
  }

  private looking(): boolean {
    return this.homeSockets.open().length > 0;
  }

  private broadcast(frame: HomeFrame): boolean {
    return this.homeSockets.broadcast(frame);
  }
}
