import type { Connection } from "../../shared/connection";
import type { FrameSink } from "../../shared/held-frames";

/** Where a remote socket's sends and closes go: the fan-out toward its shard (shard-fanout.ts). */
export interface ShardOutlet {
  direct(shard: number, conn: string, frame: string): void;
  close(shard: number, conn: string, code: number, reason: string): void;
  /** The connection's attachment changed (strikes, a renewed session): keep it. */
  saved(socket: RemoteSocket): void;
}

/**
 * A connection held by a fan-out shard, as the room sees it. It answers the part of the
 * WebSocket interface the room uses on its own sockets (send, close, readyState, the
 * attachment), so acks, errors, strikes, mutes and removals work the same wherever a
 * connection is held: what the room sends it travels to its shard in the next batch.
 */
export class RemoteSocket {
  readyState: number = WebSocket.OPEN;

  constructor(
    readonly shard: number,
    private connection: Connection,
    private readonly outlet: ShardOutlet,
  ) {}

  get connId(): string {
    return this.connection.connId;
  }

  send(frame: string): void {
    if (this.readyState !== WebSocket.OPEN) throw new TypeError("the connection is closed");
    this.outlet.direct(this.shard, this.connId, frame);
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState !== WebSocket.OPEN) return;
    this.readyState = WebSocket.CLOSING;
    this.outlet.close(this.shard, this.connId, code, reason);
  }

  deserializeAttachment(): Connection {
    return this.connection;
  }

  serializeAttachment(connection: Connection): void {
    this.connection = connection;
    this.outlet.saved(this);
  }

  /** The room treats it as one of its own sockets; only the members above are ever used. */
  asWebSocket(): WebSocket {
    return this as unknown as WebSocket;
  }
}

export function isRemote(ws: FrameSink): ws is RemoteSocket {
  return ws instanceof RemoteSocket;
}
