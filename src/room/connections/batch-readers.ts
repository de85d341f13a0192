import type { FrameSink } from "../../shared/held-frames";
import type { Connection } from "../../shared/connection";

/**
 * Which of the room's own sockets read `batch` frames, from their attachments, read once per
 * socket per wake-up: asked for every frame of every release, it must not deserialize each
 * time. Anything else a frame can go to (a shard's batch, a connection on a shard) is not a
 * socket of the room's and reads single frames; its shard groups frames itself.
 */
export class BatchReaders {
  private readonly known = new WeakMap<FrameSink, boolean>();

  reads(sink: FrameSink): boolean {
    // A shard's sink is made afresh for every stored entry: remembering it would only churn the map.
    if (!(sink instanceof WebSocket)) return false;
    let reads = this.known.get(sink);
    if (reads === undefined) {
      reads = (sink.deserializeAttachment() as Connection | null)?.batch === true;
      this.known.set(sink, reads);
    }
    return reads;
  }
}
