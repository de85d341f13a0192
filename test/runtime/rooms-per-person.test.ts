import { env, runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it, onTestFinished } from "vitest";
import { BEARER_PROTOCOL_PREFIX, CloseCode, PROTOCOL, type RoomSnapshot, type ApiErrorBody, type CreatedInvite, type CreatedRoom, type HomeRoom, type HomeRoomsResponse } from "../../src/protocol";
import type { ChatRoom } from "../../src/room/chat-room";
import { HomeSocket } from "../support/home-socket";
import { api, connect, newRoom, newUser, upgrade, type TestUser } from "./helpers";

// This project runs with ROOMS_PER_USER=8 and HOME_READS_PER_LOAD=4 (vitest.config.ts).
const CAP = 8;
const READS_PER_LOAD = 4;

async function home(user: TestUser): Promise<HomeRoom[]> {
  const response = await api(user, "/api/me/rooms");
  expect(response.status).toBe(200);
  return ((await response.json()) as HomeRoomsResponse).rooms;
}

async function join(user: TestUser, room: string, invite?: string): Promise<Response> {
  return api(user, `/api/rooms/${room}/join`, { method: "POST", body: JSON.stringify(invite ? { invite } : {}) });
}

async function joinRooms(user: TestUser, count: number): Promise<string[]> {
  const rooms = Array.from({ length: count }, () => newRoom("many"));
  for (const room of rooms) expect((await join(user, room)).status).toBe(200);
  return rooms;
}

async function post(user: TestUser, room: string, text: string): Promise<void> {
  const response = await api(user, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: crypto.randomUUID(), text }) });
  expect(response.status).toBe(201);
}

async function privateRoomWithInvite(owner: TestUser, maxUses: number): Promise<{ id: string; invite: string }> {
  const created = (await (await api(owner, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "private" }) })).json()) as CreatedRoom;
  const response = await api(owner, `/api/rooms/${created.room.id}/invites`, { method: "POST", body: JSON.stringify({ maxUses }) });
  expect(response.status).toBe(201);
  return { id: created.room.id, invite: new URL(((await response.json()) as CreatedInvite).url).hash.replace("#invite=", "") };
}

/**
 * Counts the home entries rooms hand out from now on: what loads of a home really ask. RPC
 * reaches only a class's methods, so the count wraps the method on the class, for this test.
 */
async function countEntryReads(anyRoom: string): Promise<{ reads: () => number; restore: () => void }> {
  let reads = 0;
  const prototype = await runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(anyRoom)), (instance: ChatRoom) => Object.getPrototypeOf(instance) as ChatRoom);
  const homeEntry = prototype.homeEntry;
  prototype.homeEntry = function (this: ChatRoom, ...args) {
    reads++;
    return homeEntry.apply(this, args);
  };
  return { reads: () => reads, restore: () => void (prototype.homeEntry = homeEntry) };
}

async function watchersOf(room: string): Promise<string[]> {
  return runInDurableObject(env.ROOMS.get(env.ROOMS.idFromName(room)), (_, state) =>
    state.storage.sql.exec<{ user_id: string }>("SELECT user_id FROM home_watchers").toArray().map((r) => r.user_id),
  );
}

describe("the rooms one person may be in", () => {
  it(`stop at ${CAP}: the next join by socket, HTTP, first post or a new room is refused, saying to leave one first`, async () => {
    const mia = await newUser("Mia");
    const rooms = await joinRooms(mia, CAP);

    const byHttp = await join(mia, newRoom("one-too-many"));
    expect(byHttp.status).toBe(403);
    expect(((await byHttp.json()) as ApiErrorBody).error).toMatchObject({ code: "forbidden", message: expect.stringMatching(/in 8 rooms.*leave one first/) });

    // A socket into a public room is let in at once and her hub asked after: it turns her away.
    const crowded = newRoom("one-too-many");
    const bySocket = await upgrade(crowded, mia);
    expect((await bySocket.next("error")).message).toMatch(/leave one first/);
    expect((await bySocket.closed).code).toBe(CloseCode.Forbidden);
    const snapshot = (await (await api(mia, `/api/rooms/${crowded}`)).json()) as RoomSnapshot;
    expect(snapshot.members.map((member) => member.id)).not.toContain(mia.id);

    const byPost = await api(mia, `/api/rooms/${newRoom("one-too-many")}/messages`, { method: "POST", body: JSON.stringify({ id: crypto.randomUUID(), text: "hi" }) });
    expect(byPost.status).toBe(403);
    expect((await api(mia, "/api/rooms", { method: "POST", body: JSON.stringify({ visibility: "private" }) })).status).toBe(403);

    // A room she is in still lets her in, and her home lists her rooms and nothing she was refused.
    await connect(rooms[0]!, mia);
    await expect.poll(async () => (await home(mia)).map((room) => room.id).sort(), { timeout: 4000 }).toEqual([...rooms].sort());

    // Leaving one makes room for another.
    expect((await api(mia, `/api/rooms/${rooms[1]}/members/me`, { method: "DELETE" })).status).toBe(204);
    expect((await join(mia, newRoom("room-again"))).status).toBe(200);
  });

  it("refused at the cap, an invite is not used up, and works once the person has room", async () => {
    const [owner, mia, next] = [await newUser("Owner"), await newUser("Mia"), await newUser("Next")];
    const rooms = await joinRooms(mia, CAP);
    const { id, invite } = await privateRoomWithInvite(owner, 1);

    expect((await join(mia, id, invite)).status).toBe(403);
    expect((await join(mia, id, invite)).status).toBe(403);
    expect((await api(mia, `/api/rooms/${rooms[0]}/members/me`, { method: "DELETE" })).status).toBe(204);
    expect((await join(mia, id, invite)).status).toBe(200);
    // One use, Mia's: the link is spent for anyone else.
    expect((await join(next, id, invite)).status).toBe(403);
  });

  it("a conversation with someone at the cap is refused without making anything, naming why", async () => {
    const [ada, mia] = [await newUser("Ada"), await newUser("Mia")];
    const [shared] = await joinRooms(mia, CAP);
    expect((await join(ada, shared!)).status).toBe(200);

    // Refused as often as the day allows new conversations (3 in this project): none is counted.
    for (let n = 0; n < 3; n++) {
      const started = await api(ada, "/api/dm", { method: "POST", body: JSON.stringify({ user: mia.id }) });
      expect(started.status).toBe(403);
      expect(((await started.json()) as ApiErrorBody).error.message).toMatch(/that person is in as many rooms as they may be/);
    }
    expect((await home(ada)).map((room) => room.id)).toEqual([shared]);
    const bob = await newUser("Bob");
    expect((await join(bob, shared!)).status).toBe(200);
    expect((await api(ada, "/api/dm", { method: "POST", body: JSON.stringify({ user: bob.id }) })).status).toBe(200);
  });
});

