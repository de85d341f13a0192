import { env, evictDurableObject, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloseCode, LIMITS, type ApiErrorBody, type ClientFrame, type MessagesPage } from "../../src/protocol";
import type { ChatRoom } from "../../src/room/chat-room";
import { MAX_STRIKES } from "../../src/room/connections/abuse-policy";
import { LogRetention } from "../../src/room/history/log-retention";
import { MessageLog } from "../../src/room/history/message-log";
import { SearchIndex } from "../../src/room/search/search-index";
import { RoomHooks } from "../../src/room/lifecycle/room-hooks";
import { ReactionList } from "../../src/room/history/reaction-list";
import { forgeSessionToken } from "../support/tokens";
import { api, connect, newRoom, newUser, upgrade, type TestUser } from "./helpers";

async function storedTexts(room: string, viewer: { token: string }): Promise<string[]> {
  const page = (await (await api(viewer, `/api/rooms/${room}/messages?limit=500`)).json()) as MessagesPage;
  return page.messages.map((m) => m.text);
}

describe("bad input from one client", () => {
  const cases: [string, string | ArrayBuffer, string][] = [
    ["broken JSON", "{\"type\":\"send\",", "bad_message"],
    ["a JSON array", "[1,2,3]", "bad_message"],
    ["a bare number", "42", "bad_message"],
    ["a frame without a type", JSON.stringify({ text: "hi" }), "bad_message"],
    ["an unknown type", JSON.stringify({ type: "dance" }), "bad_message"],
    ["a send without an id", JSON.stringify({ type: "send", text: "hi" }), "bad_message"],
    ["an id with a space", JSON.stringify({ type: "send", id: "a b", text: "hi" }), "bad_message"],
    ["an id of 65 characters", JSON.stringify({ type: "send", id: "x".repeat(65), text: "hi" }), "bad_message"],
    ["text that is not a string", JSON.stringify({ type: "send", id: "n1", text: 7 }), "bad_message"],
    ["empty text", JSON.stringify({ type: "send", id: "e1", text: "" }), "bad_message"],
    ["text of only spaces", JSON.stringify({ type: "send", id: "e2", text: "   \n " }), "bad_message"],
    ["text over 4000 characters", JSON.stringify({ type: "send", id: "long", text: "y".repeat(4001) }), "too_large"],
    ["a frame over 16 KiB", JSON.stringify({ type: "send", id: "huge", text: "z".repeat(3000), pad: "p".repeat(17_000) }), "too_large"],
    ["a lone surrogate", JSON.stringify({ type: "send", id: "s1", text: "broken \ud800 text" }), "bad_message"],
    ["a NUL character", JSON.stringify({ type: "send", id: "z1", text: "nul\u0000here" }), "bad_message"],
    ["a recipient that is not a string", JSON.stringify({ type: "send", id: "t1", text: "hi", to: 5 }), "bad_message"],
    ["a binary frame", new TextEncoder().encode(JSON.stringify({ type: "send", id: "b1", text: "hi" })).buffer as ArrayBuffer, "bad_message"],
  ];

  it.each(cases)("%s gets a clear error; nothing is stored and the others notice nothing", async (_, frame, code) => {
    const room = newRoom("bad-input");
    const [mallory, bob] = [await newUser("Mallory"), await newUser("Bob")];
    const bad = await connect(room, mallory);
    const bystander = await connect(room, bob);

    bad.ws.send(frame);

    const error = await bad.next("error");
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(5);
    bad.send({ type: "send", id: "valid", text: "still here" });
    await bad.next("ack");
    expect(await bystander.next("message")).toMatchObject({ text: "still here" });
    expect(bystander.pending("error")).toEqual([]);
    expect(await storedTexts(room, bob)).toEqual(["still here"]);
  });

  it("accepts text of exactly 4000 characters, emoji counted as one", async () => {
    const room = newRoom("limits");
    const socket = await connect(room, await newUser("Ada"));
    socket.send({ type: "send", id: "full", text: "🙂".repeat(LIMITS.maxTextChars) });
    await socket.next("ack");
  });

  it.each([
    ["a space", "has%20space"],
    ["65 characters", "r".repeat(65)],
    ["a dot", "a.b"],
  ])("a room id with %s is a 400", async (_, room) => {
    const response = await api(await newUser("Ada"), `/api/rooms/${room}/messages`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as ApiErrorBody).error.message).toContain("room ids");
  });

  it("a resume point that is not a number is a 400", async () => {
    const response = await SELF.fetch("https://chat.test/api/rooms/lobby/ws?after=yesterday", {
      headers: { Upgrade: "websocket", Authorization: `Bearer ${(await newUser("Ada")).token}` },
    });
    expect(response.status).toBe(400);
  });

  it("a plain GET of the socket endpoint is told to upgrade", async () => {
    const response = await api(await newUser("Ada"), "/api/rooms/lobby/ws");
    expect(response.status).toBe(426);
  });

  it("an HTTP post that is not JSON, or too large, is refused and not stored", async () => {
    const room = newRoom("http-bad");
    const ada = await newUser("Ada");
    expect((await api(ada, `/api/rooms/${room}/messages`, { method: "POST", body: "{nope" })).status).toBe(400);
    const huge = JSON.stringify({ id: "big", text: "x", pad: "p".repeat(LIMITS.maxFrameBytes) });
    expect((await api(ada, `/api/rooms/${room}/messages`, { method: "POST", body: huge })).status).toBe(413);
    expect(await storedTexts(room, ada)).toEqual([]);
  });
});

