import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCode, type CreatedInvite, type CreatedRoom, type SessionResponse } from "../../src/protocol";
import { LocalChat } from "../support/local-chat";
import { TestSocket } from "../support/test-socket";

let chat: LocalChat;
let owner: SessionResponse;

beforeAll(async () => {
  chat = await LocalChat.start();
  owner = await chat.signIn("Owner");
});

afterAll(() => chat.stop());

async function privateRoom(): Promise<{ room: string; link: CreatedInvite }> {
  const { status, body } = await chat.api<CreatedRoom>(owner.token, "/api/rooms", {
    method: "POST",
    body: JSON.stringify({ visibility: "private", title: "Team" }),
  });
  expect(status).toBe(201);
  return { room: body.room.id, link: body.invite! };
}

async function newInvite(room: string, options: object = {}): Promise<CreatedInvite> {
  const { status, body } = await chat.api<CreatedInvite>(owner.token, `/api/rooms/${room}/invites`, {
    method: "POST",
    body: JSON.stringify(options),
  });
  expect(status).toBe(201);
  return body;
}

const token = (link: CreatedInvite) => link.url.split("#invite=")[1]!;

/** Opens a socket as a browser would after following a link; resolves with what the room said first. */
async function openWith(session: SessionResponse, room: string, link?: CreatedInvite) {
  const socket = await TestSocket.open(chat.socketUrl(room), session.token, link && token(link));
  const first = await Promise.race([socket.next("welcome"), socket.next("error")]);
  return { socket, first };
}

describe("invite links over real connections", () => {
  it("let a guest in, who then comes back without one and chats", async () => {
    const { room, link } = await privateRoom();
    expect(link.url).toMatch(new RegExp(`^${chat.base}/r/${room}#invite=`));
    const guest = await chat.signIn("Guest");

    const first = await openWith(guest, room, link);
    expect(first.first).toMatchObject({ type: "welcome", room: { id: room, title: "Team", visibility: "private" } });
    await first.socket.close();

    const again = await openWith(guest, room);
    expect(again.first.type).toBe("welcome");
    await again.socket.next("history");
    again.socket.send({ type: "send", id: "hello", text: "I am back" });
    await again.socket.next("ack");
    await again.socket.close();
  });

  it("are refused with a reason when used up, expired or revoked, closing with 4003", async () => {
    const { room } = await privateRoom();
    const once = await newInvite(room, { maxUses: 1 });
    const brief = await newInvite(room, { expiresIn: 1 });
    const revoked = await newInvite(room);
    await chat.api(owner.token, `/api/rooms/${room}/invites/${revoked.id}`, { method: "DELETE" });
    expect((await openWith(await chat.signIn("First"), room, once)).first.type).toBe("welcome");
    await new Promise((resolve) => setTimeout(resolve, 1100));

    for (const [link, reason] of [
      [once, "used as often as it allows"],
      [brief, "expired"],
      [revoked, "revoked"],
    ] as const) {
      const { socket, first } = await openWith(await chat.signIn("Late"), room, link);
      expect(first).toMatchObject({ type: "error", code: "invalid_invite", message: expect.stringContaining(reason) });
      expect((await socket.closed).code).toBe(CloseCode.Forbidden);
    }
  });

  it("for one room do not open another, and a session token is no invite", async () => {
    const a = await privateRoom();
    const b = await privateRoom();
    const guest = await chat.signIn("Guest");
    expect((await openWith(guest, b.room, a.link)).first).toMatchObject({ code: "invalid_invite" });
    const sessionAsInvite = { ...a.link, url: `x#invite=${owner.token}` };
    expect((await openWith(guest, a.room, sessionAsInvite)).first).toMatchObject({ code: "invalid_invite" });
  });
});

describe("the owner", () => {
  it("removes a member, whose live connection closes with 4003 and who returns only when the owner readmits them", async () => {
    const { room, link } = await privateRoom();
    const member = await chat.signIn("Member");
    const { socket } = await openWith(member, room, link);
    await socket.next("history");

    const removed = await chat.api(owner.token, `/api/rooms/${room}/members/${member.user.id}`, { method: "DELETE" });
    expect(removed.status).toBe(204);
    expect((await socket.closed).code).toBe(CloseCode.Forbidden);

    expect((await openWith(member, room)).first).toMatchObject({ type: "error", code: "forbidden" });
    expect((await openWith(member, room, await newInvite(room))).first).toMatchObject({ type: "error", code: "forbidden" });
    const readmitted = await chat.api(owner.token, `/api/rooms/${room}/members/${member.user.id}/readmit`, { method: "POST" });
    expect(readmitted.status).toBe(204);
    expect((await openWith(member, room)).first.type).toBe("welcome");
  });
});

describe("a stranger", () => {
  it("probing a private room by id learns nothing about it", async () => {
    const { room } = await privateRoom();
    const stranger = await chat.signIn("Stranger");
    const info = await chat.api(stranger.token, `/api/rooms/${room}`);
    expect(info).toEqual({ status: 403, body: { error: { code: "forbidden", message: "you are not a member of this room" } } });
    const { socket, first } = await openWith(stranger, room);
    expect(first).toEqual({ type: "error", code: "forbidden", message: "you are not a member of this room" });
    expect((await socket.closed).code).toBe(CloseCode.Forbidden);
  });
});
