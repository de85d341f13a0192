import { env, SELF } from "cloudflare:test";
import { expect } from "vitest";
import { BEARER_PROTOCOL_PREFIX, INVITE_PROTOCOL_PREFIX, PROTOCOL, type UserRef } from "../../src/protocol";
import { TestSocket } from "../support/test-socket";
import { forgeSessionToken } from "../support/tokens";

export type TestUser = UserRef & { token: string };

let users = 0;
/** A fresh user with a token; each test uses its own users and room, as storage is shared per file. */
export async function newUser(name: string): Promise<TestUser> {
  const id = `g_${name.toLowerCase()}_${++users}`;
  return { id, name, token: await forgeSessionToken(env.JWT_SECRET!, { sub: id, name }) };
}

let rooms = 0;
export const newRoom = (label: string) => `${label}-${++rooms}`;

/** Opens a socket through the Worker, presenting `invite` in a subprotocol if given; resolves once the room has welcomed it (or refused it). */
export async function upgrade(room: string, user: { token: string }, query = "", invite?: string): Promise<TestSocket> {
  const protocols = [PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${user.token}`];
  if (invite) protocols.push(`${INVITE_PROTOCOL_PREFIX}${invite}`);
  const response = await SELF.fetch(`https://chat.test/api/rooms/${room}/ws${query}`, {
    headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": protocols.join(", ") },
  });
  expect(response.status).toBe(101);
  return TestSocket.accept(response.webSocket!);
}

/** Opens a socket and reads the welcome and history every accepted connection starts with. */
export async function connect(room: string, user: { token: string }, query = "", invite?: string): Promise<TestSocket> {
  const socket = await upgrade(room, user, query, invite);
  await socket.joined();
  return socket;
}

export function api(user: { token: string }, path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(`https://chat.test${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${user.token}`, "Content-Type": "application/json" },
  });
}
