import { DurableObject } from "cloudflare:workers";
import { readRoomConfig } from "../config";
import type { Env } from "../env";
import { logError, logEvent } from "../log-lines";
import { CloseCode, PING, PONG, PROTOCOL } from "../protocol";
import { refuseEntry, refuseWebSocket } from "../shared/refused-socket";
import { fromConnectRequest } from "../shared/connect-request";
import { batchOf, trySend } from "../shared/held-frames";
import type { Connection } from "../shared/connection";
import { answerClose, isBenignTeardownError } from "../shared/socket-teardown";
import { AlarmSchedule } from "../shared/alarm-schedule";
import { StaleSweep } from "../shared/stale-sweep";
import { ShardSockets, type ShardConnection } from "./shard-sockets";
import type { ShardBatch, ShardOp, ShardReceipt } from "./shard-batch";

/**
 * One fan-out shard of a large room: it holds up to SHARD_CAPACITY of the room's connections
 * and nothing else. The room stays the only place anything is decided or stored; a shard
 * passes what its clients send to the room, and delivers what the room sends it, one call per
 * batch however many sockets it holds (docs/sharding.md).
 *
 * Its sockets are hibernatable, as the room's are, and pings are answered without waking it.
 * What it keeps in memory is rebuilt from the sockets after a wake-up, except where the last
 * batch ended, which a woken shard simply learns again from the next one.
 */
