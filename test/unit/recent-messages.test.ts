import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../../src/protocol";
import { RecentMessages } from "../../src/room/history/recent-messages";

const ada = { id: "g_ada", name: "Ada" };
const bob = { id: "g_bob", name: "Bob" };

function message(seq: number, text = `message ${seq}`, to?: string, from = ada): ChatMessage {
  const m: ChatMessage = { type: "message", seq, id: `m${seq}`, from, text, ts: 1000 + seq };
  if (to !== undefined) m.to = to;
  return m;
}

/** Messages 1..n, oldest first. */
const upTo = (n: number) => Array.from({ length: n }, (_, i) => message(i + 1));
const seqs = (page: { messages: ChatMessage[] } | undefined) => page?.messages.map((m) => m.seq);

describe("the window of recent messages a returning client is answered from", () => {
  it("answers nothing until it has been filled from storage", () => {
    const recent = new RecentMessages(10, 10_000);
    recent.add(message(1));
    expect(recent.after(ada.id, 0, 10)).toBeUndefined();
  });

  it("holds a whole room smaller than itself, and follows each message stored after", () => {
    const recent = new RecentMessages(10, 10_000);
    recent.fill(upTo(3));
    recent.add(message(4));
    expect(recent.after(ada.id, 0, 10)).toEqual({ messages: [1, 2, 3, 4].map((seq) => message(seq)), updates: [], more: false });
    expect(seqs(recent.after(ada.id, 3, 10))).toEqual([4]);
    expect(recent.after(ada.id, 4, 10)).toEqual({ messages: [], updates: [], more: false });
  });

  it("gives the oldest messages after the resume point first, and says when there are more", () => {
    const recent = new RecentMessages(10, 10_000);
    recent.fill(upTo(8));
    expect(recent.after(ada.id, 2, 3)).toEqual({ messages: [3, 4, 5].map((seq) => message(seq)), updates: [], more: true });
    expect(recent.after(ada.id, 5, 3)).toEqual({ messages: [6, 7, 8].map((seq) => message(seq)), updates: [], more: false });
  });

  it("sends a resume from further back than it reaches to storage", () => {
    const recent = new RecentMessages(5, 10_000);
    // The room holds 1..9; storage gives the window the newest 6, one more than it holds.
    recent.fill(upTo(9).slice(3));
    expect(recent.after(ada.id, 0, 10)).toBeUndefined();
    expect(recent.after(ada.id, 3, 10)).toBeUndefined();
    expect(seqs(recent.after(ada.id, 4, 10))).toEqual([5, 6, 7, 8, 9]);
    recent.add(message(10));
    recent.add(message(11));
    expect(recent.after(ada.id, 5, 10)).toBeUndefined();
    expect(seqs(recent.after(ada.id, 6, 10))).toEqual([7, 8, 9, 10, 11]);
  });

  it("keeps to its character budget, letting the oldest go first", () => {
    const recent = new RecentMessages(100, 25);
    recent.fill([message(1, "x".repeat(10)), message(2, "x".repeat(10)), message(3, "x".repeat(10))]);
    expect(recent.after(ada.id, 1, 10)?.messages.map((m) => m.seq)).toEqual([2, 3]);
    expect(recent.after(ada.id, 0, 10)).toBeUndefined();
    recent.add(message(4, "x".repeat(20)));
    expect(seqs(recent.after(ada.id, 3, 10))).toEqual([4]);
    expect(recent.after(ada.id, 2, 10)).toBeUndefined();
  });

  it("shows a direct message only to the two people in it", () => {
    const recent = new RecentMessages(10, 10_000);
    recent.fill([]);
    recent.add(message(1, "for everyone"));
    recent.add(message(2, "just for Bob", bob.id));
    recent.add(message(3, "Bob to Ada", ada.id, bob));
    expect(seqs(recent.after(ada.id, 0, 10))).toEqual([1, 2, 3]);
    expect(seqs(recent.after(bob.id, 0, 10))).toEqual([1, 2, 3]);
    expect(seqs(recent.after("g_carol", 0, 10))).toEqual([1]);
    // A page counts only what the viewer may see.
    expect(recent.after("g_carol", 0, 1)).toEqual({ messages: [message(1, "for everyone")], updates: [], more: false });
  });
});
