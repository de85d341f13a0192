import { DurableObject } from "cloudflare:workers";
import { readRoomConfig, type RoomConfig } from "../config";
import type { Env } from "../env";
import { logError, logEvent, type LogFields } from "../log";
import {
  CloseCode,
  LIMITS,
  parseClientFrame,
  PING,
  PONG,
  PROTOCOL,
  type ChangeFrame,
  type SendFrame,
  type ChatMessage,
  type FileInfo,
  type HistoryFrame,
  type HomeRoom,
  type InviteRequest,
  type InvitesPage,
  type MessagesPage,
  type ModerationEvent,
  type OutgoingMessage,
  type RoomInfo,
  type RoomSnapshot,
  type Visibility,
  type UserRef,
  type WelcomeFrame,
} from "../protocol";
import { refuseWebSocket } from "../refused-socket";
import { fromConnectRequest, toShardRedirect, type ConnectRequest } from "./connect-request";
import { roomSnapshot, welcomeFrame } from "./greeting";
import { GroupCommit } from "./group-commit";
import { HeldFrames, trySend } from "./held-frames";
import { AbusePolicy } from "./abuse-policy";
import { InviteList } from "./invite-list";
import { MemberList } from "./member-list";
import { FrameAnswers } from "./frame-answers";
import { MemberActions } from "./member-actions";
import { MemberRoster } from "./member-roster";
import { Moderation } from "./moderation";
import { MessageIntake, type Changed } from "./message-intake";
import type { LogEntry } from "./log-entries";
import { ReactionList } from "./reaction-list";
import { LongPolls } from "./long-polls";
import { MessageLog, type PageQuery } from "./message-log";
import { OnlineIndex, PresenceBatcher, presenceWindowMs, type Connection } from "./presence";
import { RemovalList } from "./removal-list";
import { RoomAccess } from "./room-access";
import { failure, NOT_A_MEMBER, type RoomFailure, type RoomResult } from "./room-failure";
import { RoomHome } from "./room-home";
import { RoomFiles } from "./room-files";
import { RoomRecord } from "./room-record";
import { RoomShards } from "./room-shards";
import { BatchReaders } from "./batch-readers";
import { isRemote, type RemoteSocket } from "./remote-socket";
import { sendError } from "./outgoing-frames";
import { SendRate } from "./send-rate";
import { answerClose, isBenignTeardownError } from "./socket-teardown";
import { StaleSweep } from "./stale-sweep";

/** A `send` or a change (edit, delete, react) waiting for its turn to be stored (see group-commit.ts). */
interface QueuedSend {
  ws: WebSocket;
  frame: SendFrame | ChangeFrame;
}

/**
 * One chat room. Its sockets are hibernatable: the object can leave memory while clients stay
 * connected, and every piece of state that must outlive that is in SQLite (room, members,
 * history) or in a socket's attachment (who is on it). What is in memory is derived or
 * disposable: the online index is rebuilt from the sockets, typing throttles may reset.
 */
