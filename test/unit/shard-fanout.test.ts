import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ShardFanout } from "../../src/room/shards/shard-fanout";
import type { ShardBatch, ShardOp } from "../../src/shard/shard-batch";

type Entry = Extract<ShardOp, { kind: "entry" }>;
const entry = (seq: number): Entry => ({ kind: "entry", seq, frame: `{"seq":${seq}}` });

/** A room's fan-out to shards whose `deliver` the test answers: at once, later, or with a failure. */
function fanout(answer: (shard: number, batch: ShardBatch) => Promise<void> = async () => {}) {
  const received = new Map<number, ShardBatch[]>();
  const failures: { shard: number; final: boolean }[] = [];
  const room = new ShardFanout(
    (shard) =>
      ({
        deliver: async (batch: ShardBatch) => {
          await answer(shard, batch);
          received.set(shard, [...(received.get(shard) ?? []), batch]);
          return { open: 1 };
        },
      }) as never,
    10,
    () => {},
    (shard, _error, final) => failures.push({ shard, final }),
  );
  return { room, received, failures, of: (shard: number) => received.get(shard) ?? [] };
}

/** Lets queued microtasks and settled promises run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe("a room's batches to its shards", () => {
  it("sends what one turn stored to each shard in one call, chained from where the room woke", async () => {
    const { room, of } = fanout();
    room.entry([1, 2], entry(11));
    room.entry([1, 2], entry(12));
    await settle();
    for (const shard of [1, 2]) expect(of(shard)).toEqual([{ after: 10, through: 12, ops: [entry(11), entry(12)] }]);

    room.entry([1], entry(13));
    room.push([1], { kind: "live", frame: "typing" });
    await settle();
    expect(of(1)[1]).toEqual({ after: 12, through: 13, ops: [entry(13), { kind: "live", frame: "typing" }] });
    expect(of(2)).toHaveLength(1);
  });

  it("puts what queues while a call is under way into the next call, in order, rather than a call each", async () => {
    let release!: () => void;
    let held = true;
    const { room, of } = fanout(() => (held ? new Promise((resolve) => (release = () => ((held = false), resolve()))) : Promise.resolve()));
    room.entry([1], entry(11));
    await settle();
    for (const seq of [12, 13, 14]) room.entry([1], entry(seq));
    await settle();
    expect(of(1)).toEqual([]);
    release();
    await settle();
    expect(of(1)).toEqual([
      { after: 10, through: 11, ops: [entry(11)] },
      { after: 11, through: 14, ops: [entry(12), entry(13), entry(14)] },
    ]);
  });

  it("tries a failed call again before anything after it, while other shards go on", async () => {
    let failing = 2;
    const { room, of, failures } = fanout(async (shard) => {
      if (shard === 1 && failing-- > 0) throw new Error("overloaded");
    });
    room.entry([1, 2], entry(11));
    await settle();
    room.entry([1, 2], entry(12));
    await settle();
    expect(of(2).map((b) => b.through)).toEqual([11, 12]);
    expect(of(1)).toEqual([]);

    await vi.advanceTimersByTimeAsync(50 + 250);
    expect(of(1)).toEqual([
      { after: 10, through: 11, ops: [entry(11)] },
      { after: 11, through: 12, ops: [entry(12)] },
    ]);
    expect(failures).toEqual([{ shard: 1, final: false }, { shard: 1, final: false }]);
  });

  it("gives a batch up after the last retry and tells the shard at once that its connections must catch up", async () => {
    let failing = 4;
    const { room, of, failures } = fanout(async () => {
      if (failing-- > 0) throw new Error("down");
    });
    room.entry([1], entry(11));
    await vi.advanceTimersByTimeAsync(50 + 250 + 1000);
    expect(failures.map((f) => f.final)).toEqual([false, false, false, true]);
    // The lost batch's seqs are skipped, never resent: the clients resume them from the room.
    expect(of(1)).toEqual([{ after: 11, through: 11, ops: [], catchUp: true }]);

    room.entry([1], entry(12));
    await settle();
    expect(of(1)[1]).toEqual({ after: 11, through: 12, ops: [entry(12)] });
  });
});
