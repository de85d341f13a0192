import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ChatMessage, MessagesPage, PostedMessage } from "../../src/protocol";
import { api, connect, newRoom, newUser } from "./helpers";

async function page(user: { token: string }, room: string, query = ""): Promise<MessagesPage> {
  const response = await api(user, `/api/rooms/${room}/messages${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as MessagesPage;
}

describe("editing a message", () => {
  it("changes it for everyone, live and in history, and only its author may", async () => {
    const room = newRoom("edit");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    const a = await connect(room, ada);
    const b = await connect(room, bob);
    a.send({ type: "send", id: "m1", text: "teh plan" });
    await a.next("ack");

    a.send({ type: "edit", id: "e1", target: 1, text: "the plan" });
    expect(await a.next("ack")).toMatchObject({ id: "e1", seq: 2 });
    const update = await b.next("update");
    expect(update).toMatchObject({ seq: 2, target: 1, kind: "edit", text: "the plan", from: { id: ada.id } });
    // A retransmit is applied once and answered with the same ack.
    a.send({ type: "edit", id: "e1", target: 1, text: "the plan" });
    expect(await a.next("ack")).toMatchObject({ id: "e1", seq: 2 });
    expect(await b.quietFor("update", 200)).toEqual([]);

    b.send({ type: "edit", id: "x1", target: 1, text: "hijacked" });
    expect(await b.next("error")).toMatchObject({ id: "x1", code: "forbidden", message: "only its author can edit a message" });
    const history = await page(bob, room);
    expect(history.messages).toEqual([expect.objectContaining({ seq: 1, text: "the plan", editedAt: update.ts })]);
  });
});

describe("deleting a message", () => {
  it("leaves a tombstone everywhere and no trace of its text in storage", async () => {
    const room = newRoom("delete");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    const a = await connect(room, ada);
    const b = await connect(room, bob);
    a.send({ type: "send", id: "m1", text: "my secret password is hunter2" });
    await a.next("ack");
    a.send({ type: "edit", id: "e1", target: 1, text: "my secret password is swordfish" });
    await a.next("ack");
    b.send({ type: "react", id: "r1", target: 1, emoji: "😮", on: true });
    await b.next("ack");

    b.send({ type: "delete", id: "d0", target: 1 });
    expect(await b.next("error")).toMatchObject({ code: "forbidden" });
    a.send({ type: "delete", id: "d1", target: 1 });
    expect(await a.next("ack")).toMatchObject({ id: "d1", seq: 4 });
    expect(await b.next("update", (u) => u.kind === "delete")).toMatchObject({ target: 1, seq: 4 });

    const tombstone = (await page(bob, room)).messages[0]!;
    expect(tombstone).toEqual({ type: "message", seq: 1, id: "m1", from: { id: ada.id, name: "Ada" }, text: "", ts: tombstone.ts, deleted: true });
    a.send({ type: "edit", id: "e2", target: 1, text: "back again" });
    expect(await a.next("error")).toMatchObject({ code: "not_found", message: "that message was deleted" });

    const stored = await runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(room)), (_, state) => {
      const everything: string[] = [];
      for (const table of ["messages", "reactions"]) {
        for (const row of state.storage.sql.exec(`SELECT * FROM ${table}`)) everything.push(JSON.stringify(row));
      }
      return everything.join("\n");
    });
    expect(stored).not.toMatch(/hunter2|swordfish|password/);
  });
});

describe("reactions", () => {
  it("count per emoji with the reader's own marked, change nothing when repeated, and are capped per message", async () => {
    const room = newRoom("react");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    const a = await connect(room, ada);
    const b = await connect(room, bob);
    a.send({ type: "send", id: "m1", text: "ship it?" });
    await a.next("ack");

    a.send({ type: "react", id: "r1", target: 1, emoji: "👍", on: true });
    expect(await a.next("ack")).toMatchObject({ seq: 2 });
    expect(await b.next("update")).toMatchObject({ kind: "react", emoji: "👍", on: true, count: 1, from: { id: ada.id } });
    b.send({ type: "react", id: "r2", target: 1, emoji: "👍", on: true });
    await b.next("ack");
    a.send({ type: "react", id: "r3", target: 1, emoji: "👍", on: true });
    expect(await a.next("ack")).toMatchObject({ id: "r3", seq: 1 });
    b.send({ type: "react", id: "r4", target: 1, emoji: "🎉", on: false });
    expect(await b.next("ack")).toMatchObject({ id: "r4", seq: 1 });

    expect((await page(ada, room)).messages[0]!.reactions).toEqual({ "👍": { count: 2, mine: true } });
    expect((await page(await newUser("Cy"), room)).messages[0]!.reactions).toEqual({ "👍": { count: 2, mine: false } });

    const many = ["😀", "😂", "😍", "🤔", "😎", "😢", "😡", "🎉", "🔥", "💯", "🚀", "👀", "🙏", "👏", "💪", "✅", "❤️", "🇫🇷", "1️⃣"];
    // Many people, as the rate limit counts reactions per person.
    for (const [n, emoji] of many.entries()) {
      const reacted = await api(await newUser(`Fan ${n}`), `/api/rooms/${room}/messages/1/reactions`, { method: "POST", body: JSON.stringify({ id: `many${n}`, emoji, on: true }) });
      expect(reacted.status).toBe(201);
    }
    a.send({ type: "react", id: "too-many", target: 1, emoji: "🥳", on: true });
    expect(await a.next("error")).toMatchObject({ id: "too-many", message: "a message can have at most 20 different emoji" });
    for (const [n, emoji] of ["ab", "👍👍", "👨‍👩‍👧‍👦👍", ""].entries()) {
      a.send({ type: "react", id: `bad-${n}`, target: 1, emoji, on: true });
      expect(await a.next("error")).toMatchObject({ code: "bad_message", message: "emoji must be one emoji of at most 16 bytes" });
    }
  });
});

describe("a retransmitted change", () => {
  it("is applied once and answered with the same ack, for a deletion and a reaction alike", async () => {
    const room = newRoom("retransmit");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    const a = await connect(room, ada);
    const b = await connect(room, bob);
    a.send({ type: "send", id: "m1", text: "one" });
    a.send({ type: "send", id: "m2", text: "two" });
    await a.next("ack");
    await a.next("ack");

    for (const frame of [
      { type: "react", id: "r1", target: 1, emoji: "👍", on: true },
      { type: "delete", id: "d1", target: 2 },
    ] as const) {
      a.send(frame);
      const first = await a.next("ack", (ack) => ack.id === frame.id);
      a.send(frame);
      const again = await a.next("ack", (ack) => ack.id === frame.id);
      expect(again).toEqual(first);
      expect(first.update).toMatchObject({ kind: frame.type, target: frame.target });
    }
    await b.next("update", (u) => u.kind === "react");
    await b.next("update", (u) => u.kind === "delete");
    expect(await b.quietFor("update", 200)).toEqual([]);
    const { updates } = await page(bob, room, "?after=2");
    expect(updates?.map((u) => [u.kind, u.id])).toEqual([
      ["react", "r1"],
      ["delete", "d1"],
    ]);
  });
});

describe("replies", () => {
  it("carry a quote of the original as it reads now, and stay between the two people of a direct message", async () => {
    const room = newRoom("reply");
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    const a = await connect(room, ada);
    const b = await connect(room, bob);
    const c = await connect(room, cy);
    a.send({ type: "send", id: "m1", text: "lunch?" });
    await a.next("ack");
    b.send({ type: "send", id: "m2", text: "yes!", replyTo: 1 });
    await b.next("ack");
    expect(await c.next("message", (m) => m.seq === 2)).toMatchObject({ replyTo: { seq: 1, from: { id: ada.id }, text: "lunch?" } });

    a.send({ type: "send", id: "dm", text: "just you and me", to: bob.id });
    await a.next("ack");
    b.send({ type: "send", id: "public-reply", text: "to everyone", replyTo: 3 });
    expect(await b.next("error")).toMatchObject({ id: "public-reply", message: "a reply to a direct message must go to the same person only (to)" });
    b.send({ type: "send", id: "private-reply", text: "sure", replyTo: 3, to: ada.id });
    await b.next("ack");
    c.send({ type: "send", id: "nosy", text: "?", replyTo: 3 });
    expect(await c.next("error")).toMatchObject({ id: "nosy", code: "not_found" });
    c.send({ type: "react", id: "nosy-react", target: 3, emoji: "👀", on: true });
    expect(await c.next("error")).toMatchObject({ id: "nosy-react", code: "not_found" });

    a.send({ type: "delete", id: "d1", target: 1 });
    await a.next("ack");
    const reply = (await page(cy, room)).messages.find((m: ChatMessage) => m.seq === 2)!;
    expect(reply.replyTo).toEqual({ seq: 1, from: { id: ada.id, name: "Ada" }, text: "", deleted: true });
  });

  it("and changes work over HTTP too, with the same answers", async () => {
    const room = newRoom("http-changes");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    const post = await api(ada, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: "h1", text: "over http" }) });
    const { seq } = (await post.json()) as PostedMessage;
    const edit = await api(ada, `/api/rooms/${room}/messages/${seq}`, { method: "PATCH", body: JSON.stringify({ id: "he", text: "over HTTP" }) });
    expect(edit.status).toBe(201);
    const again = await api(ada, `/api/rooms/${room}/messages/${seq}`, { method: "PATCH", body: JSON.stringify({ id: "he", text: "over HTTP" }) });
    expect(again.status).toBe(200);
    const react = await api(bob, `/api/rooms/${room}/messages/${seq}/reactions`, { method: "POST", body: JSON.stringify({ id: "hr", emoji: "🚀", on: true }) });
    expect(react.status).toBe(201);
    expect((await api(bob, `/api/rooms/${room}/messages/${seq}`, { method: "DELETE", body: JSON.stringify({ id: "hd" }) })).status).toBe(403);
    expect((await api(ada, `/api/rooms/${room}/messages/99`, { method: "DELETE", body: JSON.stringify({ id: "hd" }) })).status).toBe(404);
    const after = await page(bob, room, "?after=0");
    expect(after.messages).toEqual([expect.objectContaining({ text: "over HTTP", reactions: { "🚀": { count: 1, mine: true } } })]);
    expect(after.updates?.map((u) => u.kind)).toEqual(["edit", "react"]);
  });
});
