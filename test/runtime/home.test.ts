import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { VARIABLES } from "../../src/config";
import { BEARER_PROTOCOL_PREFIX, CloseCode, PROTOCOL, type SessionResponse, type ApiErrorBody, type CreatedInvite, type CreatedRoom, type HomeRoom, type HomeRoomsResponse } from "../../src/protocol";
import type { ChatRoom } from "../../src/room/chat-room";
import { HomeSocket } from "../support/home-socket";
import { forgeSessionToken } from "../support/tokens";
import { api, connect, newRoom, newUser, type TestUser } from "./helpers";

async function rooms(user: TestUser): Promise<HomeRoom[]> {
  const response = await api(user, "/api/me/rooms");
  expect(response.status).toBe(200);
  return ((await response.json()) as HomeRoomsResponse).rooms;
}

async function roomOf(user: TestUser, id: string): Promise<HomeRoom | undefined> {
  return (await rooms(user)).find((room) => room.id === id);
}

async function post(user: TestUser, room: string, text: string, to?: string): Promise<number> {
  const body = { id: crypto.randomUUID(), text, ...(to ? { to } : {}) };
  const response = await api(user, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return ((await response.json()) as { seq: number }).seq;
}

function read(user: TestUser, room: string, seq: number): Promise<Response> {
  return api(user, `/api/rooms/${room}/read`, { method: "POST", body: JSON.stringify({ seq }) });
}

async function openHome(user: TestUser): Promise<{ home: HomeSocket; rooms: HomeRoom[] }> {
  const response = await SELF.fetch("https://chat.test/api/me/ws", {
    headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `${PROTOCOL}, ${BEARER_PROTOCOL_PREFIX}${user.token}` },
  });
  expect(response.status).toBe(101);
  response.webSocket!.accept();
  const home = new HomeSocket(response.webSocket!);
  return { home, rooms: (await home.next("rooms")).rooms };
}

/** Joining tells the hub without holding up the member; wait until it has heard. */
async function listed(user: TestUser, room: string): Promise<void> {
  await expect.poll(() => roomOf(user, room)).toBeDefined();
}

async function watchersOf(room: string): Promise<string[]> {
  return runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(room)), (_, state) =>
    state.storage.sql.exec<{ user_id: string }>("SELECT user_id FROM home_watchers ORDER BY user_id").toArray().map((r) => r.user_id),
  );
}

