import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PresenceFrame, UserRef } from "../../src/protocol";
import { OnlineIndex, PRESENCE_DELIVERIES_PER_SECOND, PresenceBatcher, presenceWindowMs } from "../../src/room/connections/presence";
import type { Connection } from "../../src/shared/connection";

const user = (n: number): UserRef => ({ id: `u${n}`, name: `User ${n}` });

describe("how long presence changes are collected", () => {
  it("stays at 50 ms in rooms of a few hundred", () => {
    expect(presenceWindowMs(1)).toBe(50);
    expect(presenceWindowMs(250)).toBe(50);
  });

  it("grows with the room so that one frame a window to everyone online stays within the budget", () => {
    for (const online of [10, 251, 500, 1000, 5000, 25_000]) {
      const deliveriesPerSecond = online * (1000 / presenceWindowMs(online));
      expect(deliveriesPerSecond).toBeLessThanOrEqual(PRESENCE_DELIVERIES_PER_SECOND);
    }
    expect(presenceWindowMs(5000)).toBe(1000);
  });
});

describe("a presence batch", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("announces everyone who came within the window in one frame, when the window closes", () => {
    const frames: PresenceFrame[] = [];
    const batcher = new PresenceBatcher(() => 50, (frame) => frames.push(frame));
    batcher.joined(user(1));
    vi.advanceTimersByTime(30);
    batcher.joined(user(2));
    expect(frames).toEqual([]);
    vi.advanceTimersByTime(20);
    expect(frames).toEqual([{ type: "presence", joined: [user(1), user(2)], left: [] }]);
  });

  it("says nothing of a reload: a leave and a join of the same user within the window", () => {
    const frames: PresenceFrame[] = [];
    const batcher = new PresenceBatcher(() => 50, (frame) => frames.push(frame));
    batcher.left(user(1));
    batcher.joined(user(1));
    vi.advanceTimersByTime(100);
    expect(frames).toEqual([]);
  });

  it("costs a room of 5,000 reconnecting over 10 s about the budget of presence deliveries a second", () => {
    let online = 0;
    let deliveries = 0;
    const batcher = new PresenceBatcher(
      () => presenceWindowMs(online),
      () => (deliveries += online),
    );
    const [members, seconds] = [5000, 10];
    for (let n = 0; n < members; n++) {
      online++;
      batcher.joined(user(n));
      vi.advanceTimersByTime((seconds * 1000) / members);
    }
    vi.advanceTimersByTime(5000);
    // The window is set when a batch opens and the room grows while it is open: about the budget.
    expect(deliveries / seconds).toBeLessThanOrEqual(PRESENCE_DELIVERIES_PER_SECOND * 1.2);
    // In 50 ms batches the same arrival would have cost 500,000 deliveries, 50,000 a second.
    expect(deliveries).toBeLessThan((members * members) / 2 / 5);
  });
});

describe("who is online", () => {
  const connection = (n: number, connId: string, connectedAt: number): Connection => ({
    connId,
    user: user(n),
    connectedAt,
    lastHeardAt: connectedAt,
    strikes: 0,
  });

  it("lists users once each, those online longest first, also when rebuilt from hibernated sockets", () => {
    // Sockets come back from hibernation in no promised order.
    const sockets = [connection(2, "c", 300), connection(1, "a", 100), connection(1, "b", 200)];
    const online = new OnlineIndex(() => sockets.map((attached) => ({ deserializeAttachment: () => attached })));
    expect(online.users(10)).toEqual([
      { user: user(1), since: 100 },
      { user: user(2), since: 300 },
    ]);

    expect(online.add(connection(3, "d", 400))).toBe(true);
    expect(online.users(2).map((u) => u.user.id)).toEqual(["u1", "u2"]);
    expect(online.remove(connection(1, "a", 100))).toBe(false);
    expect(online.remove(connection(1, "b", 200))).toBe(true);
    expect(online.users(10).map((u) => u.user.id)).toEqual(["u2", "u3"]);
  });
});
