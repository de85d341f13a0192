import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient } from "../../src/client/chat-client";
import type { MessagesPage } from "../../src/protocol";
import { LocalChat, uniqueRoom } from "../support/local-chat";
import { MemoryStore } from "../support/memory-store";

const ROOMS = 5;
const PER_ROOM = 10;
const MESSAGES_EACH = 12;

let chat: LocalChat;

beforeAll(async () => {
  chat = await LocalChat.start();
});

afterAll(() => chat.stop());

interface Member {
  room: string;
  token: string;
  client: ChatClient;
  sent: string[];
  /** Ids in the order this client was shown them, each with its seq. */
  shown: { seq: number; id: string }[];
  /** How many times this client went from online to reconnecting. */
  drops: number;
}

async function history(room: string, token: string): Promise<{ seq: number; id: string }[]> {
  const all: { seq: number; id: string }[] = [];
  for (let after = 0, more = true; more; ) {
    const page = await chat.api<MessagesPage>(token, `/api/rooms/${room}/messages?after=${after}&limit=500`);
    all.push(...page.body.messages.map(({ seq, id }) => ({ seq, id })));
    more = page.body.more;
    after = all.at(-1)?.seq ?? after;
  }
  return all;
}

async function until(condition: () => boolean, what: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a restart while 50 clients in 5 rooms are sending", () => {
  it("loses no acknowledged message, stores none twice, and leaves every member with the same gapless history", async () => {
    const rooms = Array.from({ length: ROOMS }, () => uniqueRoom("load"));
    const members: Member[] = [];
    for (const room of rooms) {
      for (let i = 0; i < PER_ROOM; i++) {
        const { token } = await chat.signIn(`Sender ${i}`);
        const client = new ChatClient({ baseUrl: chat.base, room, token, storage: new MemoryStore() });
        const member: Member = { room, token, client, sent: [], shown: [], drops: 0 };
        client.on("message", (m) => member.shown.push({ seq: m.seq, id: m.id }));
        client.on("status", (status) => status.state === "reconnecting" && member.drops++);
        members.push(member);
      }
    }
    await until(() => members.every((m) => m.client.connection.state === "online"), "everyone is online");

    let restarted = false;
    const sending = members.map(async (member, index) => {
      for (let n = 0; n < MESSAGES_EACH; n++) {
        member.sent.push(member.client.send(`message ${n} from client ${index}`));
        await new Promise((resolve) => setTimeout(resolve, 120 + Math.random() * 80));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 700));
    await chat.restart();
    restarted = true;
    await Promise.all(sending);

    const acknowledged = (m: Member) => m.sent.every((id) => m.shown.some((s) => s.id === id));
    await until(() => members.every(acknowledged), "every message is acknowledged");

    for (const room of rooms) {
      const inRoom = members.filter((m) => m.room === room);
      const stored = await history(room, inRoom[0]!.token);
      const sentHere = inRoom.flatMap((m) => m.sent);
      expect(stored.map((s) => s.id).sort()).toEqual([...sentHere].sort());
      expect(stored.map((s) => s.seq)).toEqual(stored.map((_, i) => i + 1));
      await until(() => inRoom.every((m) => m.shown.length >= stored.length), `everyone in ${room} has seen everything`);
      for (const member of inRoom) expect(member.shown).toEqual(stored);
    }
    expect(restarted).toBe(true);
    expect(members.every((m) => m.drops >= 1)).toBe(true);
    for (const member of members) member.client.close();
  }, 120_000);
});
