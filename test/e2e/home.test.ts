import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HomeRoom, HomeRoomsResponse, SessionResponse } from "../../src/protocol";
import { HomeSocket } from "../support/home-socket";
import { LocalChat, uniqueRoom } from "../support/local-chat";

let chat: LocalChat;

beforeAll(async () => {
  chat = await LocalChat.start();
});

afterAll(() => chat.stop());

async function roomOf(session: SessionResponse, room: string): Promise<HomeRoom | undefined> {
  return (await chat.api<HomeRoomsResponse>(session.token, "/api/me/rooms")).body.rooms.find((r) => r.id === room);
}

function post(session: SessionResponse, room: string, text: string, extra: object = {}) {
  return chat.api(session.token, `/api/rooms/${room}/messages`, { method: "POST", body: JSON.stringify({ id: crypto.randomUUID(), text, ...extra }) });
}

/** A home page's socket, over the network as a browser's. */
async function openHome(session: SessionResponse): Promise<HomeSocket> {
  const ws = new WebSocket(`${chat.base.replace(/^http/, "ws")}/api/me/ws`, ["edge-chat.v1", `bearer.${session.token}`]);
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", reject, { once: true });
  });
  return new HomeSocket(ws);
}

describe("a person's home against the real server", () => {
  it("keeps the read position forward-only across two devices, and the counts across a restart", async () => {
    const room = uniqueRoom("home");
    const [ada, bob] = [await chat.signIn("Ada"), await chat.signIn("Bob")];
    await chat.api(bob.token, `/api/rooms/${room}/join`, { method: "POST", body: "{}" });
    for (const text of ["one", "two", "three"]) await post(ada, room, text);
    await post(ada, room, "for Bob", { to: bob.user.id, mentions: [bob.user.id] });
    await expect.poll(() => roomOf(bob, room)).toMatchObject({ unread: 4, mentions: 1 });

    // Bob's phone reads up to 3; his laptop, behind, reports 1 afterwards: the position stays at 3.
    const phone = (await chat.api<SessionResponse>(bob.token, "/api/session/refresh", { method: "POST" })).body;
    expect((await chat.api(phone.token, `/api/rooms/${room}/read`, { method: "POST", body: JSON.stringify({ seq: 3 }) })).status).toBe(204);
    expect((await chat.api(bob.token, `/api/rooms/${room}/read`, { method: "POST", body: JSON.stringify({ seq: 1 }) })).status).toBe(204);
    expect(await roomOf(bob, room)).toMatchObject({ lastReadSeq: 3, unread: 1, mentions: 1 });

    await chat.restart();
    expect(await roomOf(bob, room)).toMatchObject({ seq: 4, lastReadSeq: 3, unread: 1, mentions: 1, last: { text: "for Bob" } });
    expect(await roomOf(ada, room)).toMatchObject({ unread: 0, mentions: 0 });
  });

  it("shows a message in any of the person's rooms on their open home page within 2 s", async () => {
    const room = uniqueRoom("live-home");
    const [ada, bob] = [await chat.signIn("Ada"), await chat.signIn("Bob")];
    await chat.api(bob.token, `/api/rooms/${room}/join`, { method: "POST", body: "{}" });
    await expect.poll(() => roomOf(bob, room)).toBeDefined();
    const home = await openHome(bob);
    expect((await home.next("rooms")).rooms.map((r) => r.id)).toEqual([room]);

    const sentAt = Date.now();
    await post(ada, room, "ping from Ada");
    const { room: update } = await home.next("room", (f) => f.room.unread === 1);
    expect(Date.now() - sentAt).toBeLessThan(2000);
    expect(update.last).toMatchObject({ text: "ping from Ada", from: { name: "Ada" } });
    home.close();
  });
});