describe("a person's home", () => {
  it("lists the private room they made and the one they were invited to, with their role", async () => {
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    const created = (await (await api(ada, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "private", title: "Design review" }) })).json()) as CreatedRoom;
    const id = created.room.id;
    const token = new URL((created.invite as CreatedInvite).url).hash.replace("#invite=", "");
    expect((await api(bob, `/api/rooms/${id}/join`, { method: "POST", body: JSON.stringify({ invite: token }) })).status).toBe(200);

    expect(await roomOf(ada, id)).toMatchObject({ id, title: "Design review", visibility: "private", role: "owner", unread: 0 });
    await expect.poll(() => roomOf(bob, id)).toMatchObject({ id, title: "Design review", visibility: "private", role: "member", unread: 0 });
    expect(await rooms(await newUser("Stranger"))).toEqual([]);
  });

  it("counts what is unread: not their own messages, not others' direct messages; direct messages to them are mentions", async () => {
    const room = newRoom("counts");
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    await connect(room, bob);
    await connect(room, cy);
    for (const text of ["one", "two", "three"]) await post(ada, room, text);
    await post(ada, room, "for Cy only", cy.id);
    const dm = await post(ada, room, "for Bob only", bob.id);
    await post(bob, room, "Bob's own");

    await expect.poll(() => roomOf(bob, room)).toMatchObject({ seq: 6, lastReadSeq: 0, unread: 4, mentions: 1, last: { text: "Bob's own", from: { id: bob.id } } });
    await expect.poll(() => roomOf(cy, room)).toMatchObject({ unread: 5, mentions: 1, last: { text: "Bob's own" } });

    expect((await read(bob, room, 3)).status).toBe(204);
    expect(await roomOf(bob, room)).toMatchObject({ lastReadSeq: 3, unread: 1, mentions: 1 });
    expect((await read(bob, room, 1)).status).toBe(204);
    expect(await roomOf(bob, room)).toMatchObject({ lastReadSeq: 3, unread: 1 });
    expect((await read(bob, room, dm + 100)).status).toBe(204);
    expect(await roomOf(bob, room)).toMatchObject({ lastReadSeq: 6, unread: 0, mentions: 0 });
  });

  it("counts thousands of unread messages exactly, and keeps the counts when the room and the hub sleep", async () => {
    const room = newRoom("thousands");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    await connect(room, bob);
    await post(ada, room, "first");
    const stub = env.ROOMS.get(env.ROOMS.idFromName(room));
    // Straight into the log: the rate limit would take minutes to let 3,000 through.
    await runInDurableObject(stub, (_, state) => {
      for (let n = 0; n < 3000; n++) {
        const to = n % 10 === 0 ? bob.id : null;
        state.storage.sql.exec("INSERT INTO messages (id, sender_id, sender_name, recipient_id, text, ts) VALUES (?, ?, 'Ada', ?, ?, ?)", `bulk-${n}`, ada.id, to, `bulk ${n}`, Date.now());
      }
    });
    await expect.poll(() => roomOf(bob, room)).toMatchObject({ seq: 3001, unread: 3001, mentions: 300, last: { text: "bulk 2999" } });

    await evictDurableObject(stub, { webSockets: "hibernate" });
    await evictDurableObject(env.HUBS.get(env.HUBS.idFromName(bob.id)));
    expect(await roomOf(bob, room)).toMatchObject({ seq: 3001, unread: 3001, mentions: 300 });
  });

  it("cuts the last message to 140 characters", async () => {
    const room = newRoom("preview");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    await connect(room, bob);
    await post(ada, room, "é".repeat(400));
    const last = (await roomOf(bob, room))!.last!;
    expect(Array.from(last.text)).toHaveLength(140);
    expect(last.text.endsWith("…")).toBe(true);
  });

  it("loses a room the person leaves or is removed from, and the room closes their sockets", async () => {
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    const created = (await (await api(ada, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "private" }) })).json()) as CreatedRoom;
    const id = created.room.id;
    const token = new URL(created.invite!.url).hash.replace("#invite=", "");
    for (const user of [bob, cy]) await api(user, `/api/rooms/${id}/join`, { method: "POST", body: JSON.stringify({ invite: token }) });
    const bobs = await connect(id, bob);
    await listed(cy, id);

    expect((await api(bob, `/api/rooms/${id}/members/me`, { method: "DELETE" })).status).toBe(204);
    expect((await bobs.closed).code).toBe(4003);
    expect(await roomOf(bob, id)).toBeUndefined();
    expect((await api(bob, `/api/rooms/${id}/messages`)).status).toBe(403);

    expect((await api(ada, `/api/rooms/${id}/members/${cy.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await roomOf(cy, id)).toBeUndefined();
    expect(await roomOf(ada, id)).toMatchObject({ role: "owner" });
    const refused = await api(ada, `/api/rooms/${id}/members/me`, { method: "DELETE" });
    expect(refused.status).toBe(400);
  });
});

describe("an open home page", () => {
  it("hears of a new message, of a read on another device, and of joining and leaving, live", async () => {
    const room = newRoom("live");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    const bobs = await connect(room, bob);
    await listed(bob, room);
    const { home, rooms: first } = await openHome(bob);
    expect(first.map((r) => r.id)).toEqual([room]);

    const started = Date.now();
    await post(ada, room, "are you there?");
    expect((await home.next("room", (f) => f.room.unread === 1)).room).toMatchObject({ id: room, last: { text: "are you there?" } });
    expect(Date.now() - started).toBeLessThan(2000);

    bobs.send({ type: "read", seq: 1 });
    expect((await home.next("room", (f) => f.room.unread === 0)).room).toMatchObject({ lastReadSeq: 1 });

    const other = newRoom("joined-later");
    await connect(other, bob);
    expect((await home.next("room", (f) => f.room.id === other)).room).toMatchObject({ role: "member", unread: 0 });
    await api(bob, `/api/rooms/${other}/members/me`, { method: "DELETE" });
    expect(await home.next("room_left")).toEqual({ type: "room_left", id: other });
    home.close();
  });

  it("costs a closed home one notice between its loads, and an open one a notice per change", async () => {
    const room = newRoom("watchers");
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    for (const user of [ada, bob, cy]) await connect(room, user);
    await listed(bob, room);
    // Bob's hub holds a copy of the room's entry: the room owes it the next change.
    expect(await watchersOf(room)).toContain(bob.id);

    await post(ada, room, "hello");
    // Nobody looks: the hub takes that one notice and the room stops telling it.
    await expect.poll(() => watchersOf(room), { timeout: 4000 }).not.toContain(bob.id);
    await post(ada, room, "anyone?");
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await watchersOf(room)).not.toContain(bob.id);
    // The next load asks the room again, as its copy is stale, and is right.
    expect(await roomOf(bob, room)).toMatchObject({ unread: 2, last: { text: "anyone?" } });
    expect(await watchersOf(room)).toContain(bob.id);

    const { home } = await openHome(bob);
    await post(ada, room, "you there?");
    await home.next("room", (f) => f.room.unread === 3);
    await post(cy, room, "hi Bob");
    await home.next("room", (f) => f.room.unread === 4);
    expect(await watchersOf(room)).toContain(bob.id);

    // Closed: the hub answers the next news with "nobody looking", and the room stops sending.
    home.close();
    await post(ada, room, "gone?");
    await expect.poll(() => watchersOf(room), { timeout: 4000 }).not.toContain(bob.id);
  });

  it("closes with 4001 when its token expires, as a room's socket does, and hears nothing after", async () => {
    const room = newRoom("home-expiry");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    await connect(room, bob);
    await listed(bob, room);
    const shortLived = { ...bob, token: await forgeSessionToken(env.JWT_SECRET!, { sub: bob.id, name: "Bob", exp: Math.floor(Date.now() / 1000) + 1 }) };
    const { home } = await openHome(shortLived);

    await new Promise((resolve) => setTimeout(resolve, 1500));
    await runDurableObjectAlarm(env.HUBS.get(env.HUBS.idFromName(bob.id)));
    expect(await home.closed).toEqual({ code: CloseCode.InvalidToken, reason: "your session expired; sign in again" });
    await post(ada, room, "a preview nobody may see");
    await expect(home.next("room", () => true, 1500)).rejects.toThrow(/no "room" frame/);
  });

  it("closes when its session is signed out", async () => {
    const signedIn = (await (await SELF.fetch("https://chat.test/api/session", { method: "POST", body: JSON.stringify({ name: "Ada" }) })).json()) as SessionResponse;
    const ada = { ...signedIn.user, token: signedIn.token };
    const { home } = await openHome(ada);
    expect((await api(ada, "/api/session", { method: "DELETE" })).status).toBe(204);
    expect(await home.closed).toEqual({ code: CloseCode.InvalidToken, reason: "this session was signed out" });
    const again = await SELF.fetch("https://chat.test/api/me/ws", {
      headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `${PROTOCOL}, ${BEARER_PROTOCOL_PREFIX}${ada.token}` },
    });
    expect(await refusal(again)).toEqual({ code: CloseCode.InvalidToken, error: "this session was signed out; sign in again" });
  });

  it(`is refused with too_many_connections and 4008 past HOME_SOCKETS_PER_USER (${VARIABLES.HOME_SOCKETS_PER_USER.default})`, async () => {
    const ada = await newUser("Ada");
    const homes = [];
    for (let n = 0; n < VARIABLES.HOME_SOCKETS_PER_USER.default; n++) homes.push((await openHome(ada)).home);
    const response = await SELF.fetch("https://chat.test/api/me/ws", {
      headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `${PROTOCOL}, ${BEARER_PROTOCOL_PREFIX}${ada.token}` },
    });
    expect(await refusal(response)).toEqual({ code: CloseCode.Abuse, error: "you have 20 home pages open; close one first" });
    // One page closed: another may open.
    homes[0]!.close();
    await expect.poll(() => firstFrameType(ada), { timeout: 3000 }).toBe("rooms");
    for (const home of homes) home.close();
  });
});

async function firstFrameType(user: TestUser): Promise<string> {
  const response = await SELF.fetch("https://chat.test/api/me/ws", {
    headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `${PROTOCOL}, ${BEARER_PROTOCOL_PREFIX}${user.token}` },
  });
  const ws = response.webSocket!;
  const first = new Promise<string>((resolve) => ws.addEventListener("message", (event) => resolve((JSON.parse(String(event.data)) as { type: string }).type)));
  ws.accept();
  const type = await first;
  ws.close(1000, "done");
  return type;
}

/** A refused upgrade: accepted only to say why (an error frame) and close. */
async function refusal(response: Response): Promise<{ code: number; error: string }> {
  expect(response.status).toBe(101);
  const ws = response.webSocket!;
  const error = new Promise<string>((resolve) => ws.addEventListener("message", (event) => resolve((JSON.parse(String(event.data)) as { message: string }).message)));
  const closed = new Promise<number>((resolve) => ws.addEventListener("close", (event) => resolve(event.code)));
  ws.accept();
  return { code: await closed, error: await error };
}

describe("a one-to-one conversation", () => {
  async function startDirect(from: TestUser, to: string): Promise<Response> {
    return api(from, "/api/dm", { method: "POST", body: JSON.stringify({ user: to }) });
  }

  it("is the same room whoever starts it, listed in both homes under the other's name", async () => {
    const room = newRoom("met-here");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    await connect(room, ada);
    await connect(room, bob);

    const started = await startDirect(ada, bob.id);
    expect(started.status).toBe(200);
    const { room: direct } = (await started.json()) as CreatedRoom;
    expect(direct).toMatchObject({ visibility: "private", direct: true });
    expect(direct.id).toMatch(/^dm-[A-Za-z0-9_-]{22}$/);
    const again = (await (await startDirect(bob, ada.id)).json()) as CreatedRoom;
    expect(again.room.id).toBe(direct.id);

    await expect.poll(() => roomOf(ada, direct.id)).toMatchObject({ direct: true, title: "Bob", role: "member" });
    await expect.poll(() => roomOf(bob, direct.id)).toMatchObject({ direct: true, title: "Ada" });
    await post(ada, direct.id, "just between us");
    expect(await roomOf(bob, direct.id)).toMatchObject({ unread: 1, last: { text: "just between us" } });
  });

  it("cannot be started with a stranger, entered by a third person, widened by invites, or left", async () => {
    const room = newRoom("pair");
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    await connect(room, ada);
    await connect(room, bob);

    const stranger = await startDirect(cy, ada.id);
    expect(stranger.status).toBe(403);
    expect(((await stranger.json()) as ApiErrorBody).error.message).toBe("you can only start a conversation with someone who shares a room with you");
    expect((await startDirect(ada, ada.id)).status).toBe(400);
    expect((await startDirect(ada, "")).status).toBe(400);

    const { room: direct } = (await (await startDirect(ada, bob.id)).json()) as CreatedRoom;
    expect((await api(cy, `/api/rooms/${direct.id}/messages`)).status).toBe(403);
    expect((await api(cy, `/api/rooms/${direct.id}/join`, { method: "POST" })).status).toBe(403);
    expect((await api(ada, `/api/rooms/${direct.id}/invites`, { method: "POST", body: "{}" })).status).toBe(400);
    expect((await api(ada, `/api/rooms/${direct.id}/members/me`, { method: "DELETE" })).status).toBe(400);
    expect((await api(ada, `/api/rooms/${direct.id}/members/${bob.id}`, { method: "DELETE" })).status).toBe(403);
  });

  it("can be left: it leaves the home, and comes back when reopened or when the other writes, unless the person chose otherwise", async () => {
    const room = newRoom("leave-dm");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    await connect(room, ada);
    await connect(room, bob);
    const { room: direct } = (await (await startDirect(bob, ada.id)).json()) as CreatedRoom;
    await listed(ada, direct.id);
    const { home } = await openHome(ada);

    expect((await api(ada, `/api/me/rooms/${direct.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await home.next("room_left")).toEqual({ type: "room_left", id: direct.id });
    expect(await roomOf(ada, direct.id)).toBeUndefined();
    expect((await api(ada, `/api/me/rooms/${room}`, { method: "DELETE" })).status).toBe(400);

    await post(bob, direct.id, "still there?");
    await expect.poll(() => roomOf(ada, direct.id)).toMatchObject({ unread: 1, last: { text: "still there?" } });
    expect((await home.next("room", (f) => f.room.id === direct.id)).room).toMatchObject({ unread: 1 });

    expect((await api(ada, "/api/me/settings", { method: "PUT", body: JSON.stringify({ reopenOnMessage: false }) })).status).toBe(200);
    expect((await api(ada, `/api/me/rooms/${direct.id}`, { method: "DELETE" })).status).toBe(204);
    await post(bob, direct.id, "hello?");
    expect(await roomOf(ada, direct.id)).toBeUndefined();
    expect((await startDirect(ada, bob.id)).status).toBe(200);
    await expect.poll(() => roomOf(ada, direct.id)).toMatchObject({ unread: 2 });
    home.close();
  });

  it("cannot be opened by someone you blocked, who is told so, and cannot bring back one you left", async () => {
    const room = newRoom("block");
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    for (const user of [ada, bob, cy]) await connect(room, user);
    const { room: direct } = (await (await startDirect(bob, ada.id)).json()) as CreatedRoom;
    await listed(ada, direct.id);

    expect((await api(ada, `/api/me/blocked/${bob.id}`, { method: "PUT" })).status).toBe(204);
    expect(await (await api(ada, "/api/me/blocked")).json()).toEqual({ blocked: [{ id: bob.id, blockedAt: expect.any(Number) }] });
    const refused = await startDirect(bob, ada.id);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ApiErrorBody).error).toMatchObject({ code: "forbidden", message: "this person has blocked you: you cannot start a conversation with them" });
    expect((await startDirect(cy, ada.id)).status).toBe(200);

    expect((await api(ada, `/api/me/rooms/${direct.id}`, { method: "DELETE" })).status).toBe(204);
    const letMeIn = { id: "let-me-in", text: "let me in" };
    expect((await api(bob, `/api/rooms/${direct.id}/messages`, { method: "POST", body: JSON.stringify(letMeIn) })).status).toBe(403);
    expect(await roomOf(ada, direct.id)).toBeUndefined();

    expect((await api(ada, `/api/me/blocked/${bob.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(ada, `/api/me/blocked/${bob.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await startDirect(bob, ada.id)).status).toBe(200);
    expect((await api(ada, `/api/me/blocked/${ada.id}`, { method: "PUT" })).status).toBe(400);
  });

  it("blocks are at most 3 per person in this project (BLOCKS_PER_USER): the next is refused, saying to unblock someone first", async () => {
    const ada = await newUser("Ada");
    const others = [await newUser("B1"), await newUser("B2"), await newUser("B3"), await newUser("B4")];
    for (const other of others.slice(0, 3)) expect((await api(ada, `/api/me/blocked/${other.id}`, { method: "PUT" })).status).toBe(204);
    // Blocking again someone already blocked changes nothing and is not refused.
    expect((await api(ada, `/api/me/blocked/${others[0]!.id}`, { method: "PUT" })).status).toBe(204);
    const refused = await api(ada, `/api/me/blocked/${others[3]!.id}`, { method: "PUT" });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ApiErrorBody).error.message).toMatch(/blocked 3 people.*unblock someone first/);
    expect((await api(ada, `/api/me/blocked/${others[1]!.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(ada, `/api/me/blocked/${others[3]!.id}`, { method: "PUT" })).status).toBe(204);
    expect(((await (await api(ada, "/api/me/blocked")).json()) as { blocked: { id: string }[] }).blocked.map((b) => b.id).sort()).toEqual([others[0]!.id, others[2]!.id, others[3]!.id].sort());
  });

  it("blocked people are listed under the name given when blocking them, and a body that is not one is refused", async () => {
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    expect((await api(ada, `/api/me/blocked/${bob.id}`, { method: "PUT", body: JSON.stringify({ name: "Bob" }) })).status).toBe(204);
    expect(await (await api(ada, "/api/me/blocked")).json()).toEqual({ blocked: [{ id: bob.id, name: "Bob", blockedAt: expect.any(Number) }] });
    for (const body of ["not json", JSON.stringify({ name: "" }), JSON.stringify([1])]) {
      const refused = await api(ada, `/api/me/blocked/${bob.id}`, { method: "PUT", body });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as ApiErrorBody).error.code).toBe("bad_message");
    }
  });

  it("keep a blocked person's direct messages and mentions from you in every room you share, and in rooms you join later", async () => {
    const [shared, later] = [newRoom("block-shared"), newRoom("block-later")];
    const [ada, mallory, cy] = [await newUser("Ada"), await newUser("Mallory"), await newUser("Cy")];
    for (const user of [ada, mallory, cy]) await connect(shared, user);
    await connect(later, mallory);
    const send = (user: TestUser, room: string, body: object) => api(user, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: crypto.randomUUID(), ...body }) });

    expect((await api(ada, `/api/me/blocked/${mallory.id}`, { method: "PUT" })).status).toBe(204);
    const refused = await send(mallory, shared, { text: "psst", to: ada.id });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ApiErrorBody).error).toMatchObject({ code: "forbidden", message: expect.stringContaining("has blocked you") });
    expect((await send(mallory, shared, { text: "@Ada look", mentions: [ada.id] })).status).toBe(403);
    expect((await send(mallory, shared, { text: "hello all" })).status).toBe(201);
    expect((await send(mallory, shared, { text: "hi Cy", to: cy.id })).status).toBe(201);

    // Joining answers once the room has heard from Ada's hub whom she blocks.
    expect((await api(ada, `/api/rooms/${later}/join`, { method: "POST" })).status).toBe(200);
    expect((await send(mallory, later, { text: "found you", to: ada.id })).status).toBe(403);

    expect((await api(ada, `/api/me/blocked/${mallory.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await send(mallory, shared, { text: "sorry", to: ada.id })).status).toBe(201);
    expect((await send(mallory, later, { text: "sorry", to: ada.id })).status).toBe(201);
  });

  it("reach a room that missed the change with the next read of the home", async () => {
    const room = newRoom("block-heals");
    const [ada, mallory] = [await newUser("Ada"), await newUser("Mallory")];
    for (const user of [ada, mallory]) await connect(room, user);
    await listed(ada, room);
    const dm = (id: string) => api(mallory, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id, text: "psst", to: ada.id }) });
    // The room cannot be reached while Ada's hub tells it.
    const prototype = await runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(room)), (instance: ChatRoom) => Object.getPrototypeOf(instance) as ChatRoom);
    const blocksOf = prototype.blocksOf;
    prototype.blocksOf = () => Promise.reject(new Error("unreachable"));
    try {
      expect((await api(ada, `/api/me/blocked/${mallory.id}`, { method: "PUT" })).status).toBe(204);
    } finally {
      prototype.blocksOf = blocksOf;
    }
    const blocksHeld = () =>
      runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(room)), (_, state) => state.storage.sql.exec("SELECT blocker, blocked FROM blocks").toArray());
    expect(await blocksHeld()).toEqual([]);

    expect((await api(ada, "/api/me/rooms")).status).toBe(200);
    expect(await blocksHeld()).toEqual([{ blocker: ada.id, blocked: mallory.id }]);
    expect((await dm("after-home-read")).status).toBe(403);
  });

  it("can be started with at most NEW_CONVERSATIONS_PER_USER_DAY new people a day; reopening one is free", async () => {
    const room = newRoom("many-dms");
    const [ada, ...others] = [await newUser("Ada"), await newUser("B1"), await newUser("B2"), await newUser("B3"), await newUser("B4")];
    for (const user of [ada, ...others]) await connect(room, user);
    for (const other of others.slice(0, 3)) expect((await startDirect(ada, other.id)).status).toBe(200);
    const refused = await startDirect(ada, others[3]!.id);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ApiErrorBody).error).toMatchObject({ code: "rate_limited", message: "you can start 3 conversations a day; try again later" });
    expect((await startDirect(ada, others[0]!.id)).status).toBe(200);
    // The other person may still start one with Ada: the limit is the starter's.
    expect((await startDirect(others[3]!, ada.id)).status).toBe(200);
  });
});

