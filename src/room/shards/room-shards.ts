import type { Env } from "../../env";
import { logError } from "../../log-lines";
import type { FanoutShard } from "../../shard/fanout-shard";
import { shardName } from "../../shard/shard-batch";
import type { FrameSink } from "../../shared/held-frames";
import type { LogEntry } from "../history/log-entries";
import type { Connection } from "../../shared/connection";
import { isRemote, type RemoteSocket } from "./remote-socket";
import { ShardDirectory } from "./shard-directory";
import { ShardFanout } from "./shard-fanout";
import { Hook } from "../lifecycle/room-hooks";

/**
 * The room's side of sharded fan-out (docs/sharding.md): where new connections go once the
 * room holds SHARD_CAPACITY itself, who is held where, and the batches that carry stored
 * messages and everything else to the shards. A room that never fills stays on its own: none
 * of this sends anything until a shard holds a connection.
 */
export class RoomShards {
  /** A shard holds fewer connections than the room thought: these are gone. */
  readonly lost = new Hook<RemoteSocket>();
  private readonly directory: ShardDirectory;
  private readonly fanout: ShardFanout;
  private readonly stub: (shard: number) => DurableObjectStub<FanoutShard>;
  /** This wake-up's asking of the shards what they hold (place); every placement waits for it. */
  private checked: Promise<unknown> | undefined;

  constructor(
    sql: SqlStorage,
    env: Env,
    private readonly roomId: () => string | undefined,
    startSeq: number,
  ) {
    this.directory = new ShardDirectory(sql, {
      direct: (shard, conn, frame) => this.fanout.push([shard], { kind: "direct", conn, frame }),
      close: (shard, conn, code, reason) => this.fanout.push([shard], { kind: "close", conn, code, reason }),
      saved: (socket) => {
        this.directory.save(socket);
        const { expiresAt } = socket.deserializeAttachment();
        if (expiresAt !== undefined) this.fanout.push([socket.shard], { kind: "renewed", conn: socket.connId, expiresAt });
      },
    });
    this.stub = (shard: number) => {
      const id = roomId();
      if (id === undefined) throw new Error("a room with shards knows its id");
      return env.SHARDS.get(env.SHARDS.idFromName(shardName(id, shard)));
    };
    this.fanout = new ShardFanout(
      this.stub,
      startSeq,
      // A shard holding fewer than the room counts lost some without telling it.
      (shard, receipt) => void (receipt.open < this.directory.count(shard) && this.check(shard)),
      (shard, error, final) => logError(final ? "room.shard_batch_dropped" : "room.shard_batch_retried", error, { room: roomId(), shard }),
    );
  }

  /**
   * 0 when the room holds the connection itself, else the shard the Worker is to forward it to.
   * A deploy restarts every object and closes every socket without a word from the shards, so
   * after a wake-up the directory may still count connections that are gone; before it places
   * anyone on a shard, the room asks each shard once what it holds, or the returning crowd
   * would be sent to new shards while the old ones stood empty.
   */
  async place(local: number, capacity: number, now: number): Promise<number> {
    if (local < capacity) return 0;
    await (this.checked ??= Promise.all(this.directory.shards().map((shard) => this.check(shard))));
    return this.directory.place(local, capacity, now);
  }

  /** A connection arrived at its shard. */
  joined(shard: number, connection: Connection): RemoteSocket {
    return this.directory.add(shard, connection);
  }

  find(connId: string): RemoteSocket | undefined {
    return this.directory.socket(connId);
  }

  /** Every connection held by shards, for the online index. */
  sockets(): RemoteSocket[] {
    return this.directory.sockets();
  }

  socketsOf(userId: string): RemoteSocket[] {
    return this.directory.size === 0 ? [] : this.directory.socketsOf(userId);
  }

  get connections(): number {
    return this.directory.size;
  }

  /** Forgets a connection the room closed or a shard reported closed; false for the room's own or one already gone. */
  forget(ws: WebSocket | RemoteSocket): boolean {
    return isRemote(ws) && this.directory.remove(ws.connId);
  }

  /**
   * Where the room holds a stored entry's frame until it is durable: one sink that puts it in
   * each shard's next batch, for its audience, except the connection that sent it (it is
   * acknowledged instead). Undefined while no shard holds anyone.
   */
  entrySink(entry: LogEntry, sender?: FrameSink): FrameSink | undefined {
    const shards = this.directory.shards();
    if (shards.length === 0) return undefined;
    const except = sender && isRemote(sender) ? sender.connId : undefined;
    const to = entry.to === undefined ? undefined : [...new Set([entry.to, entry.from.id])];
    return { send: (frame) => this.fanout.entry(shards, { kind: "entry", seq: entry.seq, frame, to, except }) };
  }

  /** A frame about now (presence, typing) for every shard's connections. */
  broadcast(frame: string, except?: WebSocket): void {
    const shards = this.directory.shards();
    if (shards.length === 0) return;
    this.fanout.push(shards, { kind: "live", frame, except: except && isRemote(except) ? except.connId : undefined });
  }

  /**
   * A shard restarted, or closed sockets without telling the room (its reports failed): the
   * connections the room still counts there and the shard no longer holds are gone. A
   * connection being welcomed is among those the shard names, so none is lost on its way in.
   */
  private async check(shard: number): Promise<void> {
    let connections: string[];
    try {
      connections = await this.stub(shard).connections();
    } catch (error) {
      // Unreachable for now: its connections stay counted until a later check.
      return logError("room.shard_check_failed", error, { room: this.roomId(), shard });
    }
    const held = new Set(connections);
    for (const connId of this.directory.connIds(shard)) {
      const socket = this.directory.socket(connId);
      if (socket && !held.has(connId)) this.lost.emit(socket);
    }
  }
}
