import { describe, expect, it } from "vitest";
import { CHANGE_KINDS, applyChange, parseClientFrame, parseServerFrame, type ChatMessage, type UpdateFrame } from "../../src/protocol";

const from = { id: "g_ada", name: "Ada" };
const message: ChatMessage = { type: "message", seq: 7, id: "m7", from, text: "hello", ts: 1000, reactions: { "👍": { count: 1, mine: false } } };
const base = { type: "update" as const, id: "c1", from, ts: 2000, target: 7 };

describe("the registry of change kinds", () => {
  it("gives every kind an HTTP route of its own", () => {
    const routes = Object.values(CHANGE_KINDS).map(({ route }) => `${route.method} ${route.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it("reads each kind's frame, and refuses a kind it does not declare as an unknown frame", () => {
    expect(parseClientFrame(JSON.stringify({ type: "edit", id: "c1", target: 7, text: "hi" }))).toEqual({ ok: true, value: { type: "edit", id: "c1", target: 7, text: "hi" } });
    expect(parseClientFrame(JSON.stringify({ type: "react", id: "c2", target: 7, emoji: "🎉", on: true }))).toMatchObject({ ok: true });
    expect(parseClientFrame(JSON.stringify({ type: "pin", id: "c3", target: 7 }))).toMatchObject({ ok: false, code: "bad_message", message: 'unknown frame type "pin"' });
  });

  it("takes an update of a known kind from the server, and drops one of a kind it does not know", () => {
    const edit = JSON.stringify({ ...base, seq: 8, kind: "edit", text: "hello!", editedAt: 2000 });
    expect(parseServerFrame(edit)).toMatchObject({ type: "update", kind: "edit" });
    expect(parseServerFrame(JSON.stringify({ ...base, seq: 9, kind: "pin" }))).toBeNull();
  });

  it("applies each kind to a message as the room's own row reads after it", () => {
    const updates: UpdateFrame[] = [
      { ...base, seq: 8, kind: "edit", text: "hello!", editedAt: 2000 },
      { ...base, seq: 9, kind: "react", emoji: "👍", on: true, count: 2 },
      { ...base, seq: 10, kind: "delete" },
    ];
    const [edited, reacted, deleted] = updates.map((update) => applyChange(message, update, from.id));
    expect(edited).toMatchObject({ text: "hello!", editedAt: 2000 });
    expect(reacted!.reactions).toEqual({ "👍": { count: 2, mine: true } });
    expect(deleted).toEqual({ type: "message", seq: 7, id: "m7", from, text: "", ts: 1000, deleted: true });
  });
});
