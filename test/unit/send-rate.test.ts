import { describe, expect, it } from "vitest";
import { SendRate } from "../../src/room/history/send-rate";

const limits = { messages: 20, windowMs: 10_000, newcomers: { ageMs: 60_000, messages: 20, each: 5 } };
/** A room with nothing stored yet, where everyone joined at 0 and only `owners` are owners. */
function room(owners: string[] = [], newcomers = limits.newcomers) {
  const log = { sendTimes: () => [] };
  return new SendRate(log, { ...limits, newcomers }, () => 0, (id) => owners.includes(id));
}

/** Sends as many as the rate lets through, one a millisecond from `at`; how many went. */
function flood(rate: SendRate, userId: string, tries: number, at: number): number {
  let sent = 0;
  for (let n = 0; n < tries; n++) {
    if (rate.retryAfter(userId, at + n).waitMs > 0) continue;
    rate.record(userId, at + n);
    sent++;
  }
  return sent;
}

describe("the newcomers' shared budget", () => {
  it("cuts one flooding newcomer off at their share, and the other newcomers still speak", () => {
    const rate = room();
    expect(flood(rate, "g_flooder", 20, 1000)).toBe(5);
    const refusal = rate.retryAfter("g_flooder", 1100);
    expect(refusal.newcomer).toBe(true);
    expect(refusal.waitMs).toBe(10_000 - 100);
    expect(flood(rate, "g_second", 5, 1200)).toBe(5);
    expect(flood(rate, "g_third", 5, 1300)).toBe(5);
  });

  it("still holds the room's newcomers together to the pool", () => {
    const rate = room();
    const sent = ["a", "b", "c", "d", "e", "f"].map((id, i) => flood(rate, `g_${id}`, 5, 1000 + i * 10));
    expect(sent).toEqual([5, 5, 5, 5, 0, 0]);
  });

  it("never counts a room's owner as a newcomer, in the room they just made either", () => {
    // A pool smaller than one person's own limit: a newcomer would be held to it.
    const rate = room(["g_owner"], { ageMs: 60_000, messages: 10, each: 10 });
    expect(flood(rate, "g_owner", 20, 1000)).toBe(20);
    expect(flood(rate, "g_guest", 20, 1000)).toBe(10);
  });
});