export class FanoutShard extends DurableObject<Env> {
  private readonly sockets: ShardSockets;
  private readonly alarms: AlarmSchedule;
  private readonly sweep: StaleSweep;
  /** The seq the last batch ended at; unknown after a wake-up until the next batch. */
  private through: number | undefined;
  /** Connections the room is still welcoming, and what arrived for them meanwhile. */
  private readonly joining = new Map<string, ShardOp[]>();
  /** Frames of the batch being delivered, per socket that reads `batch` frames (send, flush). */
  private readonly outbox = new Map<WebSocket, string[]>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    this.sockets = new ShardSockets(() => ctx.getWebSockets());
    this.alarms = new AlarmSchedule(ctx.storage);
    // Connections gone silent or expired are closed as the room closes its own.
    this.sweep = this.alarms.add(
      new StaleSweep(ctx, this.alarms, readRoomConfig(env).staleAfterMs, async ({ ws, why }) => {
        if (why === "expired") this.close(ws, CloseCode.InvalidToken, "your session expired; sign in again");
        else this.close(ws, CloseCode.NoHeartbeat, "no heartbeat");
        await this.left(ws);
      }),
    );
  }

  /**
   * Accepts a connection the room placed here. The room welcomes it (and may still refuse it,
   * if the person was banned meanwhile); what the room sends while the welcome is on its way
   * is kept and handed over after it, minus what the welcome's history already holds.
   */
  override async fetch(request: Request): Promise<Response> {
    const connect = fromConnectRequest(request);
    if (!connect || connect.shard === undefined) return new Response("expected a WebSocket upgrade placed by the room", { status: 400 });
    const now = Date.now();
    const connection: Connection = { connId: crypto.randomUUID(), user: connect.user, connectedAt: now, expiresAt: connect.expiresAt, lastHeardAt: now, strikes: 0 };
    if (connect.batch) connection.batch = true;
    this.joining.set(connection.connId, []);
    const welcome = await this.room(connect.roomId)
      .shardJoined(connect.shard, connect, connection)
      .catch((error: unknown) => logError("shard.join_failed", error, { room: connect.roomId, shard: connect.shard }));
    const arrived = this.joining.get(connection.connId) ?? [];
    this.joining.delete(connection.connId);
    // 1011 is not final: the client reconnects, by way of the room, as after any drop.
    if (!welcome) return refuseWebSocket(1011, { type: "error", code: "internal", message: "the room could not be reached; reconnecting" }, connect.subprotocol);
    if (!welcome.ok) return refuseEntry(welcome, connect.subprotocol);

    // Alone here, the connection's welcome is where this shard's batches now begin. Asked before
    // accepting it: once accepted, the runtime's list (which the map is built from) holds it.
    if (this.sockets.size === 0) this.through = welcome.seq;
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    const held: ShardConnection = { ...connection, roomId: connect.roomId, shard: connect.shard, since: welcome.seq };
    this.ctx.acceptWebSocket(server, [connect.user.id]);
    server.serializeAttachment(held);
    this.sockets.add(server, held);
    for (const frame of welcome.frames) server.send(frame);
    for (const op of arrived) this.apply(op, server);
    this.flush();

    await this.sweep.schedule();
    const headers = connect.subprotocol ? { "Sec-WebSocket-Protocol": PROTOCOL } : undefined;
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  /** The room's batch for this shard's connections (shard-batch.ts). */
  async deliver(batch: ShardBatch): Promise<ShardReceipt> {
    for (const ops of this.joining.values()) ops.push(...batch.ops);
    const missed = this.through !== undefined && batch.after > this.through;
    if (missed || batch.catchUp) this.catchUp(missed ? "missed" : "room");
    else for (const op of batch.ops) this.apply(op);
    this.flush();
    this.through = Math.max(this.through ?? batch.through, batch.through);
    // Those being welcomed count: the room already lists them, and a lower count makes it check.
    return { open: this.sockets.size + this.joining.size };
  }

  /** The connections held here or being welcomed, for the room to forget those it was never told closed. */
  async connections(): Promise<string[]> {
    return [...this.sockets.connIds(), ...this.joining.keys()];
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (ws.readyState !== WebSocket.OPEN) return;
    const connection = this.sockets.get(ws);
    if (!connection) return;
    this.sweep.heard(ws, connection, Date.now());
    try {
      const known = await this.room(connection.roomId).shardFrame(connection.connId, data);
      // The room has no record of it (it lost track after a fault): a fresh connection will have one.
      if (!known) this.close(ws, CloseCode.CatchUp, "the room lost this connection; reconnecting");
    } catch (error) {
      logError("shard.forward_failed", error, { room: connection.roomId, shard: connection.shard, user: connection.user.id });
      trySend(ws, JSON.stringify({ type: "error", code: "internal", message: "the room could not be reached; send it again" }));
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    answerClose(ws, code, reason);
    await this.left(ws);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    const connection = this.sockets.get(ws);
    if (!isBenignTeardownError(ws, error)) logError("shard.socket_error", error, { room: connection?.roomId, shard: connection?.shard });
    await this.left(ws);
  }

  override async alarm(): Promise<void> {
    await this.alarms.run(Date.now());
  }

  /** Applies one op to every connection it is for, or only to `only` (a connection just welcomed). */
  private apply(op: ShardOp, only?: WebSocket): void {
    switch (op.kind) {
      case "entry":
        if (!only && this.through !== undefined && op.seq <= this.through) return;
        for (const [ws, connection] of this.sockets.audience(op.to, only)) {
          if (op.seq > connection.since && connection.connId !== op.except) this.send(ws, connection, op.frame);
        }
        return;
      case "live":
        for (const [ws, connection] of this.sockets.audience(undefined, only)) if (connection.connId !== op.except) this.send(ws, connection, op.frame);
        return;
      case "direct": {
        const ws = this.sockets.byConn(op.conn);
        const connection = ws && this.sockets.get(ws);
        if (ws && connection && (!only || ws === only)) this.send(ws, connection, op.frame);
        return;
      }
      case "close": {
        const ws = this.sockets.byConn(op.conn);
        if (!ws || (only && ws !== only)) return;
        // What was meant for it before the close goes first.
        this.flush();
        this.close(ws, op.code, op.reason);
        return;
      }
      case "renewed":
        this.sockets.renewed(op.conn, op.expiresAt);
        return;
    }
  }

  /** A frame for one socket: at once, or, for a client that reads batches, with the rest of this batch's frames for it (flush). */
  private send(ws: WebSocket, connection: ShardConnection, frame: string): void {
    if (!connection.batch) return trySend(ws, frame);
    const list = this.outbox.get(ws);
    if (list) list.push(frame);
    else this.outbox.set(ws, [frame]);
  }

  private flush(): void {
    for (const [ws, frames] of this.outbox) trySend(ws, batchOf(frames));
    this.outbox.clear();
  }

  /**
   * Something this shard's connections should have had never came: each must reconnect and
   * resume from the last seq it saw, which the room answers exactly. Their clients reconnect
   * with jitter, so the room is not hit by all of them in one instant.
   */
  private catchUp(why: "missed" | "room"): void {
    const all = this.sockets.all();
    logEvent("shard.catch_up", { why, connections: all.length });
    const reason = "missed messages; reconnect and resume";
    for (const [ws] of all) this.close(ws, CloseCode.CatchUp, reason);
    // Those still being welcomed may have missed it too: they close as soon as they open.
    for (const [conn, ops] of this.joining) ops.push({ kind: "close", conn, code: CloseCode.CatchUp, reason });
  }

  private close(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  /** A connection is gone: the room counts its person as gone if it was their last one. */
  private async left(ws: WebSocket): Promise<void> {
    const connection = this.sockets.remove(ws);
    if (!connection) return;
    try {
      await this.room(connection.roomId).shardLeft([connection.connId]);
    } catch (error) {
      // The room will find out when it next checks what this shard holds (ShardFanout receipts).
      logError("shard.leave_failed", error, { room: connection.roomId, shard: connection.shard });
    }
  }

  private room(roomId: string) {
    return this.env.ROOMS.get(this.env.ROOMS.idFromName(roomId));
  }
}
