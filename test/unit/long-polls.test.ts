import { describe, expect, it } from "vitest";
import { LongPolls } from "../../src/room/connections/long-polls";

const settled = async (promise: Promise<void>) => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setTimeout(resolve, 5));
  return done;
};

describe("long-polls", () => {
  it("wake only the people a message is for", async () => {
    const polls = new LongPolls(5, 100);
    const bob = polls.wait("bob", 10_000)!;
    const carol = polls.wait("carol", 10_000)!;

    polls.wake(["bob", "ada"]);

    expect(await settled(bob)).toBe(true);
    expect(await settled(carol)).toBe(false);
    expect(polls.waiting).toBe(1);
    polls.wake("everyone");
    expect(await settled(carol)).toBe(true);
    expect(polls.waiting).toBe(0);
  });

  it("refuse a user's poll past their cap, and anyone's past the room's", async () => {
    const polls = new LongPolls(2, 3);
    expect(polls.wait("mallory", 10_000)).toBeDefined();
    expect(polls.wait("mallory", 10_000)).toBeDefined();
    expect(polls.wait("mallory", 10_000)).toBeUndefined();
    expect(polls.wait("bob", 10_000)).toBeDefined();
    expect(polls.wait("carol", 10_000)).toBeUndefined();
    polls.wake(["mallory"]);
    expect(polls.waiting).toBe(1);
    expect(polls.wait("carol", 10_000)).toBeDefined();
    polls.wake("everyone");
  });

  it("keep the room's last places for people's first poll, so a few holding all they may leave room for someone new", () => {
    const polls = new LongPolls(5, 20, 2);
    const flood = ["m1", "m2", "m3", "m4"].flatMap((id) => Array.from({ length: 5 }, () => polls.wait(id, 10_000)));
    expect(flood.filter(Boolean)).toHaveLength(18);
    expect(polls.wait("newcomer", 10_000)).toBeDefined();
    expect(polls.wait("another", 10_000)).toBeDefined();
    expect(polls.wait("a third", 10_000)).toBeUndefined();
    polls.wake("everyone");
  });

  it("end by themselves when the wait is over, freeing their place", async () => {
    const polls = new LongPolls(1, 1);
    const poll = polls.wait("bob", 10)!;
    await poll;
    expect(polls.waiting).toBe(0);
    expect(polls.wait("bob", 10)).toBeDefined();
  });
});