describe("a home's load", () => {
  it("sends an open home page every room, the ones past its first share as they are asked, and keeps them all live", async () => {
    const [mia, ada] = [await newUser("Mia"), await newUser("Ada")];
    const rooms = await joinRooms(mia, 6);
    const response = await SELF.fetch("https://chat.test/api/me/ws", {
      headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `${PROTOCOL}, ${BEARER_PROTOCOL_PREFIX}${mia.token}` },
    });
    response.webSocket!.accept();
    const socket = new HomeSocket(response.webSocket!);
    expect((await socket.next("rooms")).rooms).toHaveLength(READS_PER_LOAD);
    const later = new Set<string>();
    for (let n = 0; n < 6 - READS_PER_LOAD; n++) later.add((await socket.next("room")).room.id);
    expect(later.size).toBe(6 - READS_PER_LOAD);

    for (const room of rooms) {
      expect((await join(ada, room)).status).toBe(200);
      await post(ada, room, `news in ${room}`);
    }
    const live = new Set<string>();
    while (live.size < rooms.length) live.add((await socket.next("room", (f) => f.room.unread === 1)).room.id);
    expect([...live].sort()).toEqual([...rooms].sort());
    socket.close();
  });

  it("shows the newest message's words without their formatting", async () => {
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    const room = newRoom("plain-preview");
    expect((await join(bob, room)).status).toBe(200);
    await post(ada, room, "**ship it** on _Friday_, see [the plan](https://example.com/plan)");
    await expect.poll(async () => (await home(bob))[0]?.last?.text, { timeout: 4000 }).toBe("ship it on Friday, see the plan");
  });

  it("shows a message deleted since the last load as gone, on every member's home", async () => {
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    const room = newRoom("deleted-preview");
    expect((await join(bob, room)).status).toBe(200);
    await post(ada, room, "an ordinary line");
    const response = await api(ada, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: "oops", text: "my password is hunter2" }) });
    const { seq } = (await response.json()) as { seq: number };
    await expect.poll(async () => (await home(bob))[0]?.last?.text, { timeout: 4000 }).toBe("my password is hunter2");
    expect((await api(ada, `/api/rooms/${room}/messages/${seq}`, { method: "DELETE", body: JSON.stringify({ id: "del-oops" }) })).status).toBe(201);
    await expect.poll(async () => (await home(bob))[0], { timeout: 4000 }).toMatchObject({ unread: 1, last: { text: "an ordinary line" } });
  });

  it(`asks at most ${READS_PER_LOAD} rooms, those with news since the last load, and lists the rest from the hub's copies`, async () => {
    const [mia, ada] = [await newUser("Mia"), await newUser("Ada")];
    const rooms = await joinRooms(mia, 6);
    const { reads, restore } = await countEntryReads(rooms[0]!);
    onTestFinished(restore);

    // Nothing copied yet: the first load asks four, the next the other two.
    expect(await home(mia)).toHaveLength(READS_PER_LOAD);
    expect(reads()).toBe(READS_PER_LOAD);
    expect(await home(mia)).toHaveLength(6);
    expect(reads()).toBe(6);
    // Nothing changed: no room is asked.
    expect(await home(mia)).toHaveLength(6);
    expect(reads()).toBe(6);

    // News in one room: one notice, after which the room tells the hub nothing more; the copy
    // is right as of that notice and stale, so the next load asks that room alone.
    expect((await join(ada, rooms[2]!)).status).toBe(200);
    await post(ada, rooms[2]!, "one");
    await expect.poll(() => watchersOf(rooms[2]!), { timeout: 4000 }).not.toContain(mia.id);
    await post(ada, rooms[2]!, "two");
    expect((await home(mia))[0]).toMatchObject({ id: rooms[2], unread: 2, last: { text: "two" } });
    expect(reads()).toBe(7);
    expect((await home(mia))[0]).toMatchObject({ id: rooms[2], unread: 2 });
    expect(reads()).toBe(7);
  });
});
