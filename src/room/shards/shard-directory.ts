import type { Connection } from "../../shared/connection";
import { RemoteSocket, type ShardOutlet } from "./remote-socket";

/** A place promised to a connection on its way to a shard is given back if it has not arrived by then. */
const RESERVATION_MS = 30_000;

/**
 * The connections held by the room's fan-out shards: which shard holds each, and its
 * attachment. Kept in SQLite so the room knows who is online and where after it wakes from
 * hibernation without waking every shard to ask; read into memory once per wake-up.
 */
export class ShardDirectory {
  private byConn?: Map<string, RemoteSocket>;
  private readonly counts = new Map<number, number>();
  private holding: number[] | undefined;
  /** Places promised to connections the Worker is forwarding to a shard: shard -> times promised. */
  private readonly reserved = new Map<number, number[]>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly outlet: ShardOutlet,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS shard_connections (
      conn_id TEXT PRIMARY KEY,
      shard INTEGER NOT NULL,
      user_id TEXT NOT NULL,
      attachment TEXT NOT NULL
    )`);
  }

  /**
   * The shard a new connection goes to, given that the room holds `local` connections itself:
   * 0 for the room (below capacity nothing changes), else the first shard with a free place.
   * Filling shards in order keeps a room on as few objects as its crowd needs.
   */
  place(local: number, capacity: number, now: number): number {
    if (local < capacity) return 0;
    this.load();
    for (let shard = 1; ; shard++) {
      const promised = this.promised(shard, now);
      if ((this.counts.get(shard) ?? 0) + promised.length < capacity) {
        promised.push(now);
        return shard;
      }
    }
  }

  /** A connection arrived at its shard: it is the room's to answer, through a RemoteSocket. */
  add(shard: number, connection: Connection): RemoteSocket {
    const sockets = this.load();
    this.promised(shard, Date.now()).shift();
    const socket = new RemoteSocket(shard, connection, this.outlet);
    sockets.set(connection.connId, socket);
    this.counts.set(shard, (this.counts.get(shard) ?? 0) + 1);
    this.holding = undefined;
    this.sql.exec(
      "INSERT OR REPLACE INTO shard_connections (conn_id, shard, user_id, attachment) VALUES (?, ?, ?, ?)",
      connection.connId,
      shard,
      connection.user.id,
      JSON.stringify(connection),
    );
    return socket;
  }

  /** Forgets a connection; false if it was not known (closed already, or reported twice). */
  remove(connId: string): boolean {
    const sockets = this.load();
    const socket = sockets.get(connId);
    if (!socket) return false;
    sockets.delete(connId);
    socket.readyState = WebSocket.CLOSED;
    this.counts.set(socket.shard, (this.counts.get(socket.shard) ?? 1) - 1);
    this.holding = undefined;
    this.sql.exec("DELETE FROM shard_connections WHERE conn_id = ?", connId);
    return true;
  }

  save(socket: RemoteSocket): void {
    this.sql.exec("UPDATE shard_connections SET attachment = ? WHERE conn_id = ?", JSON.stringify(socket.deserializeAttachment()), socket.connId);
  }

  socket(connId: string): RemoteSocket | undefined {
    return this.load().get(connId);
  }

  /** Every connection the shards hold. */
  sockets(): RemoteSocket[] {
    return [...this.load().values()];
  }

  /** A user's connections on the shards (the room's own are found by tag). */
  socketsOf(userId: string): RemoteSocket[] {
    return this.sockets().filter((socket) => socket.deserializeAttachment().user.id === userId);
  }

  /** The shards holding at least one connection: those a stored message must reach. Read per message, so kept until a count changes. */
  shards(): readonly number[] {
    this.load();
    this.holding ??= [...this.counts].filter(([, count]) => count > 0).map(([shard]) => shard);
    return this.holding;
  }

  get size(): number {
    return this.load().size;
  }

  count(shard: number): number {
    this.load();
    return this.counts.get(shard) ?? 0;
  }

  /** Connections on `shard` the room knows of: to check against what the shard holds (ShardFanout.reconcile). */
  connIds(shard: number): string[] {
    return this.sockets()
      .filter((socket) => socket.shard === shard)
      .map((socket) => socket.connId);
  }

  private promised(shard: number, now: number): number[] {
    const times = (this.reserved.get(shard) ?? []).filter((at) => now - at < RESERVATION_MS);
    this.reserved.set(shard, times);
    return times;
  }

  private load(): Map<string, RemoteSocket> {
    if (!this.byConn) {
      this.byConn = new Map();
      this.counts.clear();
      for (const row of this.sql.exec<{ shard: number; attachment: string }>("SELECT shard, attachment FROM shard_connections")) {
        const connection = JSON.parse(row.attachment) as Connection;
        this.byConn.set(connection.connId, new RemoteSocket(row.shard, connection, this.outlet));
        this.counts.set(row.shard, (this.counts.get(row.shard) ?? 0) + 1);
      }
    }
    return this.byConn;
  }
}
