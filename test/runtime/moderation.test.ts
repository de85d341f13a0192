import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ApiErrorBody, CreatedInvite, CreatedRoom, ModerationEvent } from "../../src/protocol";
import { forgeSessionToken } from "../support/tokens";
import { api, connect, newRoom, newUser, upgrade, type TestUser } from "./helpers";

/** One of the operators listed in ADMIN_USERS (vitest.config.ts). */
async function operator(): Promise<TestUser> {
  return { id: "g_operator_1", name: "Operator", token: await forgeSessionToken(env.JWT_SECRET!, { sub: "g_operator_1", name: "Operator" }) };
}

function call(user: TestUser, path: string, method: string, body?: object): Promise<Response> {
  return api(user, path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function messageFrom(user: TestUser, room: string, text: string): Promise<number> {
  const response = await call(user, `/api/rooms/${room}/messages`, "POST", { id: crypto.randomUUID(), text });
  expect(response.status).toBe(201);
  return ((await response.json()) as { seq: number }).seq;
}

describe("roles", () => {
  it("let the owner appoint moderators, shown with their role, and only the owner", async () => {
    const [owner, mia, max] = [await newUser("Owner"), await newUser("Mia"), await newUser("Max")];
    const { room } = (await (await call(owner, "/api/rooms", "POST", { visibility: "public", title: "Ops" })).json()) as CreatedRoom;
    await connect(room.id, mia);
    await connect(room.id, max);
    expect((await call(max, `/api/rooms/${room.id}/members/${mia.id}`, "PUT", { role: "moderator" })).status).toBe(403);
    expect((await call(owner, `/api/rooms/${room.id}/members/${mia.id}`, "PUT", { role: "boss" })).status).toBe(400);
    expect((await call(owner, `/api/rooms/${room.id}/members/${mia.id}`, "PUT", { role: "moderator" })).status).toBe(204);

    const { welcome } = await (await upgrade(room.id, mia)).joined();
    expect(welcome.role).toBe("moderator");
    const roles = Object.fromEntries(welcome.members.map((m) => [m.name, m.role]));
    expect(roles).toEqual({ Owner: "owner", Mia: "moderator", Max: undefined });
  });

  it.each([
    ["its author", "author", 201],
    ["a moderator", "moderator", 201],
    ["the owner", "owner", 201],
    ["an operator in ADMIN_USERS", "operator", 201],
    ["another member", "member", 403],
  ])("let %s delete a message", async (_, who, status) => {
    const [owner, author, mod, member] = [await newUser("Owner"), await newUser("Author"), await newUser("Mod"), await newUser("Member")];
    const { room } = (await (await call(owner, "/api/rooms", "POST", { visibility: "public" })).json()) as CreatedRoom;
    for (const user of [mod, member]) await connect(room.id, user);
    await call(owner, `/api/rooms/${room.id}/members/${mod.id}`, "PUT", { role: "moderator" });
    const seq = await messageFrom(author, room.id, "spam spam spam");
    const deleter = { author, moderator: mod, owner, operator: await operator(), member }[who]!;
    const response = await call(deleter, `/api/rooms/${room.id}/messages/${seq}`, "DELETE", { id: `delete-${who}` });
    expect(response.status).toBe(status);
  });

  it("make the operators owners of a room nobody created", async () => {
    const room = newRoom("lobby-like");
    const [spammer, admin] = [await newUser("Spammer"), await operator()];
    const seq = await messageFrom(spammer, room, "buy now");
    expect((await call(admin, `/api/rooms/${room}/messages/${seq}`, "DELETE", { id: "op-delete" })).status).toBe(201);
    expect((await call(admin, `/api/rooms/${room}/members/${spammer.id}/ban`, "POST", {})).status).toBe(200);
    const log = (await (await call(admin, `/api/rooms/${room}/moderation`, "GET")).json()) as { events: ModerationEvent[] };
    expect(log.events.map((e) => [e.action, e.member, e.by.id])).toEqual([
      ["ban", spammer.id, admin.id],
      ["delete", spammer.id, admin.id],
    ]);
    expect((await call(spammer, `/api/rooms/${room}/moderation`, "GET")).status).toBe(403);
  });
});

describe("a moderator's role", () => {
  it("ends with a ban: the banned moderator can no longer ban or read the log, and the owner can still dismiss them", async () => {
    const [owner, mod, member] = [await newUser("Owner"), await newUser("Mod"), await newUser("Member")];
    const { room } = (await (await call(owner, "/api/rooms", "POST", { visibility: "public" })).json()) as CreatedRoom;
    for (const user of [mod, member]) await connect(room.id, user);
    expect((await call(owner, `/api/rooms/${room.id}/members/${mod.id}`, "PUT", { role: "moderator" })).status).toBe(204);
    expect((await call(owner, `/api/rooms/${room.id}/members/${mod.id}/ban`, "POST", {})).status).toBe(200);

    expect((await call(mod, `/api/rooms/${room.id}/members/${member.id}/ban`, "POST", {})).status).toBe(403);
    expect((await call(mod, `/api/rooms/${room.id}/moderation`, "GET")).status).toBe(403);
    expect((await call(owner, `/api/rooms/${room.id}/members/${mod.id}`, "PUT", { role: "member" })).status).toBe(204);
  });

  it("ends with a removal from a private room", async () => {
    const [owner, mod, member] = [await newUser("Owner"), await newUser("Mod"), await newUser("Member")];
    const { room, invite } = (await (await call(owner, "/api/rooms", "POST", { visibility: "private" })).json()) as CreatedRoom;
    const token = new URL(invite!.url).hash.replace("#invite=", "");
    for (const user of [mod, member]) expect((await call(user, `/api/rooms/${room.id}/join`, "POST", { invite: token })).status).toBe(200);
    await call(owner, `/api/rooms/${room.id}/members/${mod.id}`, "PUT", { role: "moderator" });
    expect((await call(owner, `/api/rooms/${room.id}/members/${mod.id}`, "DELETE")).status).toBe(204);

    expect((await call(mod, `/api/rooms/${room.id}/members/${member.id}/mute`, "POST", {})).status).toBe(403);
  });

  it("ends when they leave: coming back to a public room makes them a plain member", async () => {
    const [owner, mod, member] = [await newUser("Owner"), await newUser("Mod"), await newUser("Member")];
    const { room } = (await (await call(owner, "/api/rooms", "POST", { visibility: "public" })).json()) as CreatedRoom;
    for (const user of [mod, member]) await connect(room.id, user);
    await call(owner, `/api/rooms/${room.id}/members/${mod.id}`, "PUT", { role: "moderator" });
    expect((await call(mod, `/api/rooms/${room.id}/members/me`, "DELETE")).status).toBe(204);

    const { welcome } = await (await upgrade(room.id, mod)).joined();
    expect(welcome.role).toBeUndefined();
    expect((await call(mod, `/api/rooms/${room.id}/members/${member.id}/ban`, "POST", {})).status).toBe(403);
  });
});

describe("muting a moderator", () => {
  it("is for owners only: a moderator cannot mute, unmute or ban another, and nobody lifts their own mute", async () => {
    const [owner, mod, other] = [await newUser("Owner"), await newUser("Mod"), await newUser("Other")];
    const { room } = (await (await call(owner, "/api/rooms", "POST", { visibility: "public" })).json()) as CreatedRoom;
    for (const user of [mod, other]) {
      await connect(room.id, user);
      await call(owner, `/api/rooms/${room.id}/members/${user.id}`, "PUT", { role: "moderator" });
    }
    expect((await call(other, `/api/rooms/${room.id}/members/${mod.id}/mute`, "POST", {})).status).toBe(403);
    expect((await call(owner, `/api/rooms/${room.id}/members/${mod.id}/mute`, "POST", {})).status).toBe(200);

    const own = await call(mod, `/api/rooms/${room.id}/members/${mod.id}/mute`, "DELETE");
    expect(own.status).toBe(403);
    expect(((await own.json()) as ApiErrorBody).error.message).toBe("you cannot do that to yourself");
    expect((await call(other, `/api/rooms/${room.id}/members/${mod.id}/mute`, "DELETE")).status).toBe(403);
    expect((await call(other, `/api/rooms/${room.id}/members/${mod.id}/ban`, "POST", {})).status).toBe(403);
    expect((await call(await operator(), `/api/rooms/${room.id}/members/${mod.id}/mute`, "DELETE")).status).toBe(204);
  });
});

describe("a direct conversation", () => {
  it("has no removal or ban, not even by an operator in ADMIN_USERS", async () => {
    const room = newRoom("met");
    const [ada, bob] = [await newUser("Ada"), await newUser("Bob")];
    await connect(room, ada);
    await connect(room, bob);
    const { room: direct } = (await (await call(ada, "/api/dm", "POST", { user: bob.id })).json()) as CreatedRoom;
    const admin = await operator();

    const removed = await call(admin, `/api/rooms/${direct.id}/members/${bob.id}`, "DELETE");
    expect(removed.status).toBe(400);
    expect(((await removed.json()) as ApiErrorBody).error.message).toBe("nobody is removed or banned from a direct conversation");
    expect((await call(admin, `/api/rooms/${direct.id}/members/${bob.id}/ban`, "POST", {})).status).toBe(400);
    expect((await call(bob, `/api/rooms/${direct.id}/messages`, "GET")).status).toBe(200);
  });
});

describe("a muted member", () => {
  it("still reads, but sends, edits and reactions are refused with the time left, until it runs out", async () => {
    const room = newRoom("mute");
    const [admin, loud] = [await operator(), await newUser("Loud")];
    const socket = await connect(room, loud);
    socket.send({ type: "send", id: "before", text: "before the mute" });
    await socket.next("ack");

    const muted = await call(admin, `/api/rooms/${room}/members/${loud.id}/mute`, "POST", { seconds: 2 });
    expect(muted.status).toBe(200);
    expect(await socket.next("muted")).toMatchObject({ muted: true, until: ((await muted.json()) as { until: number }).until });
    socket.send({ type: "send", id: "during", text: "let me speak" });
    expect(await socket.next("error")).toMatchObject({ id: "during", code: "forbidden", message: expect.stringMatching(/^you are muted here for another [12] s$/) });
    socket.send({ type: "react", id: "react", target: 1, emoji: "👍", on: true });
    expect(await socket.next("error")).toMatchObject({ id: "react", code: "forbidden" });
    expect((await call(loud, `/api/rooms/${room}/messages?after=0`, "GET")).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 2100));
    socket.send({ type: "send", id: "after", text: "I am back" });
    expect(await socket.next("ack")).toMatchObject({ id: "after" });
  });

  it("muted until unmuted stays muted until a moderator unmutes them; an owner cannot be muted", async () => {
    const [owner, loud] = [await newUser("Owner"), await newUser("Loud")];
    const { room } = (await (await call(owner, "/api/rooms", "POST", { visibility: "public" })).json()) as CreatedRoom;
    const socket = await connect(room.id, loud);
    expect((await call(owner, `/api/rooms/${room.id}/members/${loud.id}/mute`, "POST")).status).toBe(200);
    expect(await socket.next("muted")).toEqual({ type: "muted", muted: true, until: null });
    const refused = await call(owner, `/api/rooms/${room.id}/members/${loud.id}/mute`, "POST", { seconds: 31 * 86400 });
    expect(refused.status).toBe(400);
    expect((await call(await operator(), `/api/rooms/${room.id}/members/${owner.id}/mute`, "POST", {})).status).toBe(403);

    socket.send({ type: "send", id: "still", text: "hello?" });
    expect(await socket.next("error")).toMatchObject({ message: "you are muted here until a moderator unmutes you" });
    const { welcome } = await (await upgrade(room.id, loud)).joined();
    expect(welcome.mutedUntil).toBeNull();
    expect((await call(owner, `/api/rooms/${room.id}/members/${loud.id}/mute`, "DELETE")).status).toBe(204);
    expect(await socket.next("muted")).toEqual({ type: "muted", muted: false });
    socket.send({ type: "send", id: "free", text: "thanks" });
    expect(await socket.next("ack")).toMatchObject({ id: "free" });
  });
});

describe("a ban", () => {
  it("closes the person's sockets and keeps them out of a public room, by name too, until it ends", async () => {
    const room = newRoom("ban");
    const [admin, troll] = [await operator(), await newUser("Troll")];
    const socket = await connect(room, troll);
    expect((await call(admin, `/api/rooms/${room}/members/${troll.id}/ban`, "POST", { seconds: 2 })).status).toBe(200);
    expect((await socket.closed).code).toBe(4003);
    const refused = await call(troll, `/api/rooms/${room}/join`, "POST", {});
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as ApiErrorBody).error.code).toBe("forbidden");
    expect((await call(troll, `/api/rooms/${room}/messages`, "GET")).status).toBe(403);

    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await call(troll, `/api/rooms/${room}/join`, "POST", {})).status).toBe(200);
  });

  it("that ends gives a private room's member back their membership and their invites", async () => {
    const [owner, member, friend] = [await newUser("Owner"), await newUser("Member"), await newUser("Friend")];
    const { room, invite } = (await (await call(owner, "/api/rooms", "POST", { visibility: "private" })).json()) as CreatedRoom;
    const token = (url: string) => new URL(url).hash.replace("#invite=", "");
    expect((await call(member, `/api/rooms/${room.id}/join`, "POST", { invite: token(invite!.url) })).status).toBe(200);
    const own = (await (await call(member, `/api/rooms/${room.id}/invites`, "POST", {})).json()) as CreatedInvite;
    expect((await call(owner, `/api/rooms/${room.id}/members/${member.id}/ban`, "POST", { seconds: 2 })).status).toBe(200);
    expect((await call(friend, `/api/rooms/${room.id}/join`, "POST", { invite: token(own.url) })).status).toBe(403);

    await expect.poll(async () => (await call(member, `/api/rooms/${room.id}`, "GET")).status, { timeout: 5000, interval: 200 }).toBe(200);
    expect((await call(friend, `/api/rooms/${room.id}/join`, "POST", { invite: token(own.url) })).status).toBe(200);
  });
});