export class ChatRoom extends DurableObject<Env> {
  private readonly config: RoomConfig;
  private readonly room: RoomRecord;
  private readonly members: MemberList;
  private readonly access: RoomAccess;
  private readonly log: MessageLog;
  private readonly sendRate: SendRate;
  private readonly online: OnlineIndex;
  private readonly presence: PresenceBatcher;
  private readonly sends: GroupCommit<QueuedSend>;
  private readonly held: HeldFrames;
  private readonly abuse: AbusePolicy;
  private readonly roster: MemberRoster;
  private readonly intake: MessageIntake;
  private readonly sweep: StaleSweep;
  /** The room's id, for logs; read from storage once per wake-up. */
  private id: string | undefined;
  private readonly polls: LongPolls;
  private readonly home: RoomHome;
  private readonly roles: Moderation;
  private readonly memberActions: MemberActions;
  private readonly answers: FrameAnswers;
  private readonly files: RoomFiles;
  private readonly shards: RoomShards;
  private readonly batchReaders = new BatchReaders();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = readRoomConfig(env);
    // Answered by the runtime while the room sleeps: a heartbeat never wakes it.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    this.room = new RoomRecord(ctx.storage.sql);
    this.members = new MemberList(ctx.storage.sql);
    this.roles = new Moderation(ctx.storage.sql, this.room, this.config.admins);
    this.access = new RoomAccess(this.room, this.members, new InviteList(ctx.storage.sql), new RemovalList(ctx.storage.sql), this.roles);
    this.sweep = new StaleSweep(ctx, this.config.staleAfterMs);
    this.abuse = new AbusePolicy(this.config.whoIntervalMs);
    this.polls = new LongPolls(this.config.longPolls.perUser, this.config.longPolls.perRoom);
    const reactions = new ReactionList(ctx.storage.sql);
    this.files = new RoomFiles(ctx, env.FILES, () => (this.id ??= this.room.get()?.id), this.access, this.roles, (seq) => this.log.message(seq));
    this.log = new MessageLog(ctx.storage.sql, this.config.historyLimit, reactions, this.files.list);
    this.sendRate = new SendRate(this.log, { ...this.config.rateLimit, newcomers: this.config.newcomers }, (id) => this.members.joinedAt(id));
    this.shards = new RoomShards(ctx.storage.sql, env, () => (this.id ??= this.room.get()?.id), this.log.latestSeq(), (socket) => this.disconnect(socket.asWebSocket()));
    this.online = new OnlineIndex(() => [...ctx.getWebSockets(), ...this.shards.sockets()]);
    this.roster = new MemberRoster(this.online, this.members, this.roles);
    this.home = new RoomHome(ctx.storage.sql, env, this.room, this.members, this.log);
    const sockets = { of: (userId: string) => [...ctx.getWebSockets(userId), ...this.shards.socketsOf(userId).map((socket) => socket.asWebSocket())], forget: (ws: WebSocket) => this.disconnect(ws), note: (event: string, fields: LogFields) => this.note(event, fields) };
    this.memberActions = new MemberActions(sockets, this.room, this.members, this.access, this.roles, this.polls, this.home);
    this.intake = new MessageIntake(this.config, this.log, this.members, this.sendRate, reactions, this.roles, this.files.list);
    this.presence = new PresenceBatcher(
      () => presenceWindowMs(this.online.size),
      (frame) => this.broadcast(JSON.stringify(frame)),
    );
    this.held = new HeldFrames(
      () => ctx.storage.sync(),
      (error) => logError("room.write_failed", error, { room: this.id }),
      (sink) => this.batchReaders.reads(sink),
    );
    this.sends = new GroupCommit((batch) => {
      batch.forEach(({ ws, frame }) => this.answers.stored(ws, frame));
      this.held.releaseWhenDurable();
    });
    this.answers = new FrameAnswers(env, this.config, this.intake, this.abuse, this.held, this.roster, {
      deliver: (entry, sender) => this.deliver(entry, sender),
      disconnect: (ws) => this.disconnect(ws),
      broadcast: (frame, except) => this.broadcast(frame, except),
      note: (event, fields) => this.note(event, fields),
      roomId: () => this.id,
    });
  }

  /** Accepts a WebSocket the Worker has authenticated (see connect-request.ts). */
  override async fetch(request: Request): Promise<Response> {
    const connect = fromConnectRequest(request);
    if (!connect) return new Response("expected an authenticated WebSocket upgrade", { status: 400 });
    const now = Date.now();
    // Before admitting: a refused connection must not use up an invite or make anyone a member.
    const full = this.refuseSocket(connect.user.id);
    if (full) {
      this.note("room.refused", { user: connect.user.id, code: full.code });
      return refuseWebSocket(CloseCode.Abuse, { type: "error", code: full.code, message: full.message }, connect.subprotocol);
    }
    const admitted = this.admit(connect.roomId, connect.user, now, connect.inviteId);
    if (!admitted.ok) {
      this.note("room.refused", { user: connect.user.id, code: admitted.code });
      return refuseWebSocket(CloseCode.Forbidden, { type: "error", code: admitted.code, message: admitted.message }, connect.subprotocol);
    }
    // A crowd arriving in a public room comes by socket: none of them waits on their home's
    // index to be told (RoomHome.joined never throws; a late notice heals, see there).
    if (admitted.joined) this.ctx.waitUntil(this.home.joined(connect.user));
    // Past what one object should hold, the connection goes to a fan-out shard; the room
    // welcomes it when it arrives there (shardJoined).
    const shard = await this.shards.place(this.online.connections - this.shards.connections, this.config.sockets.shardCapacity, now);
    if (shard > 0) return toShardRedirect(shard);

    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    const connection: Connection = {
      connId: crypto.randomUUID(),
      user: connect.user,
      connectedAt: now,
      expiresAt: connect.expiresAt,
      lastHeardAt: now,
      strikes: 0,
    };
    if (connect.batch) connection.batch = true;
    this.ctx.acceptWebSocket(server, [connect.user.id]);
    server.serializeAttachment(connection);
    if (this.online.add(connection)) this.presence.joined(connect.user);

    // Nothing can run between these sends, so no live message slips in before the history.
    for (const frame of this.greeting(admitted.room, connect, now).frames) server.send(frame);

    await this.sweep.schedule();
    const headers = connect.subprotocol ? { "Sec-WebSocket-Protocol": PROTOCOL } : undefined;
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /**
   * The welcome and history that open every connection: the room, who is here, and what the
   * client has not seen (the recent page, or everything after `after` when it resumes).
   */
  private greeting(room: RoomInfo, connect: ConnectRequest, now: number): { frames: [string, string]; seq: number } {
    const welcome = this.welcome(room, connect.user, now);
    const page =
      connect.after === undefined
        ? this.log.page(connect.user.id, { limit: LIMITS.recentHistory })
        : this.log.page(connect.user.id, { after: connect.after, limit: LIMITS.resumeHistory });
    const history: HistoryFrame = { type: "history", messages: page.messages, more: page.more };
    if (page.updates.length > 0) history.updates = page.updates;
    return { frames: [JSON.stringify(welcome), JSON.stringify(history)], seq: welcome.seq };
  }

  /** The one greeting (greeting.ts) of the socket, `join` and `describe`. */
  private welcome(room: RoomInfo, you: UserRef, now: number): WelcomeFrame {
    return welcomeFrame({ log: this.log, roster: this.roster, online: this.online, roles: this.roles }, room, you, now);
  }

  /**
   * A connection the room placed on a shard has arrived there. The room admitted it before
   * placing it; it checks again, as the person may have been removed or banned since. The
   * shard sends the frames, then whatever the room sent it meanwhile that the history lacks.
   */
  async shardJoined(shard: number, connect: ConnectRequest, connection: Connection): Promise<RoomResult<{ frames: string[]; seq: number }>> {
    const room = this.room.get();
    if (!room) return failure(404, "not_found", "no such room");
    const refused = this.access.refuseReader(connect.user);
    if (refused) return refused;
    this.shards.joined(shard, connection);
    if (this.online.add(connection)) this.presence.joined(connect.user);
    return { ok: true, ...this.greeting(room, connect, Date.now()) };
  }

  /** A frame from a connection a shard holds, answered as if it came on one of the room's own sockets; false if the room does not know the connection. */
  async shardFrame(connId: string, data: string | ArrayBuffer): Promise<boolean> {
    const socket = this.shards.find(connId);
    if (!socket) return false;
    await this.answer(socket.asWebSocket(), data, false);
    return true;
  }

  /** Connections a shard saw close. */
  async shardLeft(connIds: string[]): Promise<void> {
    for (const connId of connIds) {
      const socket = this.shards.find(connId);
      if (socket) this.disconnect(socket.asWebSocket());
    }
  }

  /** The stale-socket sweep (stale-sweep.ts), and files never attached (deleted after an hour). */
  override async alarm(): Promise<void> {
    await this.files.sweep(Date.now());
    for (const { ws, connection, why } of await this.sweep.run(Date.now())) {
      try {
        if (why === "expired") ws.close(CloseCode.InvalidToken, "your session expired; sign in again");
        else ws.close(CloseCode.NoHeartbeat, "no heartbeat");
      } catch {
        // Already closing.
      }
      this.note("room.swept", { user: connection.user.id, why });
      this.disconnect(ws);
    }
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    return this.answer(ws, data, true);
  }

  /** A frame from one of the room's own sockets (`local`), or from a connection a shard holds. */
  private async answer(ws: WebSocket, data: string | ArrayBuffer, local: boolean): Promise<void> {
    // Frames already on their way when we closed a socket still arrive; a client we cut off
    // must not keep the room busy answering into a closed socket.
    if (ws.readyState !== WebSocket.OPEN) return;
    const connection = ws.deserializeAttachment() as Connection;
    const now = Date.now();
    // A shard keeps its own sockets' silence (its sweep); the room needs no copy of it.
    if (local) this.sweep.heard(ws, connection, now);
    try {
      const frame = parseClientFrame(data);
      if (!frame.ok) return this.answers.strike(ws, connection, { ...failure(400, frame.code, frame.message), id: frame.id });
      switch (frame.value.type) {
        case "send":
        case "edit":
        case "delete":
        case "react":
          return this.sends.add({ ws, frame: frame.value });
        case "typing":
          return this.answers.typing(ws, connection);
        case "who":
          return this.answers.who(ws, connection, now);
        case "read":
          return void (await this.markRead(connection.user, frame.value.seq));
        case "auth":
          return await this.answers.auth(ws, connection, frame.value.token);
      }
    } catch (error) {
      logError("room.message_failed", error, { room: this.id, user: connection.user.id });
      sendError(ws, { code: "internal", message: "the server could not handle that frame; try again" });
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    const connection = ws.deserializeAttachment() as Connection | null;
    // One line per connection, at its end: a line at the start too would double the log volume
    // of a busy room and put console output on every client's way in (docs/performance.md).
    const seconds = connection ? Math.round((Date.now() - connection.connectedAt) / 1000) : undefined;
    this.note("room.disconnected", { user: connection?.user.id, code, seconds });
    this.disconnect(ws);
    answerClose(ws, code, reason);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    if (!isBenignTeardownError(ws, error)) logError("room.socket_error", error, { room: this.id });
    this.disconnect(ws);
  }

  /** `POST /api/rooms`: a new room, its creator the owner and first member. */
  async create(roomId: string, owner: UserRef, settings: { visibility: Visibility; title?: string }): Promise<RoomResult<{ room: RoomInfo }>> {
    if (this.room.get()) return failure(400, "bad_message", "a room with that id exists");
    const now = Date.now();
    const room = this.room.create({ id: roomId, owner: owner.id, ...settings }, now);
    this.members.touch(owner, now);
    await this.home.joined(owner);
    return { ok: true, room };
  }

  /** `POST /api/rooms/:room/join`: become a member without a WebSocket (clients on HTTP, invite links). */
  async join(roomId: string, user: UserRef, inviteId?: string): Promise<RoomResult<RoomSnapshot>> {
    const admitted = this.admit(roomId, user, Date.now(), inviteId);
    if (!admitted.ok) return admitted;
    if (admitted.joined) await this.home.joined(user);
    return { ok: true, ...roomSnapshot(this.welcome(admitted.room, user, Date.now())) };
  }

  /** `GET /api/rooms/:room`: the room and who is in it, without joining. */
  async describe(roomId: string, viewer: UserRef): Promise<RoomResult<RoomSnapshot>> {
    const refused = this.access.refuseReader(viewer);
    if (refused) return refused;
    return { ok: true, ...roomSnapshot(this.welcome(this.room.get() ?? { id: roomId, visibility: "public" }, viewer, Date.now())) };
  }

  /** `POST /api/rooms/:room/invites`: any member of a private room may invite. */
  async createInvite(user: UserRef, request: InviteRequest): Promise<RoomResult<{ id: string; expiresAt: number }>> {
    const invite = this.access.createInvite(user, Date.now(), request);
    if (invite.ok) this.note("room.invite_created", { user: user.id, invite: invite.id });
    return invite;
  }

  /** `GET /api/rooms/:room/invites`: the owner's view of every invite. */
  async listInvites(user: UserRef, limit: number, before?: number): Promise<RoomResult<InvitesPage>> {
    return this.access.listInvites(user, limit, before);
  }

  /** `DELETE /api/rooms/:room/invites/:id`: links already shared stop working. */
  async revokeInvite(user: UserRef, inviteId: string): Promise<RoomResult<{}>> {
    const revoked = this.access.revokeInvite(user, inviteId, Date.now());
    if (revoked.ok) this.note("room.invite_revoked", { user: user.id, invite: inviteId });
    return revoked;
  }

  /** `DELETE /api/rooms/:room/members/:id` (member-actions.ts) */
  async removeMember(user: UserRef, memberId: string): Promise<RoomResult<{}>> {
    return this.memberActions.remove(user, memberId);
  }

  /** `POST /api/rooms/:room/members/:id/readmit`: the owner lets a removed member back in. */
  async readmit(user: UserRef, memberId: string): Promise<RoomResult<{}>> {
    return this.memberActions.readmit(user, memberId);
  }

  /** `PUT /api/rooms/:room/members/:id {"role"}` */
  async setRole(user: UserRef, memberId: string, role: "moderator" | "member"): Promise<RoomResult<{}>> {
    return this.memberActions.setRole(user, memberId, role);
  }

  /** `POST .../members/:id/mute {"seconds"?}` */
  async mute(user: UserRef, memberId: string, seconds?: number): Promise<RoomResult<{ until: number | null }>> {
    return this.memberActions.mute(user, memberId, seconds);
  }

  /** `DELETE .../members/:id/mute` */
  async unmute(user: UserRef, memberId: string): Promise<RoomResult<{}>> {
    return this.memberActions.unmute(user, memberId);
  }

  /** `POST .../members/:id/ban {"seconds"?}` */
  async ban(user: UserRef, memberId: string, seconds?: number): Promise<RoomResult<{ until: number | null }>> {
    return this.memberActions.ban(user, memberId, seconds);
  }

  /** `GET /api/rooms/:room/moderation`: every moderation action, newest first, for owners and moderators. */
  async moderationLog(user: UserRef, limit: number): Promise<RoomResult<{ events: ModerationEvent[] }>> {
    return this.memberActions.log(user, limit);
  }

  /** `DELETE /api/rooms/:room/members/me` */
  async leave(user: UserRef): Promise<RoomResult<{}>> {
    return this.memberActions.leave(user);
  }

  /** A member's name, for a hub checking that two people share this room before a direct conversation. */
  async member(userId: string): Promise<UserRef | undefined> {
    return this.access.refuseReader({ id: userId, name: "" }) ? undefined : this.members.get(userId);
  }

  /**
   * `POST /api/dm`: opens the one-to-one conversation of two people, made on first use with both
   * as members. The Worker derived this room's id from both ids; only these two may open it.
   */
  async openDirect(roomId: string, from: UserRef, to: UserRef): Promise<RoomResult<{ room: RoomInfo }>> {
    const existing = this.room.get();
    if (existing && !existing.direct) return failure(400, "bad_message", "a room with that id exists");
    const now = Date.now();
    const room = existing ?? this.room.create({ id: roomId, visibility: "private", direct: true }, now);
    if (existing && !this.members.has(from.id)) return NOT_A_MEMBER;
    for (const user of existing ? [from] : [from, to]) if (this.members.touch(user, now).added) await this.home.joined(user);
    return { ok: true, room };
  }

  /**
   * A hub reading the user's entry for its home (undefined: not a member, drop the room). With
   * `watch`, a home page is open: the room sends that hub news until it says nobody looks.
   */
  async summary(userId: string, watch: boolean): Promise<HomeRoom | undefined> {
    const entry = this.home.entry(userId);
    if (entry && watch) this.home.watchers.watch(userId);
    return entry;
  }

  /** `POST /api/rooms/:room/read` and the `read` frame: the read position moves forward only, and never past the newest message. */
  async markRead(user: UserRef, seq: number): Promise<RoomResult<{}>> {
    const refused = this.access.refuseReader(user);
    if (refused) return refused;
    if (this.members.readPosition(user.id) === undefined) return NOT_A_MEMBER;
    if (this.members.markRead(user.id, Math.min(seq, this.log.latestSeq()))) this.home.watchers.changedFor(user.id);
    return { ok: true };
  }

  /**
   * `GET /api/rooms/:room/messages`: a page of what the viewer may see. With `after` and a
   * wait, an empty answer is held until a message arrives or the wait is over (long-polling,
   * for clients that cannot use WebSocket).
   */
  async readMessages(viewer: UserRef, query: PageQuery, waitMs = 0): Promise<RoomResult<MessagesPage>> {
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
    const { messages, updates, more } = page;
    return { ok: true, messages, ...(updates.length > 0 ? { updates } : {}), more, seq: this.log.latestSeq() };
  }

  /** `POST /api/rooms/:room/messages`: the same rules as a WebSocket `send`; posting joins the room. */
  async postMessage(roomId: string, user: UserRef, message: OutgoingMessage): Promise<RoomResult<{ message: ChatMessage; created: boolean }>> {
    const now = Date.now();
    const admitted = this.admit(roomId, user, now);
    if (!admitted.ok) return admitted;
    if (admitted.joined) await this.home.joined(user);
    // Messages that reached the room before this one are stored before it.
    this.sends.flush();
    const result = this.intake.store(user, message, now);
    if (result.ok && result.created) {
      this.deliver(result.message);
      this.held.releaseWhenDurable();
    }
    return result;
  }

  /**
   * `PATCH`/`DELETE .../messages/:seq` and `POST .../messages/:seq/reactions`: the same rules as
   * the socket's `edit`, `delete` and `react` frames.
   */
  async changeMessage(user: UserRef, change: ChangeFrame): Promise<Changed> {
    const refused = this.access.refuseReader(user);
    if (refused) return refused;
    this.sends.flush();
    const result = this.intake.change(user, change, Date.now());
    if (result.ok && result.update && result.created) {
      this.deliver(result.update);
      this.held.releaseWhenDurable();
    }
    return result;
  }

  /** `POST /api/rooms/:room/files`, before any byte is stored (room-files.ts). */
  async mayUpload(user: UserRef): Promise<RoomResult<{}>> {
    return this.files.mayUpload(user);
  }

  /** The upload is in R2: the room remembers it, for its uploader to attach to one message. */
  async recordUpload(user: UserRef, file: FileInfo): Promise<void> {
    await this.files.record(user, file);
  }

  /** `GET /api/rooms/:room/files/:id` (room-files.ts). */
  async fileFor(user: UserRef, fileId: string): Promise<RoomResult<{ file: FileInfo }>> {
    return this.files.fileFor(user, fileId);
  }

  /** Caps checked before anything else: one user's tabs, and the room's share of the platform's socket limit. */
  private refuseSocket(userId: string): RoomFailure | undefined {
    const { perUser, perRoom } = this.config.sockets;
    if (this.online.connectionsOf(userId) >= perUser) {
      return failure(429, "too_many_connections", `you have ${perUser} connections to this room open; close a tab or window first`);
    }
    if (this.online.connections >= perRoom) return failure(429, "too_many_connections", "this room is full right now; try again later");
    return undefined;
  }

  private admit(roomId: string, user: UserRef, now: number, inviteId?: string): RoomResult<{ room: RoomInfo; joined: boolean }> {
    const admitted = this.access.admit(roomId, user, now, inviteId);
    if (admitted.ok) this.id = admitted.room.id;
    return admitted;
  }

  /**
   * Queues a stored message for everyone who may see it, except the connection that sent it
   * (it gets the ack). The recipients are the sockets open now: one that opens before the
   * message goes out finds it in its history instead, so nobody gets it twice.
   */
  private deliver(entry: LogEntry, sender?: WebSocket): void {
    this.polls.wake(entry.to === undefined ? "everyone" : [entry.to, entry.from.id]);
    if (entry.type === "message") this.home.watchers.stored(entry);
    const frame = JSON.stringify(entry);
    const shards = this.shards.entrySink(entry, sender);
    if (shards) this.held.hold(shards, frame);
    if (entry.to === undefined) return this.held.hold(this.ctx.getWebSockets(), frame, sender);
    const recipients = this.ctx.getWebSockets(entry.to);
    if (entry.to !== entry.from.id) recipients.push(...this.ctx.getWebSockets(entry.from.id));
    this.held.hold(recipients, frame, sender);
  }

  /** A structured log line about this room: ids and codes only, never tokens or message text. */
  private note(event: string, fields: LogFields): void {
    this.id ??= this.room.get()?.id;
    logEvent(event, { room: this.id, ...fields });
  }

  private broadcast(frame: string, except?: WebSocket): void {
    this.shards.broadcast(frame, except);
    for (const ws of this.ctx.getWebSockets()) if (ws !== except) trySend(ws, frame);
  }

  private disconnect(ws: WebSocket | RemoteSocket): void {
    const connection = ws.deserializeAttachment() as Connection | null;
    if (!connection) return;
    if (isRemote(ws) && !this.shards.forget(ws)) return;
    const wentOffline = this.online.remove(connection);
    this.abuse.forget(connection, wentOffline);
    if (wentOffline) {
      this.members.markSeen(connection.user.id, Date.now());
      this.presence.left(connection.user);
    }
  }
}
