import type { RoomConfig } from "../../config";
import { CloseCode, PROTOCOL, failure, type Failure } from "../../protocol";
import type { AlarmSchedule } from "../../shared/alarm-schedule";
import type { ConnectRequest } from "../../shared/connect-request";
import type { Connection } from "../../shared/connection";
import { trySend } from "../../shared/held-frames";
import { answerClose, isBenignTeardownError } from "../../shared/socket-teardown";
import { StaleSweep, type SweptSocket } from "../../shared/stale-sweep";
import type { RoomNotes } from "../lifecycle/room-notes";
import type { MemberList } from "../membership/member-list";
import type { RoomShards } from "../shards/room-shards";
import { isRemote, type RemoteSocket } from "../shards/remote-socket";
import type { AbusePolicy } from "./abuse-policy";
import { OnlineIndex, PresenceBatcher, presenceWindowMs } from "./presence";

/**
 * The room's connections, wherever they are held (its own hibernatable sockets, and those on
 * fan-out shards): opening and closing them, who is online, presence, frames for everyone, and
 * the sweep of silent ones. Every socket is forgotten through `disconnect`, once, whoever
 * closed it.
 */
export class RoomSockets {
  readonly online: OnlineIndex;
  private readonly presence: PresenceBatcher;
  private readonly sweep: StaleSweep;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly config: RoomConfig,
    private readonly shards: RoomShards,
    private readonly members: MemberList,
    private readonly abuse: AbusePolicy,
    private readonly notes: RoomNotes,
    alarms: AlarmSchedule,
  ) {
    this.online = new OnlineIndex(() => [...ctx.getWebSockets(), ...shards.sockets()]);
    this.presence = new PresenceBatcher(
      () => presenceWindowMs(this.online.size),
      (frame) => this.broadcast(JSON.stringify(frame)),
    );
    this.sweep = alarms.add(new StaleSweep(ctx, alarms, config.staleAfterMs, (swept) => this.closeSwept(swept)));
    shards.lost.on((socket) => this.disconnect(socket));
  }

  /** Caps checked before anything else: one user's tabs, and the room's share of the platform's socket limit. */
  refuse(userId: string): Failure | undefined {
    const { perUser, perRoom } = this.config.sockets;
    if (this.online.connectionsOf(userId) >= perUser) {
      return failure(429, "too_many_connections", `you have ${perUser} connections to this room open; close a tab or window first`);
    }
    if (this.online.connections >= perRoom) return failure(429, "too_many_connections", "this room is full right now; try again later");
    return undefined;
  }

  /** How many connections the room object holds itself (the rest are on shards). */
  get local(): number {
    return this.online.connections - this.shards.connections;
  }

  /**
   * Accepts a connection on one of the room's own sockets and sends it its opening frames.
   * Nothing can run between these sends, so no live message slips in before the history.
   */
  async accept(connect: ConnectRequest, now: number, opening: () => readonly string[]): Promise<Response> {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    const connection: Connection = { connId: crypto.randomUUID(), user: connect.user, connectedAt: now, expiresAt: connect.expiresAt, lastHeardAt: now, strikes: 0 };
    if (connect.batch) connection.batch = true;
    this.ctx.acceptWebSocket(server, [connect.user.id]);
    server.serializeAttachment(connection);
    this.arrived(connection);
    for (const frame of opening()) server.send(frame);
    await this.sweep.schedule();
    const headers = connect.subprotocol ? { "Sec-WebSocket-Protocol": PROTOCOL } : undefined;
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /** A connection the room placed on a shard has arrived there. */
  arrivedOnShard(shard: number, connection: Connection): void {
    this.shards.joined(shard, connection);
    this.arrived(connection);
  }

  /** A frame from one of the room's own sockets; a shard keeps its own sockets' silence. */
  heard(ws: WebSocket, connection: Connection, now: number): void {
    this.sweep.heard(ws, connection, now);
  }

  /** Every open connection of this person, on the room and on its shards. */
  of(userId: string): WebSocket[] {
    return [...this.ctx.getWebSockets(userId), ...this.shards.socketsOf(userId).map((socket) => socket.asWebSocket())];
  }

  /** A frame about now (presence, typing) for everyone, except `except`. */
  broadcast(frame: string, except?: WebSocket): void {
    this.shards.broadcast(frame, except);
    for (const ws of this.ctx.getWebSockets()) if (ws !== except) trySend(ws, frame);
  }

  /** The runtime's close event; one line per connection, at its end (a line at the start too would double a busy room's log). */
  closed(ws: WebSocket, code: number, reason: string): void {
    const connection = ws.deserializeAttachment() as Connection | null;
    const seconds = connection ? Math.round((Date.now() - connection.connectedAt) / 1000) : undefined;
    this.notes.note("room.disconnected", { user: connection?.user.id, code, seconds });
    this.disconnect(ws);
    answerClose(ws, code, reason);
  }

  errored(ws: WebSocket, error: unknown): void {
    if (!isBenignTeardownError(ws, error)) this.notes.error("room.socket_error", error);
    this.disconnect(ws);
  }

  /** Counts a connection as gone (presence, caps, last seen). A second report of the same close changes nothing. */
  disconnect(ws: WebSocket | RemoteSocket): void {
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

  private arrived(connection: Connection): void {
    if (this.online.add(connection)) this.presence.joined(connection.user);
  }

  private closeSwept({ ws, connection, why }: SweptSocket): void {
    try {
      if (why === "expired") ws.close(CloseCode.InvalidToken, "your session expired; sign in again");
      else ws.close(CloseCode.NoHeartbeat, "no heartbeat");
    } catch {
      // Already closing.
    }
    this.notes.note("room.swept", { user: connection.user.id, why });
    this.disconnect(ws);
  }
}
