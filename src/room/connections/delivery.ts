import { HeldFrames, type FrameSink } from "../../shared/held-frames";
import type { LogEntry } from "../history/log-entries";
import type { RoomHooks, StoredEntry } from "../lifecycle/room-hooks";
import type { RoomNotes } from "../lifecycle/room-notes";
import type { RoomShards } from "../shards/room-shards";
import { BatchReaders } from "./batch-readers";
import type { LongPolls } from "./long-polls";

/**
 * Takes every stored entry to whoever may see it, and tells the `durable` listeners once it is
 * on disk. Frames about stored entries (deliveries and acks) are held until the writes before
 * them are durable (held-frames.ts); `release` ends a group of writes.
 */
export class Delivery {
  private readonly held: HeldFrames;
  /** Entries stored since the last release, for the `durable` listeners. */
  private entries: LogEntry[] = [];

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly shards: RoomShards,
    private readonly polls: LongPolls,
    private readonly hooks: RoomHooks,
    notes: RoomNotes,
  ) {
    const readers = new BatchReaders();
    this.held = new HeldFrames(
      () => ctx.storage.sync(),
      (error) => notes.error("room.write_failed", error),
      (sink) => readers.reads(sink),
    );
    hooks.stored.on((stored) => this.deliver(stored));
  }

  /** An ack, sent with the frames of the same write once it is durable. */
  acknowledge(ws: FrameSink, frame: string): void {
    this.held.hold(ws, frame);
  }

  /** Sends what the writes so far hold once they are durable, then tells the `durable` listeners. */
  release(): void {
    const entries = this.entries;
    this.entries = [];
    this.held.releaseWhenDurable(entries.length > 0 ? () => this.hooks.durable.emit(entries) : undefined);
  }

  /**
   * Queues a stored entry for everyone who may see it, except the connection that sent it (it
   * gets the ack). The recipients are the sockets open now: one that opens before the entry
   * goes out finds it in its history instead, so nobody gets it twice.
   */
  private deliver({ entry, origin }: StoredEntry): void {
    this.entries.push(entry);
    this.polls.wake(entry.to === undefined ? "everyone" : [entry.to, entry.from.id]);
    const frame = JSON.stringify(entry);
    const shards = this.shards.entrySink(entry, origin);
    if (shards) this.held.hold(shards, frame);
    if (entry.to === undefined) return this.held.hold(this.ctx.getWebSockets(), frame, origin);
    const recipients = this.ctx.getWebSockets(entry.to);
    if (entry.to !== entry.from.id) recipients.push(...this.ctx.getWebSockets(entry.from.id));
    this.held.hold(recipients, frame, origin);
  }
}
