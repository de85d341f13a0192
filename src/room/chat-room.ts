import { DurableObject } from "cloudflare:workers";
import { readRoomConfig } from "../config";
import type { Env } from "../env";
import {
  PING,
  PONG,
  type ChangeFrame,
  type ChatMessage,
  type FileInfo,
  type HomeRoom,
  type InviteRequest,
  type InvitesPage,
  type MessagesPage,
  type ModerationPage,
  type OutgoingMessage,
  type PageQuery,
  type RoomInfo,
  type RoomSnapshot,
  type SearchPage,
  type UserRef,
  type Visibility, failure, type Failure, type Result } from "../protocol";
import { AlarmSchedule } from "../shared/alarm-schedule";
import { fromConnectRequest, toShardRedirect, type ConnectRequest } from "../shared/connect-request";
import type { Connection } from "../shared/connection";
import { refuseEntry } from "../shared/refused-socket";
import { AbusePolicy } from "./connections/abuse-policy";
import { Delivery } from "./connections/delivery";
import { FrameAnswers } from "./connections/frame-answers";
import { Greeting } from "./connections/greeting";
import { HttpMessages } from "./connections/http-messages";
import { LongPolls } from "./connections/long-polls";
import { RoomSockets } from "./connections/room-sockets";
import { RoomFiles } from "./files/room-files";
import type { Changed } from "./history/message-intake";
import { MessageIntake } from "./history/message-intake";
import { LogRetention } from "./history/log-retention";
import { MessageLog } from "./history/message-log";
import { ReactionList } from "./history/reaction-list";
import { SendRate } from "./history/send-rate";
import { RoomHome } from "./home/room-home";
import { RoomHooks } from "./lifecycle/room-hooks";
import { RoomNotes } from "./lifecycle/room-notes";
import { BanEnds } from "./membership/ban-ends";
import { InviteList } from "./membership/invite-list";
import { MemberActions } from "./membership/member-actions";
import { MemberEntry } from "./membership/member-entry";
import { MemberExit } from "./membership/member-exit";
import { MemberList } from "./membership/member-list";
import { MemberRoster } from "./membership/member-roster";
import { Moderation } from "./membership/moderation";
import { RemovalList } from "./membership/removal-list";
import { RoomAccess } from "./membership/room-access";
import { RoomBlocks } from "./membership/room-blocks";
import { RoomFounding } from "./membership/room-founding";
import { RoomRecord } from "./membership/room-record";
import { NOT_A_MEMBER } from "./membership/refusals";
import { RoomSearch } from "./search/room-search";
import { RoomShards } from "./shards/room-shards";

/**
 * One chat room: the composition of its parts (docs/architecture.md) and the surface the
 * Worker, shards and hubs call. Its sockets are hibernatable: the object can leave memory while
 * clients stay connected, and every piece of state that must outlive that is in SQLite (room,
 * members, history) or in a socket's attachment (who is on it). What is in memory is derived
 * or disposable: the online index is rebuilt from the sockets, typing throttles may reset.
 */
export class ChatRoom extends DurableObject<Env> {
  private readonly alarms: AlarmSchedule;
  private readonly room: RoomRecord;
  private readonly notes: RoomNotes;
  private readonly members: MemberList;
  private readonly moderation: Moderation;
  private readonly access: RoomAccess;
  private readonly log: MessageLog;
  private readonly files: RoomFiles;
  private readonly shards: RoomShards;
  private readonly sockets: RoomSockets;
  private readonly roster: MemberRoster;
  private readonly greeting: Greeting;
  private readonly home: RoomHome;
  private readonly memberActions: MemberActions;
  private readonly founding: RoomFounding;
  private readonly search: RoomSearch;
  private readonly entry: MemberEntry;
  private readonly blocks: RoomBlocks;
  private readonly answers: FrameAnswers;
  private readonly messages: HttpMessages;
  private readonly shardCapacity: number;