describe("rate limits", () => {
  it("refuse a 21st message within 10 seconds, saying when to retry, while others chat on", async () => {
    const room = newRoom("rate");
    const [flooder, bob] = [await newUser("Flooder"), await newUser("Bob")];
    const socket = await connect(room, flooder);
    const bystander = await connect(room, bob);
    for (let n = 1; n <= 20; n++) socket.send({ type: "send", id: `m${n}`, text: `message ${n}` });
    for (let n = 1; n <= 20; n++) await socket.next("ack");

    socket.send({ type: "send", id: "m21", text: "one too many" });

    const error = await socket.next("error");
    expect(error).toMatchObject({ code: "rate_limited" });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(10_000);
    bystander.send({ type: "send", id: "calm", text: "I can still talk" });
    await bystander.next("ack");
  });

  it("apply to HTTP posts too, with 429 and Retry-After", async () => {
    const room = newRoom("rate-http");
    const bot = await newUser("Bot");
    for (let n = 1; n <= 20; n++) {
      const ok = await api(bot, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: `h${n}`, text: "tick" }) });
      expect(ok.status).toBe(201);
    }
    const refused = await api(bot, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: "h21", text: "tick" }) });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(((await refused.json()) as ApiErrorBody).error).toMatchObject({ code: "rate_limited", retryAfterMs: expect.any(Number) });
  });

  it("close a client that keeps sending after being told to slow down, with 4008", async () => {
    const room = newRoom("abuse");
    const socket = await connect(room, await newUser("Flooder"));
    for (let n = 1; n <= 40; n++) socket.send({ type: "send", id: `f${n}`, text: "spam" });
    expect((await socket.closed).code).toBe(CloseCode.Abuse);
    // Nothing past the limit was stored.
    expect(await storedTexts(room, await newUser("Reader"))).toHaveLength(20);
  });

  it("pass on one typing notice a second, and close a connection that floods them, with 4008", async () => {
    const room = newRoom("typing-flood");
    const flooder = await connect(room, await newUser("Flooder"));
    const bystander = await connect(room, await newUser("Bob"));
    for (let n = 0; n < 100; n++) flooder.send({ type: "typing" });
    expect((await flooder.closed).code).toBe(CloseCode.Abuse);
    expect(bystander.pending("typing").length).toBeLessThanOrEqual(2);
    bystander.send({ type: "send", id: "still", text: "still fine" });
    await bystander.next("ack");
  });

  it("answer one `who` per interval per connection, and close a connection that floods them, with 4008", async () => {
    const room = newRoom("who-flood");
    const flooder = await connect(room, await newUser("Flooder"));
    const bystander = await connect(room, await newUser("Bob"));
    for (let n = 0; n < 200; n++) flooder.send({ type: "who" });

    expect((await flooder.closed).code).toBe(CloseCode.Abuse);
    expect(flooder.pending("members")).toHaveLength(1);
    const errors = flooder.pending("error");
    expect(errors).toHaveLength(MAX_STRIKES);
    expect(errors[0]).toMatchObject({ code: "rate_limited", retryAfterMs: expect.any(Number) });
    bystander.send({ type: "who" });
    expect((await bystander.next("members")).members.map((m) => m.name)).toContain("Bob");
    bystander.send({ type: "send", id: "calm", text: "still fine" });
    await bystander.next("ack");
  });

  it("close a connection that keeps sending malformed frames, with 4008, after telling it why each time", async () => {
    const room = newRoom("malformed-flood");
    const flooder = await connect(room, await newUser("Flooder"));
    const bystander = await connect(room, await newUser("Bob"));
    for (let n = 0; n < 1000; n++) flooder.send("{not json");

    expect((await flooder.closed).code).toBe(CloseCode.Abuse);
    const errors = flooder.pending("error");
    expect(errors).toHaveLength(MAX_STRIKES);
    expect(errors.slice(0, -1).every((e) => e.code === "bad_message")).toBe(true);
    expect(errors.at(-1)?.message).toContain("too many refused frames");
    bystander.send({ type: "send", id: "calm", text: "still fine" });
    await bystander.next("ack");
    expect(bystander.pending("error")).toEqual([]);
  });

  it("wipe the slate when a message is accepted, so an occasional bad frame never closes anyone", async () => {
    const room = newRoom("strikes-reset");
    const socket = await connect(room, await newUser("Clumsy"));
    for (let round = 0; round < 3; round++) {
      for (let n = 0; n < MAX_STRIKES - 1; n++) socket.send("[]");
      socket.send({ type: "send", id: `ok${round}`, text: "sorry" });
      await socket.next("ack", (ack) => ack.id === `ok${round}`);
    }
    expect(socket.pending("error")).toHaveLength(3 * (MAX_STRIKES - 1));
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);
  });

  it("do not count a retransmit of a stored message", async () => {
    const room = newRoom("rate-retransmit");
    const socket = await connect(room, await newUser("Ada"));
    for (let n = 1; n <= 20; n++) socket.send({ type: "send", id: `m${n}`, text: "x" });
    for (let n = 1; n <= 20; n++) await socket.next("ack");
    socket.send({ type: "send", id: "m20", text: "x" });
    expect(await socket.next("ack")).toMatchObject({ id: "m20", seq: 20 });
  });
});