describe("an @-mention", () => {
  it("is stored with the message, delivered with it, and counted on the mentioned person's home only", async () => {
    const room = newRoom("mentions");
    const [ada, bob, cy] = [await newUser("Ada"), await newUser("Bob"), await newUser("Cy")];
    const adas = await connect(room, ada);
    const bobs = await connect(room, bob);
    await connect(room, cy);

    adas.send({ type: "send", id: "m1", text: "@Bob can you look?", mentions: [bob.id, bob.id] });
    expect(await adas.next("ack")).toMatchObject({ seq: 1 });
    expect(await bobs.next("message")).toMatchObject({ text: "@Bob can you look?", mentions: [bob.id] });
    adas.send({ type: "send", id: "m2", text: "thanks all" });
    await adas.next("ack");

    await expect.poll(() => roomOf(bob, room)).toMatchObject({ unread: 2, mentions: 1 });
    await expect.poll(() => roomOf(cy, room)).toMatchObject({ unread: 2, mentions: 0 });
    const history = (await (await api(cy, `/api/rooms/${room}/messages`)).json()) as { messages: { mentions?: string[] }[] };
    expect(history.messages.map((m) => m.mentions)).toEqual([[bob.id], undefined]);
  });

  it("of someone outside the room, or of too many, is refused with a reason", async () => {
    const room = newRoom("bad-mentions");
    const ada = await newUser("Ada");
    const adas = await connect(room, ada);
    adas.send({ type: "send", id: "x1", text: "hi @nobody", mentions: ["g_nobody"] });
    expect(await adas.next("error")).toMatchObject({ id: "x1", code: "unknown_user", message: "only members of this room can be mentioned" });
    adas.send({ type: "send", id: "x2", text: "everyone", mentions: Array.from({ length: 21 }, (_, n) => `g_${n}`) });
    expect(await adas.next("error")).toMatchObject({ id: "x2", code: "bad_message", message: "at most 20 people can be mentioned in one message" });
    adas.send(JSON.stringify({ type: "send", id: "x3", text: "odd", mentions: "g_bob" }));
    expect(await adas.next("error")).toMatchObject({ id: "x3", message: "mentions must be a list of user ids" });
  });
});
