import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCode, type CreatedInvite, type CreatedRoom, type ErrorFrame, type MessagesPage, type SessionResponse } from "../../src/protocol";
import { LocalChat, uniqueRoom } from "../support/local-chat";
import { TestSocket } from "../support/test-socket";

const CAPS = { SOCKETS_PER_USER: 3, SOCKETS_PER_ROOM: 6, LONG_POLLS_PER_USER: 2, LONG_POLLS_PER_ROOM: 4 };
let chat: LocalChat;

beforeAll(async () => {
  chat = await LocalChat.start(Object.fromEntries(Object.entries(CAPS).map(([name, value]) => [name, String(value)])));
});

afterAll(() => chat.stop());

/** Opens a socket and reads its first frame: the welcome, or the error of a refusal. */
async function open(session: SessionResponse, room: string): Promise<{ socket: TestSocket; first: ErrorFrame | { type: "welcome" } }> {
  const socket = await TestSocket.open(chat.socketUrl(room), session.token);
  const first = await Promise.race([socket.next("welcome"), socket.next("error")]);
  return { socket, first };
}

describe("one person's sockets in a room", () => {
  it("are capped: the next is refused with a clear error and 4008, and their open ones stay", async () => {
    const room = uniqueRoom("sockets");
    const ada = await chat.signIn("Ada");
    const tabs = [];
    for (let n = 0; n < CAPS.SOCKETS_PER_USER; n++) tabs.push(await open(ada, room));
    expect(tabs.map((t) => t.first.type)).toEqual(Array(CAPS.SOCKETS_PER_USER).fill("welcome"));

    const extra = await open(ada, room);
    expect(extra.first).toMatchObject({ type: "error", code: "too_many_connections" });
    expect((extra.first as ErrorFrame).message).toContain(`${CAPS.SOCKETS_PER_USER} connections`);
    expect((await extra.socket.closed).code).toBe(CloseCode.Abuse);

    tabs[0]!.socket.send({ type: "send", id: "still", text: "my tabs still work" });
    await tabs[0]!.socket.next("ack");
    await tabs[0]!.socket.close();
    expect((await open(ada, room)).first.type).toBe("welcome");
  });
});

describe("a full room", () => {
  it("refuses the next socket before admitting anyone, so no invite is used up", async () => {
    const owner = await chat.signIn("Owner");
    const created = await chat.api<CreatedRoom>(owner.token, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "private" }) });
    const room = created.body.room.id;
    const people = await Promise.all(Array.from({ length: CAPS.SOCKETS_PER_ROOM }, (_, n) => chat.signIn(`Member ${n}`)));
    const once = await chat.api<CreatedInvite>(owner.token, `/api/rooms/${room}/invites`, { method: "POST", body: JSON.stringify({ maxUses: 1 }) });
    const token = new URL(once.body.url).hash.replace("#invite=", "");
    for (const person of people) {
      const invite = await chat.api<CreatedInvite>(owner.token, `/api/rooms/${room}/invites`, { method: "POST", body: "{}" });
      await chat.api(person.token, `/api/rooms/${room}/join`, { method: "POST", body: JSON.stringify({ invite: new URL(invite.body.url).hash.slice(8) }) });
      expect((await open(person, room)).first.type).toBe("welcome");
    }

    const latecomer = await chat.signIn("Latecomer");
    const refused = await TestSocket.open(chat.socketUrl(room), latecomer.token, token);
    expect(await refused.next("error")).toMatchObject({ code: "too_many_connections", message: expect.stringContaining("full") });
    expect((await refused.closed).code).toBe(CloseCode.Abuse);

    // The refusal used nothing up: the one-use invite still admits the latecomer.
    const joined = await chat.api(latecomer.token, `/api/rooms/${room}/join`, { method: "POST", body: JSON.stringify({ invite: token }) });
    expect(joined.status).toBe(200);
  });
});

describe("long-polls", () => {
  it("are capped per person and per room with 429, and the others' polls still get their messages", async () => {
    const room = uniqueRoom("polls");
    const [mallory, bob, carol] = await Promise.all([chat.signIn("Mallory"), chat.signIn("Bob"), chat.signIn("Carol")]);
    const poll = (session: SessionResponse) => chat.api<MessagesPage>(session.token, `/api/rooms/${room}/messages?after=0&wait=10`);
    await chat.api(mallory.token, `/api/rooms/${room}/join`, { method: "POST" });

    const held = [poll(mallory), poll(mallory)];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const third = await poll(mallory);
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ error: { code: "too_many_connections" } });

    const bobs = [poll(bob), poll(bob)];
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await poll(carol)).status).toBe(429);

    await chat.api(carol.token, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: "hello", text: "hello all" }) });
    for (const answer of await Promise.all([...held, ...bobs])) {
      expect(answer.status).toBe(200);
      expect(answer.body.messages.map((m) => m.text)).toEqual(["hello all"]);
    }
    expect((await chat.api(carol.token, `/api/rooms/${room}/messages?after=0&wait=1`)).status).toBe(200);
  });
});
