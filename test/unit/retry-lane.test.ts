import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RetryLane } from "../../src/shared/retry-lane";

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

/** A lane over a queue of numbers, to a destination the test answers. */
function lane(answer: (batch: number[]) => Promise<void>, retryDelaysMs = [10, 20]) {
  const queue: number[] = [];
  const sent: number[][] = [];
  const failures: boolean[] = [];
  const givenUp: number[][] = [];
  const it = new RetryLane<number[]>({
    take: () => (queue.length > 0 ? queue.splice(0) : undefined),
    send: async (batch) => {
      await answer(batch);
      sent.push(batch);
    },
    retryDelaysMs,
    failed: (_error, final) => failures.push(final),
    gaveUp: (batch) => (givenUp.push(batch), true),
  });
  const push = (...items: number[]) => {
    queue.push(...items);
    it.kick();
  };
  return { push, sent, failures, givenUp };
}

describe("a lane to one destination", () => {
  it("sends what one turn queued as one call, and what queued during a call in the next", async () => {
    let release = () => {};
    const { push, sent } = lane(() => new Promise<void>((resolve) => (release = resolve)));
    push(1);
    push(2);
    await vi.advanceTimersByTimeAsync(0);
    push(3);
    push(4);
    release();
    await vi.advanceTimersByTimeAsync(0);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([[1, 2], [3, 4]]);
  });

  it("tries a failed call again before the ones after it, then gives it up", async () => {
    const { push, sent, failures, givenUp } = lane(async (batch) => {
      if (batch.includes(1)) throw new Error("unreachable");
    });
    push(1);
    await vi.advanceTimersByTimeAsync(0);
    push(2);
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(failures).toEqual([false, false, true]);
    expect(givenUp).toEqual([[1]]);
    expect(sent).toEqual([[2]]);
  });
});