describe("a room that hibernates", () => {
  it("still routes direct messages and knows who is online after it is evicted and woken", async () => {
    const room = newRoom("hibernate");
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    const a = await connect(room, ada);
    const b = await connect(room, bob);
    const c = await connect(room, cy);
    // Arrivals a presence window apart come in two frames.
    const joined = new Set<string>();
    while (joined.size < 3) for (const user of (await a.next("presence")).joined) joined.add(user.id);
    const stub = env.ROOMS.get(env.ROOMS.idFromName(room));

    await evictDurableObject(stub, { webSockets: "hibernate" });

    a.send({ type: "send", id: "after-sleep", text: "psst, Bob", to: bob.id });
    await a.next("ack");
    expect(await b.next("message")).toMatchObject({ text: "psst, Bob", from: { id: ada.id, name: "Ada" } });
    expect(await c.quietFor("message", 200)).toEqual([]);

    a.send({ type: "who" });
    expect((await a.next("members")).members.map((m) => m.online)).toEqual([true, true, true]);

    await evictDurableObject(stub, { webSockets: "hibernate" });
    await b.close();
    expect(await a.next("presence")).toEqual({ type: "presence", joined: [], left: [{ id: bob.id, name: "Bob" }] });
  });

  it("answers ping with pong without waking: the room stays out of memory until a real message", async () => {
    const room = newRoom("sleeping");
    const socket = await connect(room, await newUser("Ada"));
    const stub = env.ROOMS.get(env.ROOMS.idFromName(room));
    await evictDurableObject(stub, { webSockets: "hibernate" });

    for (let n = 1; n <= 3; n++) socket.send("ping");
    await expect.poll(() => socket.pongs).toBe(3);

    // Eviction refuses an object that is not running: proof the pings did not wake it.
    await expect(evictDurableObject(stub, { webSockets: "hibernate" })).rejects.toThrow(/not (currently )?running/i);
    socket.send({ type: "who" });
    await socket.next("members");
    await expect(evictDurableObject(stub, { webSockets: "hibernate" })).resolves.toBeUndefined();
  });

  it("keeps its rate limit across an eviction, since it is read from storage", async () => {
    const room = newRoom("hibernate-rate");
    const ada = await newUser("Ada");
    const socket = await connect(room, ada);
    for (let n = 1; n <= 20; n++) socket.send({ type: "send", id: `m${n}`, text: "x" });
    for (let n = 1; n <= 20; n++) await socket.next("ack");

    await evictDurableObject(env.ROOMS.get(env.ROOMS.idFromName(room)), { webSockets: "hibernate" });

    socket.send({ type: "send", id: "m21", text: "x" });
    expect(await socket.next("error")).toMatchObject({ code: "rate_limited" });
  });
});

