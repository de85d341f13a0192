import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  CloseCode,
  type ApiErrorBody,
  type CreatedInvite,
  type CreatedRoom,
  LIMITS,
  type InvitesPage,
  type InviteSummary,
  type RoomSnapshot,
} from "../../src/protocol";
import { api, connect, newUser, upgrade, type TestUser } from "./helpers";
import { forgeSessionToken, tamper } from "../support/tokens";

async function createRoom(owner: TestUser, body: object = { visibility: "private", title: "Book club" }): Promise<CreatedRoom> {
  const response = await api(owner, "/api/rooms", { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return (await response.json()) as CreatedRoom;
}

async function invite(member: TestUser, room: string, body: object = {}): Promise<CreatedInvite> {
  const response = await api(member, `/api/rooms/${room}/invites`, { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return (await response.json()) as CreatedInvite;
}

const tokenOf = (link: CreatedInvite) => new URL(link.url).hash.replace("#invite=", "");

function join(user: TestUser, room: string, inviteToken?: string): Promise<Response> {
  return api(user, `/api/rooms/${room}/join`, { method: "POST", body: JSON.stringify(inviteToken ? { invite: inviteToken } : {}) });
}

async function errorOf(response: Response): Promise<ApiErrorBody["error"]> {
  return ((await response.json()) as ApiErrorBody).error;
}

describe("creating a room", () => {
  it("gives a private room an unguessable id, its creator as owner and member, and a first invite", async () => {
    const ada = await newUser("Ada");
    const { room, invite: first } = await createRoom(ada);

    expect(room).toMatchObject({ title: "Book club", visibility: "private", owner: ada.id });
    expect(room.id).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 random bits
    expect(first?.url).toBe(`https://chat.test/r/${room.id}#invite=${tokenOf(first!)}`);
    const snapshot = (await (await api(ada, `/api/rooms/${room.id}`)).json()) as RoomSnapshot;
    expect(snapshot.members.map((m) => m.id)).toEqual([ada.id]);
  });

  it("makes public rooms too, which anyone signed in may enter", async () => {
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    const { room, invite: none } = await createRoom(ada, { visibility: "public" });
    expect(none).toBeUndefined();
    expect((await join(bob, room.id)).status).toBe(200);
  });

  it.each([
    [{ visibility: "secret" }, "visibility"],
    [{ visibility: "private", title: "x".repeat(65) }, "title"],
    [{ visibility: "private", title: "bell\u0007" }, "title"],
  ])("refuses %j with a 400", async (body, field) => {
    const response = await api(await newUser("Ada"), "/api/rooms", { method: "POST", body: JSON.stringify(body) });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toContain(field);
  });
});

describe("a stranger probing a private room", () => {
  it("is refused everywhere and learns neither its title nor its members", async () => {
    const [owner, stranger] = [await newUser("Owner"), await newUser("Stranger")];
    const { room } = await createRoom(owner);
    const paths: [string, RequestInit][] = [
      [`/api/rooms/${room.id}`, {}],
      [`/api/rooms/${room.id}/messages`, {}],
      [`/api/rooms/${room.id}/messages`, { method: "POST", body: JSON.stringify({ id: "m1", text: "let me in" }) }],
      [`/api/rooms/${room.id}/join`, { method: "POST" }],
      [`/api/rooms/${room.id}/invites`, { method: "POST" }],
      [`/api/rooms/${room.id}/invites`, {}],
    ];
    for (const [path, init] of paths) {
      const response = await api(stranger, path, init);
      const text = await response.text();
      expect(response.status, path).toBe(403);
      expect(text).not.toContain("Book club");
      expect(text).not.toContain(owner.id);
    }

    const socket = await upgrade(room.id, stranger);
    const error = await socket.next("error");
    expect(error.code).toBe("forbidden");
    expect(JSON.stringify(error)).not.toContain("Book club");
    expect((await socket.closed).code).toBe(CloseCode.Forbidden);
  });
});

describe("an invite link", () => {
  it("lets its holder in over WebSocket, and afterwards they need no invite", async () => {
    const [owner, guest] = [await newUser("Owner"), await newUser("Guest")];
    const { room, invite: link } = await createRoom(owner);
    const ownerSocket = await connect(room.id, owner);

    const socket = await upgrade(room.id, guest, "", tokenOf(link!));
    expect((await socket.next("welcome")).room).toMatchObject({ id: room.id, title: "Book club", visibility: "private" });
    await socket.next("history");
    expect(await ownerSocket.next("presence", (p) => p.joined.some((u) => u.id === guest.id))).toBeTruthy();
    await socket.close();

    const again = await connect(room.id, guest);
    again.send({ type: "send", id: "hi", text: "Thanks for the invite" });
    expect(await ownerSocket.next("message")).toMatchObject({ text: "Thanks for the invite" });
  });

  it("can be redeemed over HTTP with POST /join", async () => {
    const [owner, guest] = [await newUser("Owner"), await newUser("Guest")];
    const { room, invite: link } = await createRoom(owner);
    const response = await join(guest, room.id, tokenOf(link!));
    expect(response.status).toBe(200);
    // Nobody is online; the member seen most recently comes first.
    expect(((await response.json()) as RoomSnapshot).members.map((m) => m.id)).toEqual([guest.id, owner.id]);
    expect((await api(guest, `/api/rooms/${room.id}/messages`)).status).toBe(200);
  });

  it("is not used up by a removed member's refused attempts", async () => {
    const [owner, removed, newcomer] = [await newUser("Owner"), await newUser("Removed"), await newUser("Newcomer")];
    const { room, invite: first } = await createRoom(owner);
    await join(removed, room.id, tokenOf(first!));
    expect((await api(owner, `/api/rooms/${room.id}/members/${removed.id}`, { method: "DELETE" })).status).toBe(204);
    const twice = await invite(owner, room.id, { maxUses: 2 });

    for (let attempt = 0; attempt < 3; attempt++) expect((await join(removed, room.id, tokenOf(twice))).status).toBe(403);
    expect((await join(newcomer, room.id, tokenOf(twice))).status).toBe(200);
    const listed = ((await (await api(owner, `/api/rooms/${room.id}/invites`)).json()) as InvitesPage).invites;
    expect(listed.find((i) => i.id === twice.id)?.uses).toBe(1);
  });

  it("may be made by any member, and is counted only when it lets someone new in", async () => {
    const [owner, member, newcomer] = [await newUser("Owner"), await newUser("Member"), await newUser("Newcomer")];
    const { room, invite: first } = await createRoom(owner);
    await join(member, room.id, tokenOf(first!));
    const single = await invite(member, room.id, { maxUses: 1 });

    expect((await join(newcomer, room.id, tokenOf(single))).status).toBe(200);
    expect((await join(newcomer, room.id, tokenOf(single))).status).toBe(200);

    const late = await newUser("Late");
    const refused = await join(late, room.id, tokenOf(single));
    expect(refused.status).toBe(403);
    expect(await errorOf(refused)).toEqual({ code: "invalid_invite", message: expect.stringContaining("used as often as it allows") });
  });

  it("stops working when it expires", async () => {
    const [owner, late] = [await newUser("Owner"), await newUser("Late")];
    const { room } = await createRoom(owner);
    const link = await invite(owner, room.id, { expiresIn: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const refused = await join(late, room.id, tokenOf(link));
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toContain("expired");
    const socket = await upgrade(room.id, late, "", tokenOf(link));
    expect((await socket.next("error")).message).toContain("expired");
    expect((await socket.closed).code).toBe(CloseCode.Forbidden);
  });

  it("stops working when the owner revokes it, which the owner sees in the list", async () => {
    const [owner, guest] = [await newUser("Owner"), await newUser("Guest")];
    const { room } = await createRoom(owner);
    const link = await invite(owner, room.id, { maxUses: 5 });

    expect((await api(owner, `/api/rooms/${room.id}/invites/${link.id}`, { method: "DELETE" })).status).toBe(204);

    const refused = await join(guest, room.id, tokenOf(link));
    expect((await errorOf(refused)).message).toContain("revoked");
    const { invites } = (await (await api(owner, `/api/rooms/${room.id}/invites`)).json()) as { invites: InviteSummary[] };
    expect(invites.find((i) => i.id === link.id)).toMatchObject({ revoked: true, maxUses: 5, uses: 0, createdBy: owner.id });
  });

  it("are listed to the owner newest first, a page at a time", async () => {
    const owner = await newUser("Owner");
    const { room, invite: first } = await createRoom(owner);
    const made = [first!.id];
    for (let n = 0; n < 4; n++) made.push((await invite(owner, room.id)).id);
    const read = async (query: string) => (await (await api(owner, `/api/rooms/${room.id}/invites${query}`)).json()) as InvitesPage;

    const page1 = await read("?limit=2");
    expect(page1.invites.map((i) => i.id)).toEqual([made[4], made[3]]);
    expect(page1.more).toBe(true);
    const page2 = await read(`?limit=2&before=${page1.next}`);
    const page3 = await read(`?limit=2&before=${page2.next}`);
    expect([...page2.invites, ...page3.invites].map((i) => i.id)).toEqual([made[2], made[1], made[0]]);
    expect(page3.more).toBe(false);
    expect((await api(owner, `/api/rooms/${room.id}/invites?limit=1000`)).status).toBe(400);
  });

  it("are capped per member while they still work, so nobody fills the room with them", async () => {
    const [owner, member] = [await newUser("Owner"), await newUser("Member")];
    const { room, invite: first } = await createRoom(owner);
    await join(member, room.id, tokenOf(first!));
    for (let n = 0; n < LIMITS.liveInvitesPerMember; n++) await invite(member, room.id);
    const refused = await api(member, `/api/rooms/${room.id}/invites`, { method: "POST", body: "{}" });
    expect(refused.status).toBe(429);
    expect((await errorOf(refused)).message).toContain("revoke some");
    expect((await api(owner, `/api/rooms/${room.id}/invites`, { method: "POST", body: "{}" })).status).toBe(201);
  });

  it("can be listed and revoked by the owner only", async () => {
    const [owner, member] = [await newUser("Owner"), await newUser("Member")];
    const { room, invite: first } = await createRoom(owner);
    await join(member, room.id, tokenOf(first!));
    expect((await api(member, `/api/rooms/${room.id}/invites`)).status).toBe(403);
    expect((await api(member, `/api/rooms/${room.id}/invites/${first!.id}`, { method: "DELETE" })).status).toBe(403);
    expect((await api(owner, `/api/rooms/${room.id}/invites/no-such-invite`, { method: "DELETE" })).status).toBe(404);
  });

  it("for one room never opens another", async () => {
    const [owner, guest] = [await newUser("Owner"), await newUser("Guest")];
    const { invite: forA } = await createRoom(owner);
    const { room: b } = await createRoom(owner);
    const refused = await join(guest, b.id, tokenOf(forA!));
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toContain("another room");
  });

  it("that was tampered with is refused", async () => {
    const [owner, guest] = [await newUser("Owner"), await newUser("Guest")];
    const { room, invite: link } = await createRoom(owner);
    const refused = await join(guest, room.id, tamper(tokenOf(link!)));
    expect(await errorOf(refused)).toEqual({ code: "invalid_invite", message: "this invite link is not valid" });
  });

  it("is not a session, and a session is not an invite", async () => {
    const [owner, guest] = [await newUser("Owner"), await newUser("Guest")];
    const { room, invite: link } = await createRoom(owner);

    const asSession = await api({ token: tokenOf(link!) }, `/api/rooms/${room.id}`);
    expect(asSession.status).toBe(401);

    const sessionAsInvite = await join(guest, room.id, owner.token);
    expect(sessionAsInvite.status).toBe(403);
    expect((await errorOf(sessionAsInvite)).code).toBe("invalid_invite");

    const forgedWithRightRoom = await forgeSessionToken(env.JWT_SECRET!, { room: room.id, purpose: "invite", jti: link!.id });
    expect((await join(guest, room.id, forgedWithRightRoom)).status).toBe(403);
  });
});

describe("removing a member", () => {
  async function removedMember() {
    const [owner, member] = [await newUser("Owner"), await newUser("Member")];
    const { room, invite: link } = await createRoom(owner);
    expect((await join(member, room.id, tokenOf(link!))).status).toBe(200);
    const ownInvite = await invite(member, room.id);
    expect((await api(owner, `/api/rooms/${room.id}/members/${member.id}`, { method: "DELETE" })).status).toBe(204);
    return { owner, member, room, link: link!, ownInvite };
  }

  it("closes their open connections with 4003", async () => {
    const [owner, member] = [await newUser("Owner"), await newUser("Member")];
    const { room, invite: link } = await createRoom(owner);
    const ownerSocket = await connect(room.id, owner);
    const memberSocket = await connect(room.id, member, "", tokenOf(link!));
    await ownerSocket.next("presence", (p) => p.joined.some((u) => u.id === member.id));

    const removed = await api(owner, `/api/rooms/${room.id}/members/${member.id}`, { method: "DELETE" });

    expect(removed.status).toBe(204);
    expect(await memberSocket.next("error")).toMatchObject({ code: "forbidden", message: "you were removed from this room" });
    expect((await memberSocket.closed).code).toBe(CloseCode.Forbidden);
    expect(await ownerSocket.next("presence", (p) => p.left.some((u) => u.id === member.id))).toBeTruthy();
  });

  it("keeps them out on every path, with the room's old link, their own, or a new one", async () => {
    const { owner, member, room, link, ownInvite } = await removedMember();
    const fresh = await invite(owner, room.id);
    for (const token of [undefined, tokenOf(link), tokenOf(ownInvite), tokenOf(fresh)]) {
      const response = await join(member, room.id, token);
      expect(response.status).toBe(403);
      expect((await errorOf(response)).message).toMatch(/removed from this room|revoked/);
    }
    const socket = await upgrade(room.id, member, "", tokenOf(fresh));
    expect((await socket.next("error")).code).toBe("forbidden");
    expect((await socket.closed).code).toBe(CloseCode.Forbidden);
    const post = await api(member, `/api/rooms/${room.id}/messages`, { method: "POST", body: JSON.stringify({ id: "back", text: "hi" }) });
    expect(post.status).toBe(403);
    expect((await api(member, `/api/rooms/${room.id}/messages?after=0`)).status).toBe(403);
    expect((await api(member, `/api/rooms/${room.id}`)).status).toBe(403);
  });

  it("revokes the invites they made, so nobody else comes in with them either", async () => {
    const { owner, room, ownInvite } = await removedMember();
    const friend = await newUser("Friend");
    const response = await join(friend, room.id, tokenOf(ownInvite));
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe("invalid_invite");
    const summary = ((await (await api(owner, `/api/rooms/${room.id}/invites`)).json()) as { invites: InviteSummary[] }).invites;
    expect(summary.find((i) => i.id === ownInvite.id)?.revoked).toBe(true);
  });

  it("sticks in a public room too", async () => {
    const [owner, member] = [await newUser("Owner"), await newUser("Member")];
    const { room } = await createRoom(owner, { visibility: "public" });
    expect((await join(member, room.id)).status).toBe(200);
    expect((await api(owner, `/api/rooms/${room.id}/members/${member.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await join(member, room.id)).status).toBe(403);
    expect((await api(member, `/api/rooms/${room.id}/messages`)).status).toBe(403);
  });

  it("ends their pending long-poll without what was posted after the removal", async () => {
    const [owner, member] = [await newUser("Owner"), await newUser("Member")];
    const { room, invite: link } = await createRoom(owner);
    await join(member, room.id, tokenOf(link!));
    const waiting = api(member, `/api/rooms/${room.id}/messages?after=0&wait=10`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await api(owner, `/api/rooms/${room.id}/members/${member.id}`, { method: "DELETE" })).status).toBe(204);
    await api(owner, `/api/rooms/${room.id}/messages`, { method: "POST", body: JSON.stringify({ id: "secret", text: "now they are gone" }) });

    const response = await waiting;
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain("now they are gone");
  });

  it("is lifted by the owner's readmit, and the member walks in without an invite", async () => {
    const { owner, member, room } = await removedMember();
    expect((await api(member, `/api/rooms/${room.id}/members/${member.id}/readmit`, { method: "POST" })).status).toBe(403);
    expect((await api(owner, `/api/rooms/${room.id}/members/${member.id}/readmit`, { method: "POST" })).status).toBe(204);
    expect((await join(member, room.id)).status).toBe(200);
    expect((await api(owner, `/api/rooms/${room.id}/members/${member.id}/readmit`, { method: "POST" })).status).toBe(404);
  });

  it("is lifted by an invite the owner made for that person, which nobody else can use", async () => {
    const { owner, member, room } = await removedMember();
    const other = await newUser("Other");
    const forMember = await invite(owner, room.id, { for: member.id });
    const stolen = await join(other, room.id, tokenOf(forMember));
    expect(stolen.status).toBe(403);
    expect((await errorOf(stolen)).message).toContain("someone else");
    expect((await join(member, room.id, tokenOf(forMember))).status).toBe(200);
    expect((await api(member, `/api/rooms/${room.id}`)).status).toBe(200);
  });

  it("is lifted by an invite an operator in ADMIN_USERS made for that person", async () => {
    const { owner, member, room } = await removedMember();
    const admin = { id: "g_operator_2", name: "Operator", token: await forgeSessionToken(env.JWT_SECRET!, { sub: "g_operator_2", name: "Operator" }) };
    expect((await join(admin, room.id, tokenOf(await invite(owner, room.id)))).status).toBe(200);
    const forMember = await invite(admin, room.id, { for: member.id });
    expect((await join(member, room.id, tokenOf(forMember))).status).toBe(200);
  });

  it("is the owner's right alone", async () => {
    const [owner, member, other] = [await newUser("Owner"), await newUser("Member"), await newUser("Other")];
    const { room, invite: link } = await createRoom(owner, { visibility: "private" });
    await join(member, room.id, tokenOf(link!));
    await join(other, room.id, tokenOf(link!));
    expect((await api(member, `/api/rooms/${room.id}/members/${other.id}`, { method: "DELETE" })).status).toBe(403);
    expect((await api(owner, `/api/rooms/${room.id}/members/${owner.id}`, { method: "DELETE" })).status).toBe(400);
  });
});
