import type { Connection } from "../shared/connection";

/** What a shard attaches to each socket: the room's connection record, and where the socket belongs. */
export interface ShardConnection extends Connection {
  roomId: string;
  shard: number;
  /** The seq the connection's welcome was at: stored entries up to it came in its history. */
  since: number;
}

/**
 * A shard's sockets and their attachments, kept in a Map that is rebuilt from the runtime's
 * list once per wake-up. Asking the runtime for its sockets on every batch costs a fresh
 * array and an attachment read per socket; a Map walk costs neither (docs/performance.md).
 */
export class ShardSockets {
  private map?: Map<WebSocket, ShardConnection>;
  private readonly conns = new Map<string, WebSocket>();

  constructor(private readonly list: () => WebSocket[]) {}

  add(ws: WebSocket, connection: ShardConnection): void {
    this.load().set(ws, connection);
    this.conns.set(connection.connId, ws);
  }

  /** Forgets a socket; returns its connection the first time only. */
  remove(ws: WebSocket): ShardConnection | undefined {
    const sockets = this.load();
    const connection = sockets.get(ws);
    if (!connection) return undefined;
    sockets.delete(ws);
    this.conns.delete(connection.connId);
    return connection;
  }

  get(ws: WebSocket): ShardConnection | undefined {
    return this.load().get(ws);
  }

  byConn(connId: string): WebSocket | undefined {
    this.load();
    return this.conns.get(connId);
  }

  get size(): number {
    return this.load().size;
  }

  all(): [WebSocket, ShardConnection][] {
    return [...this.load()];
  }

  connIds(): string[] {
    return [...this.load().values()].map((connection) => connection.connId);
  }

  /** The sockets a frame is for: everyone, or the given users' (a direct message); only `only` if given. */
  audience(users: readonly string[] | undefined, only?: WebSocket): Iterable<[WebSocket, ShardConnection]> {
    const sockets = this.load();
    if (only) {
      const connection = sockets.get(only);
      return connection && (!users || users.includes(connection.user.id)) ? [[only, connection]] : [];
    }
    if (!users) return sockets;
    return [...sockets].filter(([, connection]) => users.includes(connection.user.id));
  }

  /** A connection's session was renewed: the sweep reads the new expiry from its attachment. */
  renewed(connId: string, expiresAt: number): void {
    const ws = this.byConn(connId);
    const connection = ws && this.load().get(ws);
    if (!ws || !connection) return;
    connection.expiresAt = expiresAt;
    ws.serializeAttachment(connection);
  }

  private load(): Map<WebSocket, ShardConnection> {
    if (!this.map) {
      this.map = new Map();
      for (const ws of this.list()) {
        const connection = ws.deserializeAttachment() as ShardConnection | null;
        if (!connection) continue;
        this.map.set(ws, connection);
        this.conns.set(connection.connId, ws);
      }
    }
    return this.map;
  }
}