describe("a large room's member list", () => {
  // Hundreds of members join one by one, each telling their new hub (room-home.ts).
  it("lists everyone online first, then the members seen most recently, and no more than the limit", { timeout: 20_000 }, async () => {
    const room = newRoom("large");
    const everyone: TestUser[] = [];
    for (let n = 0; n < LIMITS.listedMembers + 20; n++) {
      const member = await newUser(`Member ${n}`);
      await api(member, `/api/rooms/${room}/join`, { method: "POST" });
      everyone.push(member);
    }
    // The first two members are the ones online; everyone joined after them.
    const [first, second] = everyone as [TestUser, TestUser];
    await connect(room, first);
    const { welcome } = await (await upgrade(room, second)).joined();

    const { members } = welcome;
    expect(members).toHaveLength(LIMITS.listedMembers);
    expect(members.slice(0, 2).map((m) => [m.name, m.online])).toEqual([["Member 0", true], ["Member 1", true]]);
    const offline = members.slice(2);
    expect(offline.every((m) => !m.online)).toBe(true);
    expect(offline.map((m) => m.lastSeen)).toEqual(offline.map((m) => m.lastSeen).sort((a, b) => b - a));
    // The newest arrivals are listed; the earliest ones that are offline are not.
    expect(offline.map((m) => m.name)).toContain(`Member ${LIMITS.listedMembers + 19}`);
    expect(offline.map((m) => m.name)).not.toContain("Member 2");
  });
});

describe("storage limits", () => {
  // Hundreds of members join one by one, each telling their new hub (room-home.ts).
  it("hold for users with the longest ids and names in a room with many members", { timeout: 20_000 }, async () => {
    const room = newRoom("crowded");
    const longest = {
      id: `idp|${"x".repeat(LIMITS.maxUserIdChars - 4)}`,
      name: "👩‍💻".repeat(4) + "名".repeat(LIMITS.maxNameChars - 12),
    };
    const token = await forgeSessionToken(env.JWT_SECRET!, { sub: longest.id, name: longest.name });
    for (let n = 0; n < 300; n++) {
      const member = await newUser(`Member ${n} ${"名".repeat(20)}`);
      await api(member, `/api/rooms/${room}/join`, { method: "POST" });
    }

    const socket = await connect(room, { token });
    socket.send({ type: "send", id: "x".repeat(LIMITS.maxMessageIdChars), text: "名".repeat(LIMITS.maxTextChars), to: longest.id });
    expect(await socket.next("ack")).toMatchObject({ seq: 1 });
    socket.send({ type: "who" });
    const { members } = await socket.next("members");
    expect(members).toHaveLength(LIMITS.listedMembers);
    expect(members[0]).toMatchObject({ ...longest, online: true });

    const stub = env.ROOMS.get(env.ROOMS.idFromName(room));
    const attachmentBytes = await runInDurableObject(stub, (_room: ChatRoom, state) =>
      state.getWebSockets(longest.id).map((ws) => new TextEncoder().encode(JSON.stringify(ws.deserializeAttachment())).byteLength),
    );
    expect(attachmentBytes[0]).toBeLessThan(1024); // the runtime allows 16 KiB
  });
});