  // Each part is built from parts built before it; they meet later only through the hooks.
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = readRoomConfig(env);
    const sql = ctx.storage.sql;
    this.shardCapacity = config.sockets.shardCapacity;
    // Answered by the runtime while the room sleeps: a heartbeat never wakes it.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    const hooks = new RoomHooks();
    this.alarms = new AlarmSchedule(ctx.storage);
    this.room = new RoomRecord(sql);
    this.notes = new RoomNotes(this.room);
    this.members = new MemberList(sql);
    this.moderation = new Moderation(sql, this.room, config.admins);
    this.access = new RoomAccess(this.room, this.members, new InviteList(sql), new RemovalList(sql), this.moderation);
    const reactions = new ReactionList(sql);
    hooks.gone.on((gone) => reactions.forget(gone));
    this.log = new MessageLog(sql, config.historyLimit, reactions, hooks);
    this.alarms.add(new LogRetention(sql, config.retentionMs, this.log, this.alarms, hooks));
    this.search = new RoomSearch(sql, hooks, this.access, config.searchesPerMinute);
    this.files = this.alarms.add(new RoomFiles(ctx, env.FILES, () => this.notes.id(), this.access, this.moderation, this.log, this.alarms, hooks));
    const trusted = (id: string) => this.moderation.roleOf(id) !== "member";
    const sendRate = new SendRate(this.log, { ...config.rateLimit, newcomers: config.newcomers }, (id) => this.members.joinedAt(id), trusted);
    this.blocks = new RoomBlocks(sql, this.room, this.members);
    const intake = new MessageIntake(config, this.log, this.members, sendRate, this.moderation, this.access, this.files.list, this.blocks, hooks);
    this.shards = new RoomShards(sql, env, () => this.notes.id(), this.log.latestSeq());
    const polls = new LongPolls(config.longPolls.perUser, config.longPolls.perRoom, config.longPolls.reserved);
    const abuse = new AbusePolicy(config.whoIntervalMs);
    this.sockets = new RoomSockets(ctx, config, this.shards, this.members, abuse, this.notes, this.alarms);
    this.roster = new MemberRoster(this.sockets.online, this.members, this.moderation);
    this.greeting = new Greeting(this.log, this.roster, this.moderation, this.access, this.sockets.online);
    this.home = new RoomHome(sql, env, config.homeNewsPerSecond, this.room, this.members, this.log, this.access, this.blocks, hooks);
    const delivery = new Delivery(ctx, this.shards, polls, hooks, this.notes);
    const exit = new MemberExit(this.sockets, polls, this.room, this.home);
    this.entry = new MemberEntry(this.access, this.members, this.home, exit);
    this.founding = new RoomFounding(this.room, this.members, this.entry);
    const banEnds = this.alarms.add(new BanEnds(this.access, this.room, this.entry, this.alarms));
    this.memberActions = new MemberActions(this.sockets, this.notes, this.room, this.members, this.access, this.moderation, exit, this.entry, banEnds);
    const markRead = (connection: Connection, seq: number) => this.home.markRead(connection.user, seq);
    this.answers = new FrameAnswers(env, config, intake, abuse, delivery, this.roster, this.moderation, this.sockets, this.notes, markRead);
    this.messages = new HttpMessages(config, this.access, this.log, intake, polls, this.answers, delivery);
  }

  /** Accepts a WebSocket the Worker has authenticated (see shared/connect-request.ts). */
  override async fetch(request: Request): Promise<Response> {
    const connect = fromConnectRequest(request);
    if (!connect) return new Response("expected an authenticated WebSocket upgrade", { status: 400 });
    // Before admitting: a refused connection must not use up an invite or make anyone a member.
    const full = this.sockets.refuse(connect.user.id);
    if (full) return this.refuseSocket(connect, full);
    const admitted = await this.entry.admitSocket(connect.roomId, connect.user, connect.inviteId);
    if (!admitted.ok) return this.refuseSocket(connect, admitted);
    // Again: a newcomer's admission may have waited on their hub, and others arrived meanwhile.
    const fullNow = this.sockets.refuse(connect.user.id);
    if (fullNow) return this.refuseSocket(connect, fullNow);
    const now = Date.now();
    // Past what one object should hold, the connection goes to a fan-out shard; the room
    // welcomes it when it arrives there (shardJoined).
    const shard = await this.shards.place(this.sockets.local, this.shardCapacity, now);
    const accepted = shard > 0 ? toShardRedirect(shard) : this.sockets.accept(connect, now, () => this.greeting.frames(admitted.room, connect.user, connect.after, now).frames);
    // The newcomer's hub is asked once the connection is known here (or is on its way to a
    // shard, which asks the room whether they are still a member): a refusal then reaches it.
    if (admitted.confirm) this.ctx.waitUntil(admitted.confirm());
    return accepted;
  }

  private refuseSocket(connect: ConnectRequest, refused: Failure): Response {
    this.notes.note("room.refused", { user: connect.user.id, code: refused.code });
    return refuseEntry(refused, connect.subprotocol);
  }

  /**
   * A connection the room placed on a shard has arrived there. The room admitted it before
   * placing it; it checks again, as the person may have been removed or banned since. The
   * shard sends the frames, then whatever the room sent it meanwhile that the history lacks.
   */
  async shardJoined(shard: number, connect: ConnectRequest, connection: Connection): Promise<Result<{ frames: string[]; seq: number }>> {
    const room = this.room.get();
    if (!room) return failure(404, "not_found", "no such room");
    // The caps again: connections placed on shards together all passed them before any arrived.
    // And membership: every connection came in as a member, and one whose membership ended since
    // (they left, or their hub turned them away) must not be welcomed.
    const refused = this.access.refuseReader(connect.user) ?? (this.members.has(connect.user.id) ? undefined : NOT_A_MEMBER) ?? this.sockets.refuse(connect.user.id);
    if (refused) return refused;
    this.sockets.arrivedOnShard(shard, connection);
    return { ok: true, ...this.greeting.frames(room, connect.user, connect.after, Date.now()) };
  }

  /** A frame from a connection a shard holds, answered as if it came on one of the room's own sockets; false if the room does not know the connection. */
  async shardFrame(connId: string, data: string | ArrayBuffer): Promise<boolean> {
    const socket = this.shards.find(connId);
    if (!socket) return false;
    await this.answers.answer(socket.asWebSocket(), data, false);
    return true;
  }

  /** Connections a shard saw close. */
  async shardLeft(connIds: string[]): Promise<void> {
    for (const connId of connIds) {
      const socket = this.shards.find(connId);
      if (socket) this.sockets.disconnect(socket);
    }
  }

  /** Whatever part is due: the stale-socket sweep, files never attached (alarm-schedule.ts). */
  override async alarm(): Promise<void> {
    await this.alarms.run(Date.now());
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    return this.answers.answer(ws, data, true);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.sockets.closed(ws, code, reason);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    this.sockets.errored(ws, error);
  }

  /** `POST /api/rooms`: a new room, its creator the owner and first member. */
  async create(roomId: string, owner: UserRef, settings: { visibility: Visibility; title?: string }): Promise<Result<{ room: RoomInfo }>> {
    return this.founding.create(roomId, owner, settings);
  }

  /** `POST /api/rooms/:room/join`: become a member without a WebSocket (clients on HTTP, invite links). */
  async join(roomId: string, user: UserRef, inviteId?: string): Promise<Result<RoomSnapshot>> {
    const admitted = await this.entry.admit(roomId, user, inviteId);
    if (!admitted.ok) return admitted;
    return { ok: true, ...this.greeting.snapshot(admitted.room, user, Date.now()) };
  }

  /** `GET /api/rooms/:room`: the room and who is in it, without joining. */
  async describe(roomId: string, viewer: UserRef): Promise<Result<RoomSnapshot>> {
    const refused = this.access.refuseReader(viewer);
    if (refused) return refused;
    return { ok: true, ...this.greeting.snapshot(this.room.get() ?? { id: roomId, visibility: "public" }, viewer, Date.now()) };
  }

  // Invites, membership and moderation (membership/member-actions.ts).
  async createInvite(user: UserRef, request: InviteRequest): Promise<Result<{ id: string; expiresAt: number }>> {
    return this.memberActions.createInvite(user, request);
  }
  async listInvites(user: UserRef, limit: number, before?: number): Promise<Result<InvitesPage>> {
    return this.access.listInvites(user, limit, before);
  }
  async revokeInvite(user: UserRef, inviteId: string): Promise<Result<{}>> {
    return this.memberActions.revokeInvite(user, inviteId);
  }
  async removeMember(user: UserRef, memberId: string): Promise<Result<{}>> {
    return this.memberActions.remove(user, memberId);
  }
  async readmit(user: UserRef, memberId: string): Promise<Result<{}>> {
    return this.memberActions.readmit(user, memberId);
  }
  async setRole(user: UserRef, memberId: string, role: "moderator" | "member"): Promise<Result<{}>> {
    return this.memberActions.setRole(user, memberId, role);
  }
  async mute(user: UserRef, memberId: string, seconds?: number): Promise<Result<{ until: number | null }>> {
    return this.memberActions.mute(user, memberId, seconds);
  }
  async unmute(user: UserRef, memberId: string): Promise<Result<{}>> {
    return this.memberActions.unmute(user, memberId);
  }
  async ban(user: UserRef, memberId: string, seconds?: number): Promise<Result<{ until: number | null }>> {
    return this.memberActions.ban(user, memberId, seconds);
  }
  async moderationLog(user: UserRef, limit: number, before?: number): Promise<Result<ModerationPage>> {
    return this.memberActions.events(user, limit, before);
  }
  async leave(user: UserRef): Promise<Result<{}>> {
    return this.memberActions.leave(user);
  }

  // Asked by members' hubs: whom one blocks (room-blocks.ts); a name, to check two people share the room.
  async blocksOf(blocker: string, blocked: string[]): Promise<void> {
    this.blocks.replace(blocker, blocked);
  }
  async member(userId: string): Promise<UserRef | undefined> {
    return this.access.refuseReader({ id: userId, name: "" }) ? undefined : this.members.get(userId);
  }

  /** `POST /api/dm`: the one-to-one conversation of two people (membership/room-founding.ts). */
  async openDirect(roomId: string, from: UserRef, to: UserRef): Promise<Result<{ room: RoomInfo }>> {
    return this.founding.openDirect(roomId, from, to);
  }

  // Homes (home/room-home.ts).
  async homeEntry(userId: string, blocked: string[]): Promise<HomeRoom | undefined> {
    return this.home.homeEntry(userId, blocked);
  }
  async markRead(user: UserRef, seq: number): Promise<Result<{}>> {
    return this.home.markRead(user, seq);
  }

  // Messages over HTTP (connections/http-messages.ts); posting joins the room.
  async readMessages(viewer: UserRef, query: PageQuery, waitMs = 0): Promise<Result<MessagesPage>> {
    return this.messages.read(viewer, query, waitMs);
  }
  async postMessage(roomId: string, user: UserRef, message: OutgoingMessage): Promise<Result<{ message: ChatMessage; created: boolean }>> {
    const admitted = await this.entry.admit(roomId, user);
    if (!admitted.ok) return admitted;
    return this.messages.post(user, message);
  }
  async changeMessage(user: UserRef, change: ChangeFrame): Promise<Changed> {
    return this.messages.change(user, change);
  }
  /** `GET /api/rooms/:room/search` (search/room-search.ts). */
  async searchMessages(viewer: UserRef, typed: string, page: PageQuery): Promise<Result<SearchPage>> {
    return this.search.search(viewer, typed, page);
  }

  // Files (files/room-files.ts): the bytes are in R2, the room keeps who may see them.
  async mayUpload(user: UserRef): Promise<Result<{}>> {
    return this.files.mayUpload(user);
  }
  async recordUpload(user: UserRef, file: FileInfo): Promise<void> {
    await this.files.record(user, file);
  }
  async fileFor(user: UserRef, fileId: string): Promise<Result<{ file: FileInfo }>> {
    return this.files.fileFor(user, fileId);
  }
  /** Whether the room has a record of this upload, whoever may see it: a hub sweeping uploads never recorded asks. */
  async holdsFile(fileId: string): Promise<boolean> {
    return this.files.list.get(fileId) !== undefined;
  }
}
