import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket as NodeWebSocket } from "ws";
import { BEARER_PROTOCOL_PREFIX, PROTOCOL, type ChatMessage, type MessagesPage, type PostedMessage, type SessionResponse } from "../../src/protocol";
import { LocalChat, uniqueRoom } from "../support/local-chat";
import { TestSocket } from "../support/test-socket";

let chat: LocalChat;
let alice: SessionResponse;
let bob: SessionResponse;
let carol: SessionResponse;
const open: TestSocket[] = [];

beforeAll(async () => {
  chat = await LocalChat.start();
  [alice, bob, carol] = await Promise.all([chat.signIn("Alice"), chat.signIn("Bob"), chat.signIn("Carol")]);
});

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await chat.stop();
});

/** Connects and reads the welcome and history frames every connection starts with. */
async function join(session: SessionResponse, room: string, query = "") {
  const socket = await TestSocket.open(chat.socketUrl(room, query), session.token);
  open.push(socket);
  return { socket, ...(await socket.joined()) };
}

describe("a conversation in a room", () => {
  it("delivers a message to everyone else and acknowledges it to its sender", async () => {
    const room = uniqueRoom("broadcast");
    const a = await join(alice, room);
    const b = await join(bob, room);
    const c = await join(carol, room);

    a.socket.send({ type: "send", id: "hello-1", text: "Hello, everyone" });

    const ack = await a.socket.next("ack");
    expect(ack).toMatchObject({ id: "hello-1", seq: 1 });
    for (const other of [b, c]) {
      const message = await other.socket.next("message");
      expect(message).toEqual({
        type: "message",
        seq: 1,
        id: "hello-1",
        from: alice.user,
        text: "Hello, everyone",
        ts: ack.ts,
      });
    }
    expect(await a.socket.quietFor("message", 200)).toEqual([]);
  });

  it("tells a new arrival the room, who they are, who is here and the recent history", async () => {
    const room = uniqueRoom("welcome");
    const a = await join(alice, room);
    a.socket.send({ type: "send", id: "before-bob", text: "Bob is not here yet" });
    await a.socket.next("ack");

    const b = await join(bob, room);

    expect(b.welcome.room).toEqual({ id: room, visibility: "public" });
    expect(b.welcome.you).toEqual(bob.user);
    expect(b.welcome.seq).toBe(1);
    expect(b.welcome.members.map((m) => [m.name, m.online])).toEqual([
      ["Alice", true],
      ["Bob", true],
    ]);
    expect(b.history.messages.map((m) => m.text)).toEqual(["Bob is not here yet"]);
    expect(b.history.more).toBe(false);
  });

  it("shows only the latest 50 messages on arrival, and pages older ones over HTTP", async () => {
    const room = uniqueRoom("paging");
    const posters = await Promise.all(Array.from({ length: 4 }, (_, i) => chat.signIn(`Poster ${i}`)));
    for (let n = 1; n <= 60; n++) {
      const poster = posters[n % posters.length]!;
      const { status } = await chat.api(poster.token, `/api/rooms/${room}/messages`, {
        method: "POST",
        body: JSON.stringify({ id: `m${n}`, text: `message ${n}` }),
      });
      expect(status).toBe(201);
    }

    const a = await join(alice, room);
    expect(a.history.messages.map((m) => m.seq)).toEqual(range(11, 60));
    expect(a.history.more).toBe(true);

    const older = await chat.api<MessagesPage>(alice.token, `/api/rooms/${room}/messages?before=11&limit=50`);
    expect(older.body.messages.map((m) => m.seq)).toEqual(range(1, 10));
    expect(older.body.more).toBe(false);
  });

  it("passes typing notices to the others without storing them", async () => {
    const room = uniqueRoom("typing");
    const a = await join(alice, room);
    const b = await join(bob, room);

    a.socket.send({ type: "typing" });

    expect(await b.socket.next("typing")).toEqual({ type: "typing", user: alice.user });
    expect(await a.socket.quietFor("typing", 150)).toEqual([]);
    const page = await chat.api<MessagesPage>(bob.token, `/api/rooms/${room}/messages`);
    expect(page.body.messages).toEqual([]);
  });

  it("answers a close that carries no code, so the client is not left waiting in CLOSING", async () => {
    const ws = new NodeWebSocket(chat.socketUrl(uniqueRoom("close")), [PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${alice.token}`]);
    await new Promise((resolve) => ws.once("message", resolve));
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    ws.close(); // a close frame without a status code: the room sees 1005
    // Without the room's answer, ws gives up after its 30 s close timeout and reports 1006.
    const unanswered = new Promise<string>((resolve) => setTimeout(() => resolve("no answer within 10 s"), 10_000));
    expect(await Promise.race([closed, unanswered])).toBe(1000);
  });

  it("answers ping with pong", async () => {
    const a = await join(alice, uniqueRoom("ping"));
    a.socket.send("ping");
    a.socket.send("ping");
    await waitUntil(() => a.socket.pongs === 2);
  });
});

describe("a busy room", () => {
  it("sends a client that reads batches what it has for it in fewer frames, every message once and in order, as a client that does not gets them one by one", async () => {
    const room = uniqueRoom("busy");
    const reader = await join(alice, room, "?batch=1");
    const plain = await join(bob, room);
    const senders = await Promise.all(Array.from({ length: 10 }, async (_, k) => join(await chat.signIn(`Sender ${k}`), room, "?batch=1")));

    // Sent without waiting, 150 in all (15 each, under the default 20 per 10 s): the room
    // stores what arrives together in one group commit and sends it together.
    senders.forEach(({ socket }, k) => {
      for (let n = 0; n < 15; n++) socket.send({ type: "send", id: `busy-${k}-${n}`, text: `${k}.${n}` });
    });
    const acks = await Promise.all(senders.map(({ socket }) => Promise.all(Array.from({ length: 15 }, () => socket.next("ack")))));
    const seqs = acks.flat().map((ack) => ack.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 150 }, (_, i) => seqs[0]! + i));

    for (const { socket } of [reader, plain]) {
      const got: number[] = [];
      while (got.length < 150) got.push((await socket.next("message")).seq);
      expect(got).toEqual(seqs);
      expect(await socket.quietFor("message", 100)).toEqual([]);
    }
    expect(reader.socket.batches).toBeGreaterThan(0);
    expect(plain.socket.batches).toBe(0);
    expect(senders.reduce((sum, { socket }) => sum + socket.batches, 0)).toBeGreaterThan(0);
  });
});

describe("direct messages", () => {
  it("reach only the recipient and the sender's other tabs", async () => {
    const room = uniqueRoom("dm");
    const aliceTab1 = await join(alice, room);
    const aliceTab2 = await join(alice, room);
    const b = await join(bob, room);
    const c = await join(carol, room);

    aliceTab1.socket.send({ type: "send", id: "secret-1", text: "Just for you, Bob", to: bob.user.id });

    await aliceTab1.socket.next("ack", (a) => a.id === "secret-1");
    expect(await b.socket.next("message")).toMatchObject({ text: "Just for you, Bob", to: bob.user.id });
    expect(await aliceTab2.socket.next("message")).toMatchObject({ id: "secret-1", to: bob.user.id });
    expect(await c.socket.quietFor("message", 300)).toEqual([]);

    const carolsView = await chat.api<MessagesPage>(carol.token, `/api/rooms/${room}/messages`);
    expect(carolsView.body.messages).toEqual([]);
  });

  it("sent while the recipient was offline reach them when they come back", async () => {
    const room = uniqueRoom("offline-dm");
    const b = await join(bob, room);
    await b.socket.close();
    const a = await join(alice, room);

    a.socket.send({ type: "send", id: "while-away", text: "Call me when you are back", to: bob.user.id });
    await a.socket.next("ack");

    const back = await join(bob, room);
    expect(back.history.messages).toMatchObject([{ id: "while-away", to: bob.user.id, from: alice.user }]);
  });

  it("to someone who never joined the room are refused as unknown_user", async () => {
    const room = uniqueRoom("unknown");
    const a = await join(alice, room);
    a.socket.send({ type: "send", id: "to-nobody", text: "Hello?", to: carol.user.id });
    expect(await a.socket.next("error")).toMatchObject({ code: "unknown_user", id: "to-nobody" });
  });
});

describe("presence", () => {
  it("counts several tabs of one user as one member", async () => {
    const room = uniqueRoom("tabs");
    const a = await join(alice, room);
    await a.socket.next("presence", (p) => p.joined.some((u) => u.id === alice.user.id));

    const bobTab1 = await join(bob, room);
    expect(await a.socket.next("presence")).toEqual({ type: "presence", joined: [bob.user], left: [] });
    const bobTab2 = await join(bob, room);
    expect(await a.socket.quietFor("presence", 300)).toEqual([]);

    await bobTab1.socket.close();
    expect(await a.socket.quietFor("presence", 300)).toEqual([]);
    await bobTab2.socket.close();
    expect(await a.socket.next("presence")).toEqual({ type: "presence", joined: [], left: [bob.user] });

    a.socket.send({ type: "who" });
    const { members } = await a.socket.next("members");
    expect(members.map((m) => [m.name, m.online])).toEqual([
      ["Alice", true],
      ["Bob", false],
    ]);
    expect(members[1]!.lastSeen).toBeGreaterThan(0);
  });

  it("announces a crowd arriving at once in a few frames, not one per arrival", async () => {
    const room = uniqueRoom("crowd");
    const a = await join(alice, room);
    await a.socket.next("presence");
    const crowd = await Promise.all(Array.from({ length: 20 }, (_, i) => chat.signIn(`Guest ${i}`)));

    await Promise.all(crowd.map((guest) => join(guest, room)));

    const announced = new Set<string>();
    let frames = 0;
    while (announced.size < crowd.length) {
      const presence = await a.socket.next("presence");
      frames++;
      for (const user of presence.joined) announced.add(user.id);
    }
    expect(announced).toEqual(new Set(crowd.map((g) => g.user.id)));
    expect(frames).toBeLessThan(crowd.length / 2);
  });
});

describe("resuming after a disconnect", () => {
  it("gives a returning client exactly the messages it missed, oldest first", async () => {
    const room = uniqueRoom("resume");
    const a = await join(alice, room);
    const b = await join(bob, room);
    a.socket.send({ type: "send", id: "seen", text: "Bob sees this one" });
    const seen = await b.socket.next("message");
    await b.socket.close();

    for (let n = 1; n <= 5; n++) {
      a.socket.send({ type: "send", id: `missed-${n}`, text: `missed ${n}` });
      await a.socket.next("ack");
    }

    const back = await join(bob, room, `?after=${seen.seq}`);
    expect(back.history.messages.map((m) => m.id)).toEqual(["missed-1", "missed-2", "missed-3", "missed-4", "missed-5"]);
    expect(back.history.more).toBe(false);
    expect(back.welcome.seq).toBe(seen.seq + 5);
  });

  it("stores a message re-sent after a lost ack once, and acknowledges it with the original seq", async () => {
    const room = uniqueRoom("retransmit");
    const a = await join(alice, room);
    const b = await join(bob, room);
    a.socket.send({ type: "send", id: "maybe-lost", text: "Did this arrive?" });
    const first = await a.socket.next("ack");
    await b.socket.next("message");
    await a.socket.close();

    const again = await join(alice, room);
    again.socket.send({ type: "send", id: "maybe-lost", text: "Did this arrive?" });
    expect(await again.socket.next("ack")).toEqual(first);
    expect(await b.socket.quietFor("message", 300)).toEqual([]);

    const page = await chat.api<MessagesPage>(bob.token, `/api/rooms/${room}/messages`);
    expect(page.body.messages.map((m) => m.id)).toEqual(["maybe-lost"]);
  });

  it("pages the rest over HTTP when more than 500 messages were missed", async () => {
    const room = uniqueRoom("long-absence");
    const posters = await Promise.all(Array.from({ length: 26 }, (_, i) => chat.signIn(`Writer ${i}`)));
    const sockets = await Promise.all(posters.map((p) => join(p, room)));
    let n = 0;
    for (let round = 0; round < 20; round++) {
      for (const { socket } of sockets) socket.send({ type: "send", id: `r${round}`, text: `message ${++n}` });
    }
    await Promise.all(sockets.map(async ({ socket }) => {
      for (let round = 0; round < 20; round++) await socket.next("ack");
    }));

    const back = await join(bob, room, "?after=0");
    expect(back.history.messages).toHaveLength(500);
    expect(back.history.more).toBe(true);
    const rest = await chat.api<MessagesPage>(bob.token, `/api/rooms/${room}/messages?after=500&limit=500`);
    expect(rest.body.messages.map((m) => m.seq)).toEqual(range(501, 520));
    expect(rest.body.more).toBe(false);
  });
});

describe("HTTP clients", () => {
  it("post with the same rules as a socket, and the room hears them", async () => {
    const room = uniqueRoom("http");
    const b = await join(bob, room);

    const posted = await chat.api<PostedMessage>(alice.token, `/api/rooms/${room}/messages`, {
      method: "POST",
      body: JSON.stringify({ id: "from-a-bot", text: "Posted over HTTP" }),
    });
    expect(posted.status).toBe(201);
    expect(await b.socket.next("message")).toMatchObject({ seq: posted.body.seq, from: alice.user });

    const repeat = await chat.api<PostedMessage>(alice.token, `/api/rooms/${room}/messages`, {
      method: "POST",
      body: JSON.stringify({ id: "from-a-bot", text: "Posted over HTTP" }),
    });
    expect(repeat).toEqual({ status: 200, body: posted.body });

    const info = await chat.api<{ members: { name: string; online: boolean }[] }>(alice.token, `/api/rooms/${room}`);
    expect(info.body.members).toEqual([
      expect.objectContaining({ name: "Bob", online: true }),
      expect.objectContaining({ name: "Alice", online: false }),
    ]);
  });

  it("can long-poll: the request returns as soon as a message arrives, or empty when the wait is over", async () => {
    const room = uniqueRoom("long-poll");
    await chat.api(alice.token, `/api/rooms/${room}/join`, { method: "POST" });

    const started = Date.now();
    const empty = await chat.api<MessagesPage>(bob.token, `/api/rooms/${room}/messages?after=0&wait=1`);
    expect(empty.body.messages).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);

    const waiting = chat.api<MessagesPage>(bob.token, `/api/rooms/${room}/messages?after=0&wait=25`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await chat.api(alice.token, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: "wake", text: "wake up" }) });
    const woken = await waiting;
    expect(woken.body.messages.map((m) => m.text)).toEqual(["wake up"]);

    const tooLong = await chat.api(bob.token, `/api/rooms/${room}/messages?after=0&wait=26`);
    expect(tooLong.status).toBe(400);
  });

  it("join a room without a socket, becoming members", async () => {
    const room = uniqueRoom("http-join");
    const joined = await chat.api<{ members: { name: string }[] }>(carol.token, `/api/rooms/${room}/join`, { method: "POST" });
    expect(joined.status).toBe(200);
    expect(joined.body.members.map((m) => m.name)).toEqual(["Carol"]);
  });

  it("report the server as healthy without a token", async () => {
    const response = await fetch(`${chat.base}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });
});

describe("the pages", () => {
  it.each(["/", "/r/lobby"])("%s is served with a strict content security policy and no sniffing", async (path) => {
    const response = await fetch(`${chat.base}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/html");
    expect(response.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
  });

  it("every room shares the room page, whose script is served from the Worker itself", async () => {
    const html = await (await fetch(`${chat.base}/r/some-room`)).text();
    expect(html).toContain('src="/build/room.js"');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await fetch(`${chat.base}/build/room.js`);
    expect(script.status).toBe(200);
  });
});

describe("a restart of the server", () => {
  it("closes every socket, and clients that come back lose nothing", async () => {
    const room = uniqueRoom("restart");
    const a = await join(alice, room);
    const b = await join(bob, room);
    a.socket.send({ type: "send", id: "before-restart", text: "Before the restart" });
    const lastSeenByBob: ChatMessage = await b.socket.next("message");

    await chat.restart();
    expect((await a.socket.closed).code).not.toBe(1000);
    await b.socket.closed;

    const a2 = await join(alice, room);
    expect(a2.history.messages.map((m) => m.id)).toEqual(["before-restart"]);
    a2.socket.send({ type: "send", id: "after-restart", text: "After the restart" });
    await a2.socket.next("ack");

    const b2 = await join(bob, room, `?after=${lastSeenByBob.seq}`);
    expect(b2.history.messages.map((m) => m.id)).toEqual(["after-restart"]);
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