/**
 * Hands frames to the room as the runtime does, all within one turn of its event loop, as when
 * they reach a busy room together: the room then stores all but the first as one group.
 */
async function arriveTogether(room: string, frames: [TestUser, ClientFrame][]): Promise<void> {
  const stub = env.ROOMS.get(env.ROOMS.idFromName(room));
  await runInDurableObject(stub, async (instance: ChatRoom, state) => {
    await Promise.all(frames.map(([user, frame]) => instance.webSocketMessage(state.getWebSockets(user.id)[0]!, JSON.stringify(frame))));
  });
}

describe("messages that arrive together", () => {
  it("are stored once each in the order they arrived, acknowledged in order, and seen in order by everyone", async () => {
    const room = newRoom("together");
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    const [adaSocket, bobSocket, cySocket] = [await connect(room, ada), await connect(room, bob), await connect(room, cy)];
    const frames: [TestUser, ClientFrame][] = [];
    for (let n = 0; n < 10; n++) frames.push([ada, { type: "send", id: `a${n}`, text: `Ada ${n}` }], [bob, { type: "send", id: `b${n}`, text: `Bob ${n}` }]);

    await arriveTogether(room, frames);

    const adaAcks = await Promise.all(Array.from({ length: 10 }, () => adaSocket.next("ack")));
    const bobAcks = await Promise.all(Array.from({ length: 10 }, () => bobSocket.next("ack")));
    expect(adaAcks.map((a) => [a.id, a.seq])).toEqual(Array.from({ length: 10 }, (_, n) => [`a${n}`, 2 * n + 1]));
    expect(bobAcks.map((a) => [a.id, a.seq])).toEqual(Array.from({ length: 10 }, (_, n) => [`b${n}`, 2 * n + 2]));
    const inArrivalOrder = frames.map(([, frame]) => (frame as { text: string }).text);
    expect(await storedTexts(room, cy)).toEqual(inArrivalOrder);
    const seenByCy = await Promise.all(Array.from({ length: 20 }, () => cySocket.next("message")));
    expect(seenByCy.map((m) => m.text)).toEqual(inArrivalOrder);
    const seenByAda = await Promise.all(Array.from({ length: 10 }, () => adaSocket.next("message")));
    expect(seenByAda.map((m) => m.text)).toEqual(inArrivalOrder.filter((text) => text.startsWith("Bob")));
  });

  it("from a socket and from an HTTP post reach everyone once each, in the order they were stored", async () => {
    const room = newRoom("together-http");
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    const [adaSocket, cySocket] = [await connect(room, ada), await connect(room, cy)];
    const stub = env.ROOMS.get(env.ROOMS.idFromName(room));

    await runInDurableObject(stub, async (instance: ChatRoom, state) => {
      const adaWs = state.getWebSockets(ada.id)[0]!;
      const send = (id: string) => instance.webSocketMessage(adaWs, JSON.stringify({ type: "send", id, text: `over the socket, ${id}` }));
      const post = instance.postMessage(room, { id: bob.id, name: bob.name }, { id: "p1", text: "over HTTP" });
      await Promise.all([send("s1"), send("s2"), post, send("s3")]);
    });

    const seen = await Promise.all(Array.from({ length: 4 }, () => cySocket.next("message")));
    expect(seen.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(seen.map((m) => m.text)).toEqual(await storedTexts(room, cy));
    expect(await cySocket.quietFor("message", 200)).toEqual([]);
    const acks = await Promise.all(Array.from({ length: 3 }, () => adaSocket.next("ack")));
    expect(acks.map((a) => a.id)).toEqual(["s1", "s2", "s3"]);
  });

  it("store a message retransmitted before its first copy was stored only once", async () => {
    const room = newRoom("together-retransmit");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    const [socket, bystander] = [await connect(room, ada), await connect(room, bob)];
    const copy: ClientFrame = { type: "send", id: "same", text: "only once" };

    await arriveTogether(room, [[ada, copy], [ada, copy], [ada, copy]]);

    const acks = [await socket.next("ack"), await socket.next("ack"), await socket.next("ack")];
    expect(acks.map((a) => a.seq)).toEqual([1, 1, 1]);
    expect(await bystander.next("message")).toMatchObject({ text: "only once" });
    expect(await bystander.quietFor("message", 200)).toEqual([]);
  });

  it("from a member removed before they were stored are dropped, and the others are stored", async () => {
    const [owner, mallory] = [await newUser("Owner"), await newUser("Mallory")];
    const created = await api(owner, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "public" }) });
    const { room } = (await created.json()) as { room: { id: string } };
    const [ownerSocket, mallorySocket] = [await connect(room.id, owner), await connect(room.id, mallory)];
    const stub = env.ROOMS.get(env.ROOMS.idFromName(room.id));

    await runInDurableObject(stub, async (instance: ChatRoom, state) => {
      const malloryWs = state.getWebSockets(mallory.id)[0]!;
      const send = (ws: WebSocket, id: string) => instance.webSocketMessage(ws, JSON.stringify({ type: "send", id, text: id }));
      await Promise.all([send(state.getWebSockets(owner.id)[0]!, "first"), send(malloryWs, "queued"), instance.removeMember(owner, mallory.id)]);
    });

    await ownerSocket.next("ack");
    expect((await mallorySocket.closed).code).toBe(CloseCode.Forbidden);
    expect(mallorySocket.pending("ack")).toEqual([]);
    expect(await storedTexts(room.id, owner)).toEqual(["first"]);
  });
});

