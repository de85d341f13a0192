import { describe, expect, it } from "vitest";
import { Conversation } from "../../src/client/conversation";
import type { ChatMessage, UpdateFrame } from "../../src/protocol";

const ADA = { id: "g_ada", name: "Ada" };
const BOB = { id: "g_bob", name: "Bob" };

function message(seq: number, text: string, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { type: "message", seq, id: `m${seq}`, from: ADA, text, ts: seq, ...extra };
}

function update(seq: number, target: number, change: Record<string, unknown>, from = ADA): UpdateFrame {
  return { type: "update", seq, id: `u${seq}`, from, ts: 100 + seq, target, ...change } as UpdateFrame;
}

describe("a reader's conversation", () => {
  it("applies an edit to the message and to the quote of every reply to it", () => {
    const conversation = new Conversation(BOB.id);
    conversation.page([message(1, "teh plan"), message(2, "agreed", { from: BOB, replyTo: { seq: 1, from: ADA, text: "teh plan" } })]);
    expect(conversation.update(update(3, 1, { kind: "edit", text: "the plan", editedAt: 103 }))).toHaveLength(2);
    expect(conversation.list()).toEqual([
      message(1, "the plan", { editedAt: 103 }),
      message(2, "agreed", { from: BOB, replyTo: { seq: 1, from: ADA, text: "the plan" } }),
    ]);
  });

  it("turns a deleted message into the tombstone storage keeps, and its quotes into 'deleted'", () => {
    const conversation = new Conversation(BOB.id);
    conversation.page(
      [message(1, "oops", { to: BOB.id, editedAt: 5, reactions: { "👍": { count: 1, mine: true } } }), message(2, "?", { replyTo: { seq: 1, from: ADA, text: "oops" } })],
      [update(3, 1, { kind: "delete" })],
    );
    expect(conversation.list()).toEqual([
      { type: "message", seq: 1, id: "m1", from: ADA, text: "", ts: 1, to: BOB.id, deleted: true },
      message(2, "?", { replyTo: { seq: 1, from: ADA, text: "", deleted: true } }),
    ]);
  });

  it.each([
    ["someone else's reaction keeps the reader's own mark", [{ emoji: "👍", on: true, count: 1, from: BOB }, { emoji: "👍", on: true, count: 2, from: ADA }], { "👍": { count: 2, mine: true } }],
    ["the reader taking theirs back clears the mark", [{ emoji: "👍", on: true, count: 1, from: BOB }, { emoji: "👍", on: false, count: 0, from: BOB }], undefined],
    ["a count of zero removes the emoji", [{ emoji: "🎉", on: true, count: 1, from: ADA }, { emoji: "🎉", on: false, count: 0, from: ADA }], undefined],
  ])("counts reactions: %s", (_, reactions, expected) => {
    const conversation = new Conversation(BOB.id);
    conversation.message(message(1, "ship it"));
    reactions.forEach(({ from, ...change }, n) => conversation.update(update(2 + n, 1, { kind: "react", ...change }, from)));
    expect(conversation.get(1)!.reactions).toEqual(expected);
  });

  it("ignores a change to a message it never had", () => {
    const conversation = new Conversation(BOB.id);
    expect(conversation.update(update(9, 4, { kind: "delete" }))).toEqual([]);
    expect(conversation.list()).toEqual([]);
  });
});