describe("history storage", () => {
  const from = { id: "g_writer", name: "Writer" };

  /**
   * A fresh room's log kept to `keep` messages (undefined: all), with `count` messages written
   * in it, for `check`; `reopen` reads the same storage afresh, as after a wake-up.
   */
  async function withLog(label: string, keep: number | undefined, count: number, check: (log: MessageLog, sql: SqlStorage, reopen: () => MessageLog) => void): Promise<void> {
    await runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(newRoom(label))), (_room: ChatRoom, state) => {
      const sql = state.storage.sql;
      const reopen = () => new MessageLog(sql, keep, new ReactionList(sql), new RoomHooks());
      const log = reopen();
      for (let n = 1; n <= count; n++) log.append(from, { id: `m${n}`, text: `message ${n}` }, 1000 + n);
      check(log, sql, reopen);
    });
  }

  it("counts only messages against its limit: reactions and edits never push a message out", async () => {
    await withLog("limit-counts-messages", 20, 5, (log, sql) => {
      const newest = log.message(5)!;
      for (let n = 1; n <= 60; n++) {
        const react = { type: "react" as const, id: `r${n}`, target: 5, emoji: "👍", on: n % 2 === 1 };
        log.appendChange(from, react, newest, 2000 + n, { text: "", data: JSON.stringify({ emoji: "👍", on: react.on, count: n % 2 }) });
      }
      expect(log.page("g_reader", { limit: 50 }).messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
      // The changes are held to as many as the messages kept: the oldest went.
      expect(sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM messages WHERE kind != 'message'").one().n).toBe(20);
    });
  });

  it("tells a client resuming from before what it pruned that part of it is gone, also after waking", async () => {
    await withLog("limit-gone", 5, 12, (log, _sql, reopen) => {
      expect(log.page("g_reader", { after: 6, limit: 50 })).toMatchObject({ pruned: true, oldestSeq: 8 });
      expect(log.page("g_reader", { after: 7, limit: 50 }).pruned).toBeUndefined();
      const woken = reopen();
      expect(woken.page("g_reader", { after: 2, limit: 50 })).toMatchObject({ pruned: true, oldestSeq: 8, messages: [{ seq: 8 }, { seq: 9 }, { seq: 10 }, { seq: 11 }, { seq: 12 }] });
      expect(woken.page("g_reader", { after: 9, limit: 50 }).pruned).toBeUndefined();
      // Read back to the oldest kept: older ones were deleted, and the page says so.
      expect(woken.page("g_reader", { limit: 50 })).toMatchObject({ more: false, pruned: true, oldestSeq: 8 });
      expect(woken.page("g_reader", { limit: 2 })).not.toHaveProperty("pruned");
    });
  });

  it("keeps every message when HISTORY_LIMIT is unset", async () => {
    await withLog("keep-all", undefined, 600, (log, sql) => {
      expect(sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM messages").one().n).toBe(600);
      expect(log.page("g_reader", { after: 0, limit: 500 })).toMatchObject({ more: true });
      expect(log.page("g_reader", { limit: 50 })).not.toHaveProperty("pruned");
    });
  });

  it("deletes messages past HISTORY_RETENTION_DAYS on the alarm, with their words in the index, and keeps the newest seq taken", async () => {
    const stub = env.ROOMS.get(env.ROOMS.idFromName(newRoom("retention")));
    await runInDurableObject(stub, async (_room: ChatRoom, state) => {
      const sql = state.storage.sql;
      const hooks = new RoomHooks();
      const log = new MessageLog(sql, undefined, new ReactionList(sql), hooks);
      // Indexes what is stored and forgets what is pruned, by the same hooks as in a room.
      new SearchIndex(sql, hooks);
      const due: number[] = [];
      const day = 24 * 3600 * 1000;
      const alarms = { dueBy: async (at: number) => void due.push(at) };
      const retention = new LogRetention(sql, 30 * day, log, alarms, hooks);
      const store = (n: number, ts: number) => {
        const stored = log.append(from, { id: `m${n}`, text: `note ${n} quokka${n}` }, ts)!;
        hooks.stored.emit({ entry: stored });
        return stored;
      };
      const indexed = () => sql.exec<{ c0: string }>("SELECT c0 FROM search_index_content").toArray().map((row) => row.c0);
      for (let n = 1; n <= 3; n++) store(n, n * day);
      // An edit of message 3, made on day 41: its row goes with the message it changed.
      const third = log.message(3)!;
      log.appendChange(from, { type: "edit", id: "e3", target: 3, text: "note 3 edited wallaby" }, third, 41 * day, { text: "note 3 edited wallaby", data: null });
      for (let n = 4; n <= 5; n++) store(n, 40 * day + n);
      // The first message asks the alarm to come when it falls due.
      expect(due).toEqual([31 * day]);
      // A room woken with retention on asks once, even if nobody writes in it again.
      new LogRetention(sql, 30 * day, log, alarms, new RoomHooks());
      expect(due).toEqual([31 * day, 31 * day]);

      // Day 36: messages 1 to 3 are older than 30 days.
      expect(indexed().some((text) => text.includes("quokka1"))).toBe(true);
      expect(retention.run(36 * day)).toBe(40 * day + 4 + 30 * day);
      expect(log.page("g_reader", { limit: 50 })).toMatchObject({ messages: [{ seq: 5 }, { seq: 6 }], pruned: true, oldestSeq: 5 });
      expect(log.page("g_reader", { after: 0, limit: 50 })).toMatchObject({ pruned: true, updates: [] });
      expect(sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM messages WHERE text LIKE '%wallaby%'").one().n).toBe(0);
      expect(indexed().some((text) => text.includes("quokka1") || text.includes("quokka3"))).toBe(false);
      expect(indexed().some((text) => text.includes("quokka4"))).toBe(true);

      // Day 100: everything is old; the newest row stays, emptied, so its seq is never given again.
      expect(retention.run(100 * day)).toBeUndefined();
      expect(sql.exec<{ seq: number; text: string; deleted: number }>("SELECT seq, text, deleted FROM messages").toArray()).toEqual([{ seq: 6, text: "", deleted: 1 }]);
      expect(indexed()).toEqual([]);
      store(7, 101 * day);
      expect(log.page("g_reader", { limit: 50 }).messages.map((m) => m.seq)).toEqual([6, 7]);
    });
  });

  it("leaves out a change of a kind this version does not know, instead of reading it as some other kind", async () => {
    const stub = env.ROOMS.get(env.ROOMS.idFromName(newRoom("unknown-kind")));
    await runInDurableObject(stub, (_room: ChatRoom, state) => {
      const sql = state.storage.sql;
      const log = new MessageLog(sql, 50, new ReactionList(sql), new RoomHooks());
      const message = log.append({ id: "g_writer", name: "Writer" }, { id: "m1", text: "pin me" }, 1000)!;
      // As a later version (with pins) would have written it, before a rollback.
      sql.exec("INSERT INTO messages (id, sender_id, sender_name, text, ts, kind, target) VALUES ('p1', 'g_writer', 'Writer', '', 1001, 'pin', ?)", message.seq);
      const page = log.page("g_reader", { after: 0, limit: 50 });
      expect(page.messages.map((m) => m.seq)).toEqual([1]);
      expect(page.updates).toEqual([]);
      expect(log.page("g_reader", { limit: 50 }).messages).toEqual([expect.objectContaining({ seq: 1, text: "pin me" })]);
    });
  });

  it("keeps only the newest messages up to the room's limit, and never reuses a seq", async () => {
    await withLog("retention", 5, 12, (log) => {
      const page = log.page("g_reader", { limit: 50 });
      expect(page.messages.map((m) => m.seq)).toEqual([8, 9, 10, 11, 12]);
      expect(page.more).toBe(false);
      expect(log.latestSeq()).toBe(12);
    });
  });

  it("answers a returning client from memory exactly as storage would, direct messages and pruning included", async () => {
    const stub = env.ROOMS.get(env.ROOMS.idFromName(newRoom("recent-window")));
    await runInDurableObject(stub, (_room: ChatRoom, state) => {
      const sql = state.storage.sql;
      const log = new MessageLog(sql, 30, new ReactionList(sql), new RoomHooks());
      const [ada, bob] = [{ id: "g_ada", name: "Ada" }, { id: "g_bob", name: "Bob" }];
      const fromStorage = (viewer: string, after: number, limit: number) => {
        const rows = sql
          .exec<{ seq: number }>(
            "SELECT seq FROM messages WHERE (recipient_id IS NULL OR recipient_id = ? OR sender_id = ?) AND seq > ? ORDER BY seq LIMIT ?",
            viewer,
            viewer,
            after,
            limit + 1,
          )
          .toArray()
          .map((row) => row.seq);
        return { seqs: rows.slice(0, limit), more: rows.length > limit };
      };
      const compare = () => {
        for (const viewer of [ada.id, bob.id, "g_carol"]) {
          for (let after = 0; after <= log.latestSeq(); after++) {
            for (const limit of [1, 7, 500]) {
              const page = log.page(viewer, { after, limit });
              expect({ seqs: page.messages.map((m) => m.seq), more: page.more }).toEqual(fromStorage(viewer, after, limit));
            }
          }
        }
      };
      for (let n = 1; n <= 45; n++) {
        const from = n % 5 === 0 ? bob : ada;
        const to = n % 3 === 0 ? (from === ada ? bob.id : ada.id) : undefined;
        log.append(from, { id: `m${n}`, text: `message ${n}`, to }, 1000 + n);
        // Checked while the room is young (the window holds it all), and after pruning starts.
        if (n === 10 || n === 45) compare();
      }
    });
  });

  it("stores each message before telling anyone: a reader right after the ack finds it", async () => {
    const room = newRoom("durable");
    const ada = await newUser("Ada");
    const socket = await connect(room, ada);
    socket.send({ type: "send", id: "now", text: "written first" });
    const ack = await socket.next("ack");
    const stub = env.ROOMS.get(env.ROOMS.idFromName(room));
    const stored = await runInDurableObject(stub, (_room: ChatRoom, state) =>
      state.storage.sql.exec<{ seq: number; text: string }>("SELECT seq, text FROM messages").toArray(),
    );
    expect(stored).toEqual([{ seq: ack.seq, text: "written first" }]);
  });
});
